"""Give each request an id, carried by its log lines and response (factor XI: logs)."""

from flask import Flask, Response, g, request

from {{cookiecutter.project_slug}}.logs import (
    REQUEST_ID_HEADER,
    make_request_id,
    request_id,
)


def init_app(app: Flask) -> None:
    """Set the request id before each request, echo it, and clear it afterwards."""
    app.before_request(start_request)
    app.after_request(echo_request_id)
    app.teardown_request(end_request)


def start_request() -> None:
    """Keep the caller's request id if it is sane, else make one."""
    incoming = request.headers.get(REQUEST_ID_HEADER)
    g.request_id_token = request_id.set(make_request_id(incoming))


def echo_request_id(response: Response) -> Response:
    """Return the request id to the caller."""
    response.headers[REQUEST_ID_HEADER] = request_id.get()
    return response


def end_request(error: BaseException | None) -> None:
    """Clear the request id, so later log lines do not carry it."""
    # A request context pushed without dispatching (tests, shell) never set one.
    if token := g.pop("request_id_token", None):
        request_id.reset(token)
