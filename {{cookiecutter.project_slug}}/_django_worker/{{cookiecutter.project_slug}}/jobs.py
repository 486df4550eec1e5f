"""The jobs the worker process runs (factor VIII: concurrency).

Dramatiq binds an actor to its broker when the actor is declared, so the broker
is made here, once per process, from the settings, which are process-wide too.
"""

import logging
from typing import Any

import dramatiq
from django.db import close_old_connections, connections
from django.db.models import F
from django.utils import timezone
from dramatiq.worker import WorkerThread

from . import worker
from .config import load_settings
from .models import Report, Visit

logger = logging.getLogger(__name__)


class DatabaseConnectionsMiddleware(dramatiq.Middleware):
    """Treat each job as Django treats a request, for its database connections.

    Before and after each job, drop the thread's connection if it is broken or
    older than `CONN_MAX_AGE`; close it when the worker thread stops.
    """

    def before_process_message(
        self, broker: dramatiq.Broker, message: dramatiq.Message
    ) -> None:
        close_old_connections()

    def after_process_message(
        self, broker: dramatiq.Broker, message: dramatiq.Message, **kwargs: Any
    ) -> None:
        close_old_connections()

    after_skip_message = after_process_message

    def before_worker_thread_shutdown(
        self, broker: dramatiq.Broker, thread: WorkerThread
    ) -> None:
        connections.close_all()


broker = worker.make_broker(load_settings(), [DatabaseConnectionsMiddleware()])


@dramatiq.actor(
    broker=broker,
    queue_name=worker.QUEUE,
    time_limit=worker.TIME_LIMIT_MS,
    max_retries=worker.MAX_RETRIES,
)
def build_report(report_id: int) -> None:
    """Count the visits into the report; running it again on a done one does nothing."""
    # One UPDATE, committed at once, so that readers see the report running; it
    # leaves a done report alone, even one that another run has just finished.
    started = (
        Report.objects.filter(pk=report_id)
        .exclude(status=Report.Status.DONE)
        .update(status=Report.Status.RUNNING, runs=F("runs") + 1)
    )
    if not started:
        if Report.objects.filter(pk=report_id).exists():
            logger.info("report %d is already done", report_id)
        else:
            logger.warning("report %d does not exist", report_id)
        return
    visits = Visit.objects.count()
    Report.objects.filter(pk=report_id).update(
        status=Report.Status.DONE, visits=visits, finished_at=timezone.now()
    )
    logger.info("report %d done: %d visits", report_id, visits)
