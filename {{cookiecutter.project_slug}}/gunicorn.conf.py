"""Gunicorn settings for the web process (factors VII port binding, VIII, IX, XI).

The values come from the same validated settings as the application, so a bad
environment stops the server before it binds, with one message.
https://docs.gunicorn.org/en/stable/settings.html
"""

import gc
import os
import shutil
import tempfile

from gunicorn.glogging import Logger

from {{cookiecutter.project_slug}}.config import load_settings
from {{cookiecutter.project_slug}}.logs import REQUEST_ID_HEADER, logging_config

settings = load_settings()

bind = [f"0.0.0.0:{settings.PORT}"]
workers = settings.WEB_CONCURRENCY
# Workers that take longer than this to answer are killed and replaced; on
# SIGTERM, in-flight requests get this long to finish.
timeout = 30
graceful_timeout = 30
# The heartbeat file lives in memory: a container's disk may be slow or read-only.
worker_tmp_dir = "/dev/shm"  # noqa: S108
# No control socket (gunicornc): it would be a file under $HOME, which the
# container's user does not have, so gunicorn 25.1+ would log an error at boot.
control_socket_disable = True
accesslog = "-"
loglevel = settings.LOG_LEVEL.lower()
logconfig_dict = logging_config(settings.LOG_LEVEL, settings.LOG_FORMAT)


class AccessLogger(Logger):
    """Write each access log line as a structured event."""

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
                "request_id": headers.get(REQUEST_ID_HEADER.lower()),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            },
        )


logger_class = AccessLogger


# Long-lived objects stay out of the cyclic garbage collector: the master's, loaded
# by now, and each worker's once it has loaded the app. They live as long as their
# process, so scanning them is wasted work, and Python's final collection over them
# made an idle SIGTERM slower: twice as slow for a worker, 90 ms more for the master.
gc.freeze()


def post_worker_init(worker) -> None:
    gc.freeze()


if settings.METRICS_PORT:
    # prometheus-client's multiprocess mode: workers write their metrics to files in
    # a new directory, set before it is imported, and the master serves the sum.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir = tempfile.mkdtemp()
    from prometheus_client import CollectorRegistry, Gauge, start_http_server, values
    from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

    metrics_port: int = settings.METRICS_PORT

    def when_ready(server) -> None:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        start_http_server(metrics_port, registry=registry)

    def pre_fork(server, worker) -> None:
        # Files named by slot, not pid: a replacement carries on the dead one's counts.
        taken = {other.slot for other in server.WORKERS.values()}
        worker.slot = min(set(range(len(taken) + 1)) - taken)

    def post_fork(server, worker) -> None:
        values.ValueClass = values.MultiProcessValue(lambda: worker.slot)
        worker.in_flight = Gauge(
            "http_requests_in_flight", "Requests in flight", multiprocess_mode="livesum"
        )

    def pre_request(worker, req) -> None:
        worker.in_flight.inc()

    def post_request(worker, req, environ, resp) -> None:
        worker.in_flight.dec()

    def child_exit(server, worker) -> None:
        mark_process_dead(worker.slot)  # its in-flight count; its totals stay

    def on_exit(server) -> None:
        shutil.rmtree(metrics_dir, ignore_errors=True)
