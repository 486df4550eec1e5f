"""The reports app's jobs: Dramatiq actors, queued with `.send()` (factor VIII).

django-dramatiq makes the broker from DRAMATIQ_BROKER in the settings. A job may
run more than once (see the project's worker.py): keep each one idempotent.
"""

import logging

import dramatiq
from django.db.models import F
from django.utils import timezone

from {{ cookiecutter.project_slug }}.worker import MAX_RETRIES, TIME_LIMIT_MS

from visits.models import Visit

from .models import Report

logger = logging.getLogger(__name__)


@dramatiq.actor(time_limit=TIME_LIMIT_MS, max_retries=MAX_RETRIES)
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
