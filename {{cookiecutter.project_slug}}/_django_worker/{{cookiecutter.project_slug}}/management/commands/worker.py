"""Run the queued jobs: the Procfile's worker process (factor VIII: concurrency)."""

import dramatiq
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from {{ cookiecutter.project_slug }} import worker


class Command(BaseCommand):
    help = "Run queued jobs until SIGTERM or SIGINT, then finish the current ones."

    def handle(self, *args: object, **options: object) -> None:
        """Load every app's `tasks` module, then run its jobs until stopped."""
        autodiscover_modules("tasks")
        worker.run(dramatiq.get_broker(), settings.METRICS_PORT)
