"""Logs as an event stream: one line per event on stdout (factor XI: logs).

`LOG_FORMAT=json` writes one JSON object per line for the platform to collect;
`LOG_FORMAT=console` writes plain text for people. Every line logged while a
request is handled carries that request's id.
"""

import logging
import os
import re
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[\w.:@+=/-]{1,128}", re.ASCII)


def make_request_id(incoming: str | None) -> str:
    """Return the caller's request id if it is sane, else a new one."""
    if incoming and _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    # 128 random bits, as 32 hex digits.
    return os.urandom(16).hex()


class RequestIdFilter(logging.Filter):
    """Add the current request id, if any, to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def logging_config(level: str, log_format: str) -> dict:
    """Return a `logging.config.dictConfig` mapping that logs to stdout.

    Python warnings become log records too (logger `py.warnings`), so that they
    are events like the rest, not plain text on stderr.
    """
    logging.captureWarnings(True)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            },
            "console": {
                "format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s",
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": log_format,
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Gunicorn's own loggers hand their records to the root handler.
            "gunicorn.error": {"handlers": [], "level": level, "propagate": True},
            "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": True},
        },
    }
