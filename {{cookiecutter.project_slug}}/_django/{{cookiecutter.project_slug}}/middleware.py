"""Middleware: request ids (factor XI: logs), the CSP, and what cannot be served.

Requests for other hosts and bodies over `MAX_REQUEST_BYTES` are refused before
any work; while the database is unreachable, pages answer 503 and the process
stays up (factor IX: disposability).
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

from .logs import REQUEST_ID_HEADER, make_request_id, request_id

Handler = Callable[[HttpRequest], HttpResponse]
{%- if cookiecutter.worker %}
View = Callable[..., HttpResponse]
{%- endif %}

logger = logging.getLogger(__name__)

# Raised when the database cannot be reached, or drops the connection; a bad
# query raises others, and stays a 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def request_id_middleware(get_response: Handler) -> Handler:
    """Keep the caller's X-Request-ID or make one, log with it and echo it back."""

    def middleware(request: HttpRequest) -> HttpResponse:
        current = make_request_id(request.headers.get(REQUEST_ID_HEADER))
        request_id.set(current)
        response = get_response(request)
        response[REQUEST_ID_HEADER] = current
        return response

    return middleware


@receiver(request_finished)
def forget_request_id(**kwargs: object) -> None:
    """Clear the request id once the response is sent."""
    # Not earlier: Django logs error responses after every middleware has returned.
    request_id.set(None)


def content_security_policy_middleware(get_response: Handler) -> Handler:
    """Send the Content-Security-Policy header unless a view set its own."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy", settings.CONTENT_SECURITY_POLICY
        )
        return response

    return middleware


def refuse_bad_requests_middleware(get_response: Handler) -> Handler:
    """Answer 400 to a Host not allowed, and 413 to a body over the limit."""

    def middleware(request: HttpRequest) -> HttpResponse:
        # Django checks the Host only when asked for it, which static files never
        # are; an unknown one raises DisallowedHost, which Django answers with 400.
        request.get_host()
        size = declared_size(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if size > limit:
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
        return get_response(request)

    return middleware


def declared_size(request: HttpRequest) -> int:
    """Return the body size the Content-Length header declares, 0 if none."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        # Django then reads no body at all; gunicorn refuses such a request first.
        return 0
{%- if cookiecutter.worker %}


def json_endpoint(view: View) -> View:
    """Mark a view that answers JSON, so that its 503 page is JSON too."""
    view.json_endpoint = True  # type: ignore[attr-defined]
    return view
{%- endif %}


class DatabaseUnavailableMiddleware:
    """Answer 503 to a request whose view cannot reach the database.

    The process stays up: Django drops the broken connection once the response is
    sent and opens a new one for the next request, so pages come back with the
    database. With DEBUG on, Django's debug page shows the error instead.
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
{%- if cookiecutter.worker %}
        if getattr(request.resolver_match.func, "json_endpoint", False):
            body = {"error": "the database is unavailable"}
            response: HttpResponse = JsonResponse(body, status=503)
        else:
            # Rendered without the request: its context processors may need the
            # database (the user, the session).
            response = HttpResponse(render_to_string("503.html"), status=503)
{%- else %}
        # Rendered without the request: its context processors may need the
        # database (the user, the session).
        response = HttpResponse(render_to_string("503.html"), status=503)
{%- endif %}
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
