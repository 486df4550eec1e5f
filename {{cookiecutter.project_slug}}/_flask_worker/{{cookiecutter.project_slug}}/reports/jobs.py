"""The reports' background job, run by a worker (factor VIII: concurrency)."""

import logging

import dramatiq
from sqlalchemy import func, select, update

# Makes the broker that the actors below bind to: import it before any actor.
from {{cookiecutter.project_slug}} import broker  # noqa: F401
from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.models import Visit, utc_now
from {{cookiecutter.project_slug}}.reports.models import Report

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
    if started.rowcount == 0:
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
    db.session.commit()
    log.info("report %s done: %s visits", report_id, visits)
