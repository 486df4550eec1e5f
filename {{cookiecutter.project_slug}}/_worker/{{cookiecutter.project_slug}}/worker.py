"""The job queue and the worker process type (factor VIII: concurrency).

Jobs are ordinary Dramatiq actors: declare one with `@dramatiq.actor` and queue
it with `some_job.send(...)`. With `REDIS_URL` set, jobs go on a queue in Redis
and the Procfile's `worker` process runs them; scale it by running more worker
processes. Without `REDIS_URL` (local development), jobs go on Dramatiq's
in-memory broker and a worker thread in each web process runs them, with the
same middleware, retries and time limit. See docs/jobs.md.

On SIGTERM the worker takes no new job, finishes the ones it is running and
puts back the ones it had fetched but not started, then exits 0. A worker that
dies without that (SIGKILL, a lost machine) stops sending heartbeats; once
`WORKER_HEARTBEAT_TIMEOUT` seconds have passed, another worker puts its jobs
back on the queue. A job may therefore run more than once: keep jobs idempotent.
"""

import logging
import signal
import threading
from typing import TYPE_CHECKING, Any, cast

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.brokers.stub import StubBroker

from {{cookiecutter.project_slug}}.limits import REDIS_TIMEOUT
from {{cookiecutter.project_slug}}.logs import request_id

if TYPE_CHECKING:
    from dramatiq.brokers.redis import RedisBroker

# Threads per worker process; jobs that wait on the database overlap.
THREADS = 4
# Jobs are cut off after this long (the TimeLimit middleware), and retried with
# a growing delay when they fail, at most this many times.
TIME_LIMIT_MS = 60_000
MAX_RETRIES = 3
# A mail job retries 0.5 to 1 s after a failure, then after twice as long each
# time, giving up within about 10 s; raise it for a mail server away for longer.
MAIL_MIN_BACKOFF_MS = 500
# Waiting for the queue's answer: Redis runs Dramatiq's scripts, which take
# longer than a cache read under load.
QUEUE_TIMEOUT = 10

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
        self, broker: dramatiq.Broker, message: MessageProxy
    ) -> None:
        request_id.set(message.options.get("request_id"))

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any | None = None,
        exception: BaseException | None = None,
    ) -> None:
        request_id.set(None)

    after_skip_message = after_process_message


def redis_broker_options(redis_url: str, heartbeat_timeout: int) -> dict[str, Any]:
    """Return the options of Dramatiq's RedisBroker for this service.

    `heartbeat_timeout` is WORKER_HEARTBEAT_TIMEOUT, in seconds.
    """
    import redis  # only with Redis: see config.redis_url
    from dramatiq.brokers.redis import MAINTENANCE_SCALE

    return {
        "client": redis.Redis.from_url(
            redis_url,
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=QUEUE_TIMEOUT,
            health_check_interval=30,
        ),
        "heartbeat_timeout": heartbeat_timeout * 1000,
        # Look for dead workers' jobs on every call, not on 0.1% of them, so
        # that they go back on the queue soon after the heartbeat timeout.
        "maintenance_chance": MAINTENANCE_SCALE,
    }


def run_in_process(broker: dramatiq.Broker) -> None:
    """Without a queue service, start a worker thread here to run the jobs.

    The web process calls this: in local development its own jobs then run a
    moment after they are sent, as they would on a worker.
    """
    if isinstance(broker, StubBroker):
        # As Dramatiq's own worker process does: it starts the time limit's timer.
        broker.emit_after("process_boot")
        dramatiq.Worker(broker, worker_threads=1).start()


def run(broker: dramatiq.Broker, metrics_port: int | None = None) -> None:
    """Run jobs until SIGTERM or SIGINT, then finish the current ones and return."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())

    if isinstance(broker, StubBroker):
        log.info(
            "REDIS_URL is not set: each web process runs its own jobs;"
            " this worker has nothing to do and waits to be stopped"
        )
        stopping.wait()
        return

    if metrics_port:
        from {{cookiecutter.project_slug}} import job_metrics

        # A RedisBroker: with a StubBroker, run() has returned above.
        job_metrics.serve(cast("RedisBroker", broker), metrics_port + 1)
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_threads=THREADS)
    worker.start()
    queues = sorted(broker.get_declared_queues())
    log.info("worker started: %d threads on queues %s", THREADS, queues)
    stopping.wait()
    # Its consumers keep sending heartbeats until the jobs in progress are done.
    log.info("worker stopping: finishing the jobs in progress")
    worker.stop()
    log.info("worker stopped")
