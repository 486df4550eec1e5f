"""Reports: asked for over HTTP, made by a background job (factor VIII: concurrency)."""

import logging
from datetime import UTC, datetime

import redis
from flask import Blueprint, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from {{cookiecutter.project_slug}} import errors, worker
from {{cookiecutter.project_slug}}.extensions import cache, db
from {{cookiecutter.project_slug}}.jobs import build_report
from {{cookiecutter.project_slug}}.logs import request_id
from {{cookiecutter.project_slug}}.models import Report

bp = Blueprint("reports", __name__)
log = logging.getLogger(__name__)

# A done report never changes again, so it may be served from the cache.
CACHE_SECONDS = 3600


@bp.post("/reports")
def create() -> ResponseReturnValue:
    """Record a new report and queue the job that makes it."""
    report = Report(request_id=request_id.get())
    db.session.add(report)
    db.session.commit()
    try:
        # Without REDIS_URL the job runs right here, before this returns.
        worker.enqueue(build_report, report.id)
    except redis.RedisError as error:
        # The type only: the message may contain the URL, password included.
        log.warning("report %s not queued: %s", report.id, type(error).__name__)
        report.status = "failed"
        db.session.commit()
        return {"error": "the job queue is unavailable"}, 503
    location = url_for("reports.show", report_id=report.id)
    return as_json(report), 202, {"Location": location}


@bp.get("/reports/<int:report_id>")
def show(report_id: int) -> ResponseReturnValue:
    """Return a report; a done one from the cache when it is there."""
    key = f"report:{report_id}"
    cached = cache_get(key)
    if cached is not None:
        return cached
    report = db.session.get(Report, report_id)
    if report is None:
        return {"error": "not found"}, 404
    body = as_json(report)
    if report.status == "done":
        cache_set(key, body)
    return body


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def database_unavailable(error: DBAPIError) -> ResponseReturnValue:
    """Answer 503 in JSON, like the rest of this API, while the database is down."""
    errors.database_down(error)
    return {"error": "the database is unavailable"}, 503


def as_json(report: Report) -> dict[str, object]:
    """Return the report as the endpoints show it."""
    return {
        "id": report.id,
        "status": report.status,
        "runs": report.runs,
        "visits": report.visits,
        "request_id": report.request_id,
        "created_at": iso_utc(report.created_at),
        "finished_at": iso_utc(report.finished_at),
    }


def iso_utc(moment: datetime | None) -> str | None:
    """Return the time in ISO 8601, in UTC, or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        # SQLite gives times back without their zone; they were stored in UTC.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def cache_get(key: str) -> dict[str, object] | None:
    """Return the cached value, or None on a miss.

    A cache that fails (Redis down) counts as a miss: the database still answers.
    """
    try:
        return cache.get(key)
    except redis.RedisError as error:
        log.warning("cache read failed: %s", type(error).__name__)
        return None


def cache_set(key: str, value: dict[str, object]) -> None:
    """Cache the value for CACHE_SECONDS, unless the cache fails."""
    try:
        cache.set(key, value, timeout=CACHE_SECONDS)
    except redis.RedisError as error:
        log.warning("cache write failed: %s", type(error).__name__)
