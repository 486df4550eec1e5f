"""Delete old visits, a one-off admin task (factor XII: admin processes)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from visits.models import Visit


class Command(BaseCommand):
    help = "Delete visits older than --days days and say how many."

    def add_arguments(self, parser: CommandParser) -> None:
        """Accept --days, the age in days beyond which visits go."""
        parser.add_argument(
            "--days", type=int, default=30, help="age in days (default: 30)"
        )

    def handle(self, *args: object, days: int, **options: object) -> None:
        """Delete the visits older than `days` days and print how many."""
        if days < 0:
            raise CommandError("--days must be 0 or more")
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = Visit.objects.filter(created_at__lt=cutoff).delete()
        noun = "visit" if deleted == 1 else "visits"
        self.stdout.write(f"deleted {deleted} {noun} older than {days} days")
