"""The job queue and the worker process type (factor VIII: concurrency).

Jobs are Dramatiq actors. With `REDIS_URL` set they go on a queue in Redis and
the `worker` process of the Procfile runs them; scale it by running more worker
processes. Without `REDIS_URL` (the embedded default) there is no queue: a job
runs in the process that enqueues it, before `enqueue` returns.

On SIGTERM the worker takes no new job, finishes the ones it is running and
puts back the ones it had fetched but not started, then exits 0. A worker that
dies without that (SIGKILL, a lost machine) stops sending heartbeats; once
`WORKER_HEARTBEAT_TIMEOUT` seconds have passed, another worker puts its jobs
back on the queue. A job may therefore run more than once: keep jobs idempotent.
"""

import logging
import signal
import threading
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.brokers.stub import StubBroker

from {{ cookiecutter.project_slug }}.config import Settings
from {{ cookiecutter.project_slug }}.logs import request_id

QUEUE = "default"
# Threads per worker process; jobs that wait on the database overlap.
THREADS = 4
# Jobs are cut off after this long (the TimeLimit middleware), and retried with
# a growing delay when they fail, at most this many times.
TIME_LIMIT_MS = 60_000
MAX_RETRIES = 3

log = logging.getLogger(__name__)


class RequestIdMiddleware(dramatiq.Middleware):
    """Carry the enqueuing request's id to the log lines of the job it enqueued."""

    def before_enqueue(
        self, broker: dramatiq.Broker, message: dramatiq.Message, delay: int | None
    ) -> None:
        current = request_id.get()
        if current is not None:
            message.options.setdefault("request_id", current)

    def before_process_message(
        self, broker: dramatiq.Broker, message: dramatiq.Message
    ) -> None:
        request_id.set(message.options.get("request_id"))

    def after_process_message(
        self, broker: dramatiq.Broker, message: dramatiq.Message, **kwargs: Any
    ) -> None:
        request_id.set(None)

    after_skip_message = after_process_message


def make_broker(
    settings: Settings, middleware: list[dramatiq.Middleware] | None = None
) -> dramatiq.Broker:
    """Return the broker for these settings, with Dramatiq's default middleware.

    `middleware` is added after the request id middleware, for example to give
    jobs what the framework needs around each one.
    """
    if settings.redis_url is None:
        broker: dramatiq.Broker = StubBroker()
    else:
        broker = RedisBroker(
            client=redis.Redis.from_url(
                settings.redis_url,
                socket_connect_timeout=2,
                socket_timeout=10,
                health_check_interval=30,
            ),
            heartbeat_timeout=settings.worker_heartbeat_timeout * 1000,
            # Look for dead workers' jobs on every call, not on 0.1% of them, so
            # that they go back on the queue soon after the heartbeat timeout.
            maintenance_chance=MAINTENANCE_SCALE,
        )
    for extra in [RequestIdMiddleware(), *(middleware or [])]:
        broker.add_middleware(extra)
    return broker


def enqueue(actor: dramatiq.Actor, *args: Any) -> None:
    """Send a job to the queue; without one, run it here and now."""
    if isinstance(actor.broker, StubBroker):
        actor(*args)
    else:
        actor.send(*args)


def run(broker: dramatiq.Broker) -> None:
    """Run jobs until SIGTERM or SIGINT, then finish the current ones and return."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())

    if not isinstance(broker, RedisBroker):
        log.info(
            "REDIS_URL is not set: jobs run in the web process that enqueues them;"
            " this worker has nothing to do and waits to be stopped"
        )
        stopping.wait()
        return

    worker = dramatiq.Worker(broker, worker_threads=THREADS)
    worker.start()
    queues = sorted(broker.get_declared_queues())
    log.info("worker started: %d threads on queues %s", THREADS, queues)
    stopping.wait()
    # Its consumers keep sending heartbeats until the jobs in progress are done.
    log.info("worker stopping: finishing the jobs in progress")
    worker.stop()
    log.info("worker stopped")
