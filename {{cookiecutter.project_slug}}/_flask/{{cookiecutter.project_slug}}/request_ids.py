"""Give each request an id, carried by its log lines and response (factor XI: logs)."""

from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from flask import Flask

from {{cookiecutter.project_slug}}.logs import (
    REQUEST_ID_HEADER,
    make_request_id,
    request_id,
)

# The request's header, as WSGI names it.
ENVIRON_KEY = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")


def init_app(app: Flask) -> None:
    """Set each request's id while the app answers it, and echo it to the caller.

    A WSGI wrapper, so that whatever answers inside it, static files included,
    logs with the id and sends it back.
    """
    wrapped = app.wsgi_app

    def wsgi_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        # The caller's id if it is sane, else a new one.
        current = make_request_id(environ.get(ENVIRON_KEY))

        def start_with_id(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            headers.append((REQUEST_ID_HEADER, current))
            return start_response(status, headers, exc_info)

        token = request_id.set(current)
        try:
            return wrapped(environ, start_with_id)
        finally:
            # Later log lines of this process belong to no request.
            request_id.reset(token)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]  # Flask's way to add middleware
