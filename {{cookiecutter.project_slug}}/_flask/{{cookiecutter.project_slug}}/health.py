"""Liveness and readiness endpoints for the platform (factor IX: disposability)."""

import logging
from collections.abc import Callable

from flask import Blueprint, current_app
from flask.blueprints import BlueprintSetupState
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.limits import REDIS_TIMEOUT, redis_errors

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
SELECT_1 = text("SELECT 1")


@bp.record_once
def connect_redis(state: BlueprintSetupState) -> None:
    """Make the client for the Redis check, once per process, when REDIS_URL is set."""
    if url := state.app.config["REDIS_URL"]:
        import redis  # only with Redis: see config.redis_url

        state.app.extensions["redis"] = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )


# Platforms probe both over plain HTTP: see security.PLAIN_HTTP_PATHS.
@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Report that the process is up, without touching any backing service."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int]:
    """Report whether the database, and Redis when REDIS_URL is set, answer."""
    checks = {"database": check("database", query_database, (SQLAlchemyError,))}
    if client := current_app.extensions.get("redis"):
        checks["redis"] = check("redis", client.ping, redis_errors())
    if all(status == "ok" for status in checks.values()):
        return {"status": "ok", "checks": checks}, 200
    return {"status": "unavailable", "checks": checks}, 503


def check(
    name: str, probe: Callable[[], object], errors: tuple[type[Exception], ...]
) -> str:
    """Return "ok" if the probe works, else log why not and return "unavailable"."""
    try:
        probe()
    except errors as error:
        # The type only: the message may contain the URL, password included.
        log.warning("readiness check failed: %s (%s)", name, type(error).__name__)
        return "unavailable"
    return "ok"


def query_database() -> None:
    """Run the cheapest query there is."""
    db.session.execute(SELECT_1)
