"""Oversized requests and a database that is down get generic answers (factor IX).

Nothing in these answers or their log lines comes from the exception's message,
which may hold the database URL, password included. Other errors keep Flask's
pages: generic ones, or the debugger when DEBUG is on.
"""

import logging

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.wsgi import get_content_length

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Refuse oversized bodies, and answer 503 while the database is down."""
    limit = app.config["MAX_CONTENT_LENGTH"]

    @app.before_request
    def refuse_large_body() -> ResponseReturnValue | None:
        """Answer 413 to a body declared larger than MAX_REQUEST_BYTES."""
        # Werkzeug enforces MAX_CONTENT_LENGTH only when a view reads the body.
        # From the environ: `request.content_length` scans every header for it.
        size = get_content_length(request.environ)
        if size is None or size <= limit:
            return None
        message = "request body too large: %s %s declares %s bytes, the limit is %s"
        log.warning(message, request.method, request.path, size, limit)
        return {"error": "request body too large"}, 413

    # What the driver raises when the server cannot be reached or the connection
    # broke; a bug in a query raises something else and stays a 500.
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)


def database_unavailable(error: DBAPIError) -> ResponseReturnValue:
    """Answer 503 with a generic page: the process stays up and retries next time."""
    database_down(error)
    return render_template("503.html"), 503


def database_down(error: DBAPIError) -> None:
    """Log that the database is down, naming the exception's type only.

    With DEBUG on, raise the exception again instead, for Flask's debugger.
    """
    if current_app.debug:
        raise error
    log.warning("database unavailable (%s)", type(error).__name__)
