"""Reports: asked for over HTTP, made by a background job (factor VIII: concurrency)."""

import logging
from typing import cast

from flask import Blueprint, Flask, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from {{cookiecutter.project_slug}} import broker, errors
from {{cookiecutter.project_slug}}.extensions import cache, db
from {{cookiecutter.project_slug}}.limits import redis_errors
from {{cookiecutter.project_slug}}.logs import request_id
from {{cookiecutter.project_slug}}.reports.jobs import build_report
from {{cookiecutter.project_slug}}.reports.models import Report

bp = Blueprint("reports", __name__)
# The app that serves reports runs their jobs, and gets the `worker` command.
bp.record_once(lambda state: broker.init_app(cast(Flask, state.app)))
log = logging.getLogger(__name__)


@bp.post("/reports")
def create() -> ResponseReturnValue:
    """Record a new report and queue the job that makes it."""
    report = Report(request_id=request_id.get())
    db.session.add(report)
    db.session.commit()
    try:
        build_report.send(report.id)
    except redis_errors() as error:
        # The type only: the message may contain the URL, password included.
        log.warning("report %s not queued: %s", report.id, type(error).__name__)
        report.status = "failed"
        db.session.commit()
        return {"error": "the job queue is unavailable"}, 503
    location = url_for("reports.show", report_id=report.id)
    return report.as_json(), 202, {"Location": location}


def is_done(answer: object) -> bool:
    """Tell whether the answer is a done report whose mail is settled: it is final."""
    if not isinstance(answer, dict):
        return False
    return answer["status"] == "done" and answer["mail_status"] != "sending"


# A cache that fails (Redis down) counts as a miss: the database still answers.
@bp.get("/reports/<int:report_id>")
@cache.cached(timeout=3600, response_filter=is_done)
def show(report_id: int) -> ResponseReturnValue:
    """Return a report; a done one from the cache when it is there."""
    report = db.session.get(Report, report_id)
    if report is None:
        return {"error": "not found"}, 404
    return report.as_json()


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def database_unavailable(error: DBAPIError) -> ResponseReturnValue:
    """Answer 503 in JSON, like the rest of this API, while the database is down."""
    errors.database_down(error)
    return {"error": "the database is unavailable"}, 503
