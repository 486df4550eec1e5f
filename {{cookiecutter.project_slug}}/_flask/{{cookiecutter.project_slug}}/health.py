"""Liveness and readiness endpoints for the platform (factor IX: disposability)."""

import logging

from flask import Blueprint
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
    """Report whether the database answers a query."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        # The type only: the message may contain the database URL.
        log.warning("readiness check failed: database (%s)", type(error).__name__)
        return {"status": "unavailable", "checks": {"database": "unavailable"}}, 503
    return {"status": "ok", "checks": {"database": "ok"}}, 200
