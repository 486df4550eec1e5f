"""Run the queued jobs: the Procfile's worker process (factor VIII: concurrency)."""

from django.core.management.base import BaseCommand

from {{ cookiecutter.project_slug }} import worker
from {{ cookiecutter.project_slug }}.jobs import broker


class Command(BaseCommand):
    help = "Run queued jobs until SIGTERM or SIGINT, then finish the current ones."

    def handle(self, *args: object, **options: object) -> None:
        """Consume the job queue; return, and so exit 0, once stopped."""
        worker.run(broker)
