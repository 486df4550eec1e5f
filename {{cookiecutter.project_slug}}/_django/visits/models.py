"""The visits app's data: one row per visit to the home page."""

from django.db import models
from django.utils import timezone


class Visit(models.Model):
    """A request for the home page, and when it came (in UTC)."""

    path = models.CharField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.path} at {self.created_at:%Y-%m-%d %H:%M:%S} UTC"
