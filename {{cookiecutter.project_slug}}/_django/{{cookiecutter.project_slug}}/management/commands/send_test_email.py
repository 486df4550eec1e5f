"""Send a test message through EMAIL_URL (factor XII: admin processes)."""

from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Send a test message through EMAIL_URL, to check the mail setup by hand."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, help="The address to send it to.")

    def handle(self, *args: object, **options: str) -> None:
        """Send one message from DEFAULT_FROM_EMAIL to the given address."""
        try:
            send_mail("Test message", "EMAIL_URL works.", None, [options["to"]])
        except Exception as error:  # Whatever the backend raises, without a traceback.
            raise CommandError(f"not sent: {error!r}") from None
        self.stdout.write(f"sent a test message to {options['to']}")
