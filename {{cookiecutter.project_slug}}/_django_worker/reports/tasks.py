"""The reports app's jobs: Dramatiq actors, queued with `.send()` (factor VIII).

django-dramatiq makes the broker from DRAMATIQ_BROKER in the settings. A job may
run more than once (see the project's worker.py): keep each one idempotent.
"""

import logging

import dramatiq
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone

from {{ cookiecutter.project_slug }}.worker import (
    MAIL_MIN_BACKOFF_MS,
    MAX_RETRIES,
    TIME_LIMIT_MS,
)

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
    # Its own job, so that a mail failure is retried without redoing the report.
    mail_status = "sending" if settings.REPORTS_MAIL_TO else None
    Report.objects.filter(pk=report_id).update(
        status=Report.Status.DONE,
        visits=visits,
        finished_at=timezone.now(),
        mail_status=mail_status,
    )
    logger.info("report %d done: %d visits", report_id, visits)
    if mail_status:
        mail_report.send(report_id)


@dramatiq.actor(
    time_limit=TIME_LIMIT_MS,
    max_retries=MAX_RETRIES,
    min_backoff=MAIL_MIN_BACKOFF_MS,
    on_retry_exhausted="report_not_mailed",
)
def mail_report(report_id: int) -> None:
    """Mail the done report to the operators in REPORTS_MAIL_TO, once."""
    report = Report.objects.get(pk=report_id)
    if report.mail_status == "sent":
        return
    subject = f"Report {report.id}: {report.visits} visits"
    try:
        send_mail(subject, f"{subject}.", None, settings.REPORTS_MAIL_TO)
    except Exception as error:  # Retried by Dramatiq; the type and text name the cause.
        logger.warning("report %d not mailed: %r", report_id, error)
        raise
    Report.objects.filter(pk=report_id).update(mail_status="sent")
    logger.info("report %d mailed", report_id)


@dramatiq.actor
def report_not_mailed(message: dict, retry_info: dict) -> None:
    """Record that the report's mail failed every retry."""
    report_id, retries = message["args"][0], retry_info["retries"]
    Report.objects.filter(pk=report_id).update(mail_status="failed")
    logger.error("report %d not mailed: gave up after %d retries", report_id, retries)
