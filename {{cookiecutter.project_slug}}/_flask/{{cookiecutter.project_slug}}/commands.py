"""Admin commands, run as one-off processes with the app's settings (factor XII)."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import CursorResult, delete

from {{cookiecutter.project_slug}}.audit_command import twelvefactor_command
from {{cookiecutter.project_slug}}.config import load_settings
from {{cookiecutter.project_slug}}.extensions import db, mailman
from {{cookiecutter.project_slug}}.models import Visit


def init_app(app: Flask, *, migrations: bool) -> None:
    """Add the admin commands to `flask`, with Flask-Migrate's `db` if asked."""
    app.cli.add_command(check_config_command)
    app.cli.add_command(prune_visits_command)
    app.cli.add_command(send_test_email_command)
    app.cli.add_command(twelvefactor_command)
    if migrations:
        # Alembic announces each of its plugins at INFO when it is imported.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        from flask_migrate import Migrate

        # Batch mode lets migrations alter tables on SQLite as well.
        Migrate(app, db, render_as_batch=True)


@click.command("check-config")
def check_config_command() -> None:
    """Validate the environment and print the effective settings, secrets masked."""
    settings = load_settings()
    click.echo("configuration is valid")
    for name, value in settings.describe().items():
        click.echo(f"{name}={value}")


@click.command("prune-visits")
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(min=0),
    help="Keep the visits of this many past days.",
)
@with_appcontext
def prune_visits_command(days: int) -> None:
    """Delete the visits older than the given number of days."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    # A DELETE gives a CursorResult, which has the row count.
    result = db.session.execute(delete(Visit).where(Visit.created_at < cutoff))
    count = cast(CursorResult[Any], result).rowcount
    db.session.commit()
    click.echo(f"deleted {count} visit{'s' * (count != 1)} older than {days} days")


@click.command("send-test-email")
@click.option("--to", "address", required=True, help="The address to send it to.")
@with_appcontext
def send_test_email_command(address: str) -> None:
    """Send a test message through EMAIL_URL, to check the mail setup by hand."""
    try:
        mailman.send_mail("Test message", "EMAIL_URL works.", None, [address])
    except Exception as error:  # Whatever the backend raises, without a traceback.
        raise click.ClickException(f"not sent: {error!r}") from None
    click.echo(f"sent a test message to {address}")
