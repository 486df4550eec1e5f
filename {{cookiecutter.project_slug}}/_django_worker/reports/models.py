"""The reports app's data: one row per report, updated by its job."""

from django.db import models
from django.utils import timezone


class Report(models.Model):
    """A count of the visits, asked for over HTTP and made by a job."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    # How many times the job started on it: more than once after a retry, or
    # after a worker died and its job went back on the queue.
    runs = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(null=True)
    # NULL, not "", when no request asked for it (a shell, a test): the API says null.
    request_id = models.CharField(max_length=128, null=True)  # noqa: DJ001
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True)
    # Mailed to REPORTS_MAIL_TO: sending, sent or failed; NULL: no one to mail.
    mail_status = models.CharField(max_length=16, null=True)  # noqa: DJ001

    def __str__(self) -> str:
        return f"report {self.pk} ({self.status})"
