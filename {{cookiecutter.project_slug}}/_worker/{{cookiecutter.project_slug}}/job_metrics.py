"""The worker's metrics, on METRICS_PORT + 1: its jobs, and the queues' depth."""

import tempfile
from functools import partial

from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import prometheus
from prometheus_client import CollectorRegistry, Gauge, start_http_server, values
from prometheus_client.multiprocess import MultiProcessCollector


def serve(broker: RedisBroker, port: int) -> None:
    """Serve the jobs' metrics by actor on `port`; call it before the worker boots."""
    registry = CollectorRegistry()
    depth = Gauge(
        "dramatiq_queue_depth", "Jobs not done yet.", ["queue_name"], registry=registry
    )
    for queue in broker.get_declared_queues():
        depth.labels(queue).set_function(partial(broker.do_qsize, queue))
    # Dramatiq's Prometheus middleware counts in files, in a folder of this process's
    # own (not the machine's), whoever imported prometheus-client first.
    prometheus.DB_PATH = path = tempfile.mkdtemp(prefix="dramatiq-")
    values.ValueClass = values.MultiProcessValue()
    MultiProcessCollector(registry, path=path)
    start_http_server(port, registry=registry)
