"""Admin processes run as one-off commands with the web process's settings (XII)."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command


def test_check_config_prints_the_effective_settings():
    """It says the configuration is valid and lists each setting, secrets masked."""
    out = io.StringIO()
    call_command("check_config", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "configuration is valid"
    assert "SECRET_KEY=**********" in lines
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
