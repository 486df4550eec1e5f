"""Middleware that tags each request with an id (factor XI: logs) and sets the CSP."""

from collections.abc import Callable

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from .logs import REQUEST_ID_HEADER, make_request_id, request_id

Handler = Callable[[HttpRequest], HttpResponse]


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
