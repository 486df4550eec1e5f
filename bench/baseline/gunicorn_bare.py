"""Gunicorn settings for the bare baselines: the generated gunicorn.conf.py, minus its app.

The same values (port, workers, timeouts, /dev/shm heartbeat, no control socket) and the
same JSON access log lines (python-json-logger, the same fields), read straight from the
environment instead of through the generated project's pydantic settings and logs module.
"""

import os

from gunicorn.glogging import Logger

bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 30
graceful_timeout = 30
worker_tmp_dir = "/dev/shm"  # noqa: S108
control_socket_disable = True
accesslog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": loglevel.upper()},
    "loggers": {
        "gunicorn.error": {"handlers": [], "level": loglevel.upper(), "propagate": True},
        "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": True},
    },
}


class AccessLogger(Logger):
    """Write each access log line as a structured event, as the generated config does."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        headers = {name.lower(): value for name, value in resp.headers}
        status = resp.status_code
        duration_ms = round(request_time.total_seconds() * 1000, 2)
        self.access_log.info(
            "%s %s %s %sms",
            req.method,
            req.path,
            status,
            duration_ms,
            extra={
                "method": req.method,
                "path": req.path,
                "query": req.query,
                "status": status,
                "duration_ms": duration_ms,
                "request_id": headers.get("x-request-id"),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            },
        )


logger_class = AccessLogger
