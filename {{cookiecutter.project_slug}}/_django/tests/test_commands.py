"""Admin processes run as one-off commands with the web process's settings (XII)."""

import io
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from {{ cookiecutter.project_slug }}.models import Visit


def test_check_config_prints_the_effective_settings():
    """It says the configuration is valid and lists each setting, secrets masked."""
    out = io.StringIO()
    call_command("check_config", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "configuration is valid"
    assert "SECRET_KEY=********" in lines
    assert "DEBUG=False" in lines
    assert "LOG_FORMAT=json" in lines
    assert settings.SECRET_KEY not in out.getvalue()


def test_check_config_exits_1_with_one_message_on_bad_config():
    """With a weak key and a bad database URL, it exits 1 naming both, no traceback."""
    env = {**os.environ, "SECRET_KEY": "too-short", "DATABASE_URL": "nonsense"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check_config"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Configuration error: 2 environment variables")
    assert "SECRET_KEY" in result.stderr
    assert "DATABASE_URL" in result.stderr
    assert "too-short" not in result.stderr
    assert "Traceback" not in result.stderr


def visit(days_ago: float) -> Visit:
    """Store a visit made the given number of days ago."""
    return Visit.objects.create(
        path="/", created_at=timezone.now() - timedelta(days=days_ago)
    )


@pytest.mark.django_db
def test_prune_visits_deletes_only_old_visits():
    """By default it deletes visits older than 30 days and says how many."""
    visit(31)
    visit(45)
    recent = visit(29)
    out = io.StringIO()
    call_command("prune_visits", stdout=out)
    assert out.getvalue() == "deleted 2 visits older than 30 days\n"
    assert list(Visit.objects.all()) == [recent]


@pytest.mark.django_db
def test_prune_visits_honours_days():
    """--days sets the age beyond which visits are deleted."""
    visit(8)
    recent = visit(6)
    out = io.StringIO()
    call_command("prune_visits", "--days", "7", stdout=out)
    assert out.getvalue() == "deleted 1 visit older than 7 days\n"
    assert list(Visit.objects.all()) == [recent]


def test_prune_visits_rejects_negative_days():
    """A negative --days is refused before anything is deleted."""
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        call_command("prune_visits", "--days", "-1")


def test_twelvefactor_exits_by_failures(monkeypatch):
    """It exits 0 with warnings only, 1 once a check fails, and speaks JSON."""
    out = io.StringIO()
    call_command("twelvefactor", "--json", stdout=out)
    statuses = {f["check"]: f["status"] for f in json.loads(out.getvalue())}
    assert statuses["https"] == "warn"
    assert "fail" not in statuses.values()

    monkeypatch.setenv("DEBUG", "true")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("twelvefactor", stdout=out)
    assert exit_info.value.code == 1
    assert "Dev/prod parity      FAIL  DEBUG is on" in out.getvalue()
    assert settings.SECRET_KEY not in out.getvalue()
