"""The project's middleware, one concern each: request ids (factor XI: logs),
the CSP header, refusing what cannot be served, and 503 while the database is
down with the process staying up (factor IX: disposability).
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.signals import request_finished
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.log import log_response

from {{ cookiecutter.project_slug }} import logs

Handler = Callable[[HttpRequest], HttpResponse]

# Raised when the database cannot be reached or drops the connection; a bad
# query raises others, and stays a 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

logger = logging.getLogger(__name__)
# The request id header as Django's `request.META` names it; `request.headers`
# would build a mapping of every header on each request.
REQUEST_ID_KEY = "HTTP_" + logs.REQUEST_ID_HEADER.upper().replace("-", "_")


def request_id_middleware(get_response: Handler) -> Handler:
    """Keep the caller's X-Request-ID or make one, log with it and echo it back."""

    def middleware(request: HttpRequest) -> HttpResponse:
        current = logs.make_request_id(request.META.get(REQUEST_ID_KEY))
        logs.request_id.set(current)
        response = get_response(request)
        response[logs.REQUEST_ID_HEADER] = current
        return response

    return middleware


@receiver(request_finished)
def forget_request_id(**kwargs: object) -> None:
    """Clear the request id once the response is sent."""
    # Not earlier: Django logs error responses after every middleware has returned.
    logs.request_id.set(None)


def content_security_policy_middleware(get_response: Handler) -> Handler:
    """Send the Content-Security-Policy header unless a view set its own."""
    policy = settings.CONTENT_SECURITY_POLICY

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy)
        return response

    return middleware


def refuse_bad_requests_middleware(get_response: Handler) -> Handler:
    """Answer 400 to a Host not allowed, and 413 to a body over the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def middleware(request: HttpRequest) -> HttpResponse:
        # Django checks the Host only when asked for it, which static files never
        # are; an unknown one raises DisallowedHost, which Django answers with 400.
        request.get_host()
        # As Django reads it; gunicorn refuses a malformed Content-Length first.
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        if size <= limit:
            return get_response(request)
        response = JsonResponse({"error": "request body too large"}, status=413)
        # In place of Django's own line, which names neither size.
        log_response(
            "request body too large: %s %s declares %d bytes, the limit is %d",
            request.method,
            request.path,
            size,
            limit,
            response=response,
            request=request,
            logger=logger,
        )
        return response

    return middleware


class DatabaseUnavailableMiddleware:
    """Answer 503 while the database is unreachable, unless DEBUG shows the error.

    Django drops the broken connection after the response and opens a new one
    for the next request, so pages come back with the database.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        """Answer 503 for a database connection error; leave others to Django."""
        if settings.DEBUG or not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        # A page for browsers, JSON for every other client.
        if request.get_preferred_type(["application/json", "text/html"]) == "text/html":
            # Rendered without the request: its context processors may need the
            # database (the user, the session).
            response = HttpResponse(render_to_string("503.html"), status=503)
        else:
            body = {"error": "the database is unavailable"}
            response = JsonResponse(body, status=503)
        # One warning, in place of Django's error line. The type names the
        # failure; the message might carry the database URL.
        log_response(
            "database unavailable (%s)",
            type(exception).__name__,
            response=response,
            request=request,
            logger=logger,
            level="warning",
        )
        return response
