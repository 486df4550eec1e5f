"""Prometheus metrics on METRICS_PORT, apart from the app's port; off unless it is set.

Each gunicorn worker writes its metrics to files in PROMETHEUS_MULTIPROC_DIR, and
the master serves their sum (gunicorn.conf.py), as prometheus-client's
multiprocess mode describes: https://prometheus.github.io/client_python/multiprocess/
This module is imported only when METRICS_PORT is set.
"""

from collections.abc import Callable, Iterable
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import CollectorRegistry, Gauge, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector


def serve(port: int, *collectors: Collector, path: str | None = None) -> None:
    """Serve the metrics in the multiprocess directory, and `collectors`, on `port`."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=path)
    for collector in collectors:
        registry.register(collector)
    start_http_server(port, registry=registry)


def count_in_flight(app: WSGIApplication) -> Callable[..., Iterable[bytes]]:
    """Return the WSGI app, counting the requests it is handling."""
    in_flight = Gauge(
        "http_requests_in_flight",
        "Requests being handled.",
        multiprocess_mode="livesum",
    )

    def counted(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        with in_flight.track_inprogress():
            return app(environ, start_response)

    return counted
