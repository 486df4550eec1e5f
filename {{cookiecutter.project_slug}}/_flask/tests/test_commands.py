"""Admin commands run with the app's own settings (factor XII: admin processes)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from {{cookiecutter.project_slug}}.config import Settings
from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.models import Visit

STRONG_KEY = "k3y-" + "x1y2z3" * 10


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """Start from an empty configuration in a directory with no `.env` file."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch.setenv


def test_check_config_prints_settings(runner, environ):
    """It says the configuration is valid and lists it, secrets masked."""
    environ("SECRET_KEY", STRONG_KEY)
    environ("DATABASE_URL", "postgres://app:db-password@db:5432/app")
    environ("ALLOWED_HOSTS", "example.com")
    result = runner.invoke(args=["check-config"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "configuration is valid"
    shown = dict(line.split("=", 1) for line in lines[1:])
    assert set(shown["SECRET_KEY"]) == {"*"}
    assert shown["DATABASE_URL"].startswith("postgresql+psycopg://app:***@db:5432/app")
    assert STRONG_KEY not in result.output
    assert "db-password" not in result.output


def test_check_config_rejects_bad_environment(runner, environ):
    """It exits 1 with one message naming every bad variable, and no secret."""
    environ("SECRET_KEY", "too-weak")
    environ("DATABASE_URL", "nonsense")
    result = runner.invoke(args=["check-config"])
    assert result.exit_code == 1
    assert result.output.startswith("Configuration error: 3 environment variables")
    for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"):
        assert name in result.output
    assert "too-weak" not in result.output
    assert "Traceback" not in result.output


def test_prune_visits_deletes_only_old_rows(app, runner):
    """It deletes the visits older than --days and says how many."""
    now = datetime.now(UTC)
    with app.app_context():
        db.session.add_all(
            Visit(path=f"/{age}", created_at=now - timedelta(days=age))
            for age in (1, 29, 31, 400)
        )
        db.session.commit()

    result = runner.invoke(args=["prune-visits", "--days", "30"])

    assert result.exit_code == 0
    assert result.output == "deleted 2 visits older than 30 days\n"
    with app.app_context():
        kept = db.session.scalars(select(Visit.path).order_by(Visit.path)).all()
    assert kept == ["/1", "/29"]


def test_prune_visits_defaults_to_30_days(app, runner):
    """Without --days it keeps the last 30 days."""
    with app.app_context():
        db.session.add(Visit(path="/", created_at=datetime.now(UTC) - timedelta(31)))
        db.session.commit()
    result = runner.invoke(args=["prune-visits"])
    assert result.output == "deleted 1 visit older than 30 days\n"


def test_twelvefactor_exits_by_failures(runner, environ):
    """It exits 0 with warnings only, 1 once a check fails, and speaks JSON."""
    environ("SECRET_KEY", STRONG_KEY)
    environ("DATABASE_URL", "sqlite:///db.sqlite3")
    environ("ALLOWED_HOSTS", "example.com")
    result = runner.invoke(args=["twelvefactor", "--json"])
    assert result.exit_code == 0, result.output
    statuses = {f["check"]: f["status"] for f in json.loads(result.output)}
    assert statuses["database"] == "warn"
    assert "fail" not in statuses.values()

    environ("DEBUG", "true")
    result = runner.invoke(args=["twelvefactor"])
    assert result.exit_code == 1
    assert "Dev/prod parity      FAIL  DEBUG is on" in result.output
    assert STRONG_KEY not in result.output
