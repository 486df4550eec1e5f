"""The worker's metrics on METRICS_PORT + 1: Dramatiq's Prometheus middleware counts
the jobs by actor; each queue's depth is read from Redis when scraped."""

from functools import partial
from pathlib import Path

from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.prometheus import DB_PATH
from prometheus_client import CollectorRegistry, Gauge, start_http_server, values
from prometheus_client.multiprocess import MultiProcessCollector


def serve(broker: RedisBroker, port: int) -> None:
    """Serve the job metrics on `port`; call it before the worker boots."""
    registry = CollectorRegistry()
    depth = Gauge(
        "dramatiq_queue_depth", "Jobs not done yet.", ["queue_name"], registry=registry
    )
    for queue in broker.get_declared_queues():
        depth.labels(queue).set_function(partial(broker.do_qsize, queue))
    # The middleware counts in files in DB_PATH, where an earlier run's would add up;
    # its metrics, made at boot, go there whoever imported prometheus-client first.
    for stale in Path(DB_PATH).glob("*.db"):
        stale.unlink()
    values.ValueClass = values.MultiProcessValue()
    MultiProcessCollector(registry, path=DB_PATH)
    start_http_server(port, registry=registry)
