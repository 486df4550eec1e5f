"""The home page: records each visit and shows how many there have been."""

import logging

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.models import Visit

bp = Blueprint("home", __name__)
log = logging.getLogger(__name__)


@bp.get("/")
def index() -> str:
    """Record this visit and show the visit count."""
    db.session.add(Visit(path=request.path))
    db.session.commit()
    visits = db.session.scalar(select(func.count()).select_from(Visit))
    log.info("visit recorded on %s, %s in total", request.path, visits)
    return render_template("home.html", visits=visits)
