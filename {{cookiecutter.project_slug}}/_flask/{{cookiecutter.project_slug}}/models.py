"""Database models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from {{cookiecutter.project_slug}}.extensions import db


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class Visit(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy makes it at run time
    """One request for the home page."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )
