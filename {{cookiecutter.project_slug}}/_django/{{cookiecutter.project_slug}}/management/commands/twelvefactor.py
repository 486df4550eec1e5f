"""Audit the settings and project against the twelve factors (factor XII)."""

import sys

from django.core.management.base import BaseCommand, CommandParser

from {{ cookiecutter.project_slug }} import audit
from {{ cookiecutter.project_slug }}.config import environment_names, load_settings

RELEASE_COMMAND = "python manage.py migrate --noinput"


class Command(BaseCommand):
    help = "Check settings and project against the twelve factors; exit 1 on a fail."

    def add_arguments(self, parser: CommandParser) -> None:
        """Accept --json, for machines."""
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print JSON"
        )

    def handle(self, *args: object, as_json: bool, **options: object) -> None:
        """Print one line per finding, or JSON; exit 1 if any check failed."""
        context = audit.Context(
            settings=load_settings(),
            root=audit.PROJECT_ROOT,
            environment=environment_names(),
            stdout_is_tty=self.stdout.isatty(),
            release_command=RELEASE_COMMAND,
        )
        findings = audit.audit(context)
        self.stdout.write(
            audit.render_json(findings) if as_json else audit.render_text(findings)
        )
        if audit.failed(findings):
            sys.exit(1)
