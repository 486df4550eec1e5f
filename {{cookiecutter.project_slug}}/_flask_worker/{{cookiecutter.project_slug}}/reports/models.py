"""The report model: one count of the visits, made by a job."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.models import utc_now


class Report(db.Model):  # type: ignore[name-defined]  # Flask-SQLAlchemy makes it at run time
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
    # Mailed to REPORTS_MAIL_TO: sending, sent or failed; None: no one to mail.
    mail_status: Mapped[str | None] = mapped_column(String(16))

    def as_json(self) -> dict[str, object]:
        """Return the report as the endpoints show it, times in UTC."""
        return {
            "id": self.id,
            "status": self.status,
            "runs": self.runs,
            "visits": self.visits,
            "request_id": self.request_id,
            "created_at": iso_utc(self.created_at),
            "finished_at": iso_utc(self.finished_at),
            "mail_status": self.mail_status,
        }


def iso_utc(moment: datetime | None) -> str | None:
    """Return the time in ISO 8601, in UTC, or None."""
    if moment is None:
        return None
    # SQLite gives times back without their zone; they were stored in UTC.
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC).isoformat()
