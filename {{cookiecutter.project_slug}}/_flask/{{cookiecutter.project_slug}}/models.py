"""Database models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from {{cookiecutter.project_slug}}.extensions import db


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class Visit(db.Model):
    """One request for the home page."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )
{%- if cookiecutter.worker %}


class Report(db.Model):
    """A count of the visits, asked for over HTTP and made by a job (`jobs.py`)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # queued, running, done; failed when the job could not be queued.
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # How many times the job started on it: more than once after a retry, or after
    # a worker died and another one took the job over.
    runs: Mapped[int] = mapped_column(default=0)
    visits: Mapped[int | None]
    # The request that asked for it: its id is in the log lines of the job too.
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
{%- endif %}
