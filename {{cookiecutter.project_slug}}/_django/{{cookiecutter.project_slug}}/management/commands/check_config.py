"""Validate the environment as the web process does (factor XII: admin processes)."""

from django.core.management.base import BaseCommand

from {{ cookiecutter.project_slug }}.config import load_settings


class Command(BaseCommand):
    help = "Validate the environment and print the effective settings, secrets masked."

    def handle(self, *args: object, **options: object) -> None:
        """Print `configuration is valid`, then one NAME=value line per setting."""
        settings = load_settings()
        self.stdout.write("configuration is valid")
        for name, value in settings.describe().items():
            self.stdout.write(f"{name}={value}")
