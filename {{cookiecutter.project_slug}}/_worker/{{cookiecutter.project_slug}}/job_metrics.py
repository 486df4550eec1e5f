"""The worker process's metrics, on METRICS_PORT + 1 (metrics.py).

Dramatiq's own Prometheus middleware counts the jobs processed, failed and
retried by actor, with their durations; the queue depth is read from the broker
when scraped.
"""

from collections.abc import Iterator
from pathlib import Path

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.prometheus import DB_PATH
from prometheus_client import values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from {{cookiecutter.project_slug}} import metrics


class QueueDepth(Collector):
    """The jobs queued, delayed or running in each queue, read when scraped."""

    def __init__(self, broker: RedisBroker) -> None:
        self.broker = broker

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "dramatiq_queue_depth",
            "Jobs queued, delayed or running.",
            labels=["queue_name"],
        )
        for queue in sorted(self.broker.get_declared_queues()):
            depth.add_metric([queue], self.broker.do_qsize(queue))
        yield depth


def serve(broker: dramatiq.Broker, port: int) -> None:
    """Serve the job metrics on `port`; call it before the worker boots."""
    # The middleware writes to files in DB_PATH, as for a process of several
    # workers; the files of an earlier run on this machine would add to its counts.
    for stale in Path(DB_PATH).glob("*.db"):
        stale.unlink()
    # Whatever imported prometheus-client first, the middleware's metrics, made
    # at boot, go to those files.
    values.ValueClass = values.MultiProcessValue()
    queues = [QueueDepth(broker)] if isinstance(broker, RedisBroker) else []
    metrics.serve(port, *queues, path=DB_PATH)
