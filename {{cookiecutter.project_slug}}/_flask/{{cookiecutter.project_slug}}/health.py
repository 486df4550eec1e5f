"""Liveness and readiness endpoints for the platform (factor IX: disposability)."""

import logging

import redis
from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from {{cookiecutter.project_slug}}.extensions import db, talisman

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


# Platforms probe over plain HTTP, so both endpoints skip the HTTPS redirect.
@bp.get("/healthz")
@talisman(force_https=False)
def healthz() -> dict[str, str]:
    """Report that the process is up, without touching any backing service."""
    return {"status": "ok"}


@bp.get("/readyz")
@talisman(force_https=False)
def readyz() -> tuple[dict[str, object], int]:
    """Report whether the database, and Redis when REDIS_URL is set, answer."""
    checks = {"database": check_database()}
    # Made once per process by `create_app`, only when REDIS_URL is set.
    client = current_app.extensions.get("redis")
    if client is not None:
        checks["redis"] = check_redis(client)
    if all(status == "ok" for status in checks.values()):
        return {"status": "ok", "checks": checks}, 200
    return {"status": "unavailable", "checks": checks}, 503


def check_database() -> str:
    """Return "ok" if the database answers a query, else "unavailable"."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return failed("database", error)
    return "ok"


def check_redis(client: redis.Redis) -> str:
    """Return "ok" if Redis answers a PING, else "unavailable"."""
    try:
        client.ping()
    except redis.RedisError as error:
        return failed("redis", error)
    return "ok"


def failed(check: str, error: Exception) -> str:
    """Log that a check failed and return its status."""
    # The type only: the message may contain the URL, password included.
    log.warning("readiness check failed: %s (%s)", check, type(error).__name__)
    return "unavailable"
