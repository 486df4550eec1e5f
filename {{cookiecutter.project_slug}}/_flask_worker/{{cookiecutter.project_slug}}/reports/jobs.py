"""The reports' background job, run by a worker (factor VIII: concurrency)."""

import logging
from typing import Any, cast

import dramatiq
from flask import current_app as app
from sqlalchemy import CursorResult, func, select, update

# Makes the broker that the actors below bind to: import it before any actor.
from {{cookiecutter.project_slug}} import broker  # noqa: F401
from {{cookiecutter.project_slug}}.extensions import db, mailman
from {{cookiecutter.project_slug}}.models import Visit, utc_now
from {{cookiecutter.project_slug}}.reports.models import Report
from {{cookiecutter.project_slug}}.worker import MAIL_MIN_BACKOFF_MS

log = logging.getLogger(__name__)


@dramatiq.actor
def build_report(report_id: int) -> None:
    """Count the visits into the report; do nothing if it is missing or done."""
    # A job may run more than once (a retry, or a dead worker's job taken over):
    # starting, counted in `runs`, is one atomic statement, and never redoes a
    # done report.
    started = db.session.execute(
        update(Report)
        .where(Report.id == report_id, Report.status != "done")
        .values(status="running", runs=Report.runs + 1)
    )
    db.session.commit()
    # An UPDATE gives a CursorResult, which has the row count.
    if cast(CursorResult[Any], started).rowcount == 0:
        if db.session.get(Report, report_id) is None:
            log.warning("report %s does not exist: nothing to do", report_id)
        else:
            log.info("report %s is already done", report_id)
        return

    visits = db.session.scalar(select(func.count()).select_from(Visit))
    report = db.session.get_one(Report, report_id)
    report.visits = visits
    report.status = "done"
    report.finished_at = utc_now()
    # Its own job, so that a mail failure is retried without redoing the report.
    if app.config["REPORTS_MAIL_TO"]:
        report.mail_status = "sending"
    db.session.commit()
    log.info("report %s done: %s visits", report_id, visits)
    if report.mail_status:
        mail_report.send(report_id)


@dramatiq.actor(min_backoff=MAIL_MIN_BACKOFF_MS, on_retry_exhausted="report_not_mailed")
def mail_report(report_id: int) -> None:
    """Mail the done report to the operators in REPORTS_MAIL_TO, once."""
    report = db.session.get_one(Report, report_id)
    if report.mail_status == "sent":
        return
    subject = f"Report {report.id}: {report.visits} visits"
    try:
        mailman.send_mail(subject, f"{subject}.", None, app.config["REPORTS_MAIL_TO"])
    except Exception as error:  # Retried by Dramatiq; the type and text name the cause.
        log.warning("report %s not mailed: %r", report_id, error)
        raise
    report.mail_status = "sent"
    db.session.commit()
    log.info("report %s mailed", report_id)


@dramatiq.actor
def report_not_mailed(message: dict, retry_info: dict) -> None:
    """Record that the report's mail failed every retry."""
    report_id, retries = message["args"][0], retry_info["retries"]
    db.session.get_one(Report, report_id).mail_status = "failed"
    db.session.commit()
    log.error("report %s not mailed: gave up after %s retries", report_id, retries)
