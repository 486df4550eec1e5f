"""Admin commands, run as one-off processes with the app's settings (factor XII)."""

from datetime import UTC, datetime, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import delete

from {{cookiecutter.project_slug}}.audit_command import twelvefactor_command
from {{cookiecutter.project_slug}}.config import load_settings
from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.models import Visit


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
    result = db.session.execute(delete(Visit).where(Visit.created_at < cutoff))
    db.session.commit()
    count = result.rowcount
    click.echo(f"deleted {count} visit{'s' * (count != 1)} older than {days} days")


def init_app(app: Flask) -> None:
    """Add the admin commands to the app's `flask` command."""
    app.cli.add_command(check_config_command)
    app.cli.add_command(prune_visits_command)
    app.cli.add_command(twelvefactor_command)
