"""The twelve-factor audit judges settings and the project tree, one check each."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.audit import (
    PROJECT_ROOT,
    Context,
    audit,
    failed,
    render_json,
    render_text,
)
from {{ cookiecutter.project_slug }}.config import Settings

STRONG_KEY = "k3y-" + "x1y2z3" * 10
DEV_KEY = "dev-" + "a1b2c3" * 10
TREE = (
    "Procfile",
    "pyproject.toml",
    "requirements.lock",
    "requirements-dev.lock",
    ".gitignore",
)


def production(**overrides: object) -> Settings:
    """Return production settings that ignore the environment and any `.env`."""
    values: dict[str, Any] = {
        "SECRET_KEY": STRONG_KEY,
        "DEBUG": False,
        "DATABASE_URL": "postgres://app:pw@db.internal:5432/app",
        "ALLOWED_HOSTS": ["example.com"],
        "LOG_FORMAT": "json",
        "WEB_CONCURRENCY": 2,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 3600,
        **overrides,
    }
    return Settings(**values, _env_file=None)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Return a copy of this project's Procfile, pyproject, locks and .gitignore."""
    for name in TREE:
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


def findings(
    root: Path,
    settings: Settings | None = None,
    environment: frozenset[str] = frozenset(),
    stdout_is_tty: bool = False,
) -> dict[str, tuple[str, str, str, str]]:
    """Return (factor, status, reason, fix) of each finding, by check name."""
    context = Context(
        settings=settings or production(),
        root=root,
        environment=environment,
        stdout_is_tty=stdout_is_tty,
        release_command="migrate",
    )
    return {f.check: (f.factor, f.status, f.reason, f.fix) for f in audit(context)}


def test_audit_passes_this_project_in_production():
    """This project, with production settings, passes every check."""
    statuses = {check: found[1] for check, found in findings(PROJECT_ROOT).items()}
    assert set(statuses.values()) == {"pass"}, statuses
    assert len(statuses) == 12


def test_audit_fails_debug(project):
    """DEBUG on fails (X); the production-only checks then stand down."""
    found = findings(project, production(DEBUG=True, SECURE_SSL_REDIRECT=False))
    assert found["debug"][:2] == ("X", "fail")
    assert "DEBUG=false" in found["debug"][3]
    assert found["https"][1] == "pass"


def test_audit_warns_about_sqlite_shared_by_processes(project):
    """SQLite with more than one web process warns (VI); with one it passes."""
    sqlite = "sqlite:///db.sqlite3"
    found = findings(project, production(DATABASE_URL=sqlite, WEB_CONCURRENCY=3))
    assert found["database"][:2] == ("VI", "warn")
    assert "WEB_CONCURRENCY=3" in found["database"][2]
    assert "postgres://" in found["database"][3]
    single = findings(project, production(DATABASE_URL=sqlite, WEB_CONCURRENCY=1))
    assert single["database"][1] == "pass"


def test_audit_warns_about_console_logs_off_a_terminal(project):
    """LOG_FORMAT=console warns (XI) unless a person reads stdout on a terminal."""
    console = production(LOG_FORMAT="console")
    assert findings(project, console)["log-format"][:2] == ("XI", "warn")
    assert findings(project, console, stdout_is_tty=True)["log-format"][1] == "pass"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_audit_fails_a_missing_lock(project, lock):
    """A missing lock file fails (II) and says how to make it."""
    (project / lock).unlink()
    factor, status, reason, fix = findings(project)[lock.removesuffix(".lock")]
    assert (factor, status) == ("II", "fail")
    assert f"{lock} is missing" in reason
    assert "make lock" in fix


def test_audit_fails_a_lock_missing_a_new_dependency(project):
    """A dependency added to pyproject.toml but not locked fails both locks (II)."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace("dependencies = [", 'dependencies = ["rich>=13",', 1)
    )
    found = findings(project)
    for check in ("requirements", "requirements-dev"):
        assert found[check][1] == "fail"
        assert "rich is not pinned" in found[check][2]


def test_audit_fails_a_pin_outside_the_declared_range(project):
    """A pinned version that pyproject.toml no longer allows fails (II)."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('"gunicorn>=', '"gunicorn>=999,<1000,>=', 1))
    found = findings(project)
    assert found["requirements"][1] == "fail"
    assert "gunicorn==" in found["requirements"][2]
    assert "is outside" in found["requirements"][2]


def test_audit_fails_a_new_dev_dependency_in_the_dev_lock_only(project):
    """A dev tool added but not locked fails the dev lock, not the runtime one."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace("dev = [", 'dev = ["coverage>=7",', 1))
    found = findings(project)
    assert found["requirements"][1] == "pass"
    assert found["requirements-dev"][1] == "fail"
    assert "coverage is not pinned" in found["requirements-dev"][2]


def test_audit_fails_a_procfile_without_release(project):
    """A Procfile with no release step fails (V), suggesting the migration command."""
    (project / "Procfile").write_text("web: gunicorn app.wsgi\n")
    factor, status, _, fix = findings(project)["release"]
    assert (factor, status) == ("V", "fail")
    assert fix == "add `release: migrate` to the Procfile"


def test_audit_fails_a_procfile_without_web(project):
    """A Procfile with no web process fails (VII)."""
    (project / "Procfile").write_text("release: migrate\n")
    found = findings(project)
    assert found["web"][:2] == ("VII", "fail")
    assert found["release"][1] == "pass"


def test_audit_fails_without_a_procfile(project):
    """Without a Procfile, both the release step and the web process fail."""
    (project / "Procfile").unlink()
    found = findings(project)
    assert found["release"][1] == found["web"][1] == "fail"
    assert "no Procfile" in found["web"][2]


def test_audit_warns_about_secrets_in_environment_and_dotenv(project):
    """A secret set in the environment and in `.env` warns (III), naming no value."""
    (project / ".env").write_text(
        f"SECRET_KEY={DEV_KEY}\nDATABASE_URL=postgres://app:dotenv-pw@db/app\n"
    )
    environment = frozenset({"SECRET_KEY", "DATABASE_URL", "DEBUG"})
    factor, status, reason, fix = findings(project, environment=environment)[
        "dotenv-secrets"
    ]
    assert (factor, status) == ("III", "warn")
    assert reason.startswith("DATABASE_URL, SECRET_KEY set both")
    assert "SECRET_KEY" in fix
    for value in (DEV_KEY, STRONG_KEY, "dotenv-pw"):
        assert value not in reason + fix


def test_audit_passes_secrets_only_in_dotenv(project):
    """A secret only in `.env`, or a password-less URL, is not set twice."""
    (project / ".env").write_text(
        f"SECRET_KEY={DEV_KEY}\nDATABASE_URL=sqlite:///db.sqlite3\n"
    )
    found = findings(project, environment=frozenset({"DATABASE_URL"}))
    assert found["dotenv-secrets"][1] == "pass"


def test_audit_fails_the_dotenv_key_in_production(project):
    """Signing with the `.env` key while DEBUG is off fails (III)."""
    (project / ".env").write_text(f"SECRET_KEY={STRONG_KEY}\n")
    factor, status, reason, _ = findings(project)["dotenv-secret-key"]
    assert (factor, status) == ("III", "fail")
    assert STRONG_KEY not in reason
    debug = production(DEBUG=True)
    assert findings(project, debug)["dotenv-secret-key"][1] == "pass"


@pytest.mark.parametrize("hosts", [["localhost"], ["127.0.0.1", "[::1]"]])
def test_audit_warns_about_loopback_only_hosts_in_production(project, hosts):
    """ALLOWED_HOSTS naming only loopback hosts warns (VII) with DEBUG off."""
    factor, status, _, fix = findings(project, production(ALLOWED_HOSTS=hosts))[
        "allowed-hosts"
    ]
    assert (factor, status) == ("VII", "warn")
    assert "ALLOWED_HOSTS" in fix


def test_audit_warns_about_plain_http_in_production(project):
    """SSL redirect off warns; on without HSTS warns too; with both it passes."""
    off = findings(project, production(SECURE_SSL_REDIRECT=False))["https"]
    assert off[1] == "warn"
    assert "SECURE_SSL_REDIRECT=true" in off[3]
    no_hsts = findings(project, production(SECURE_HSTS_SECONDS=0))["https"]
    assert no_hsts[1] == "warn"
    assert "SECURE_HSTS_SECONDS" in no_hsts[3]
    assert findings(project)["https"][1] == "pass"


def test_audit_fails_a_dotenv_that_git_would_commit(project):
    """A .gitignore that does not ignore `.env` fails (III); a later `!.env` too."""
    gitignore = project / ".gitignore"
    assert findings(project)["dotenv-ignored"][1] == "pass"
    gitignore.write_text(".env\n!.env\n")
    assert findings(project)["dotenv-ignored"][:2] == ("III", "fail")
    gitignore.write_text("*.sqlite3\n")
    assert findings(project)["dotenv-ignored"][1] == "fail"
    gitignore.write_text("**/.env*\n")
    assert findings(project)["dotenv-ignored"][1] == "pass"


def test_audit_passes_a_tree_with_neither_git_nor_dotenv(project):
    """A tree with no .git, .gitignore or .env (an image) has nothing to leak."""
    (project / ".gitignore").unlink()
    assert findings(project)["dotenv-ignored"][1] == "pass"


def test_render_text_aligns_one_line_per_finding(project):
    """Each finding is one line: factor, name, status, reason and fix, in columns."""
    context = Context(production(DEBUG=True), project, frozenset(), False, "migrate")
    found = audit(context)
    lines = render_text(found).splitlines()
    assert len(lines) == len(found) + 1
    status_column = {line.index(" PASS ") for line in lines if " PASS " in line}
    assert len(status_column) == 1
    assert lines[0].startswith("II   Dependencies ")
    debug_line = next(line for line in lines if line.startswith("X "))
    assert "Dev/prod parity" in debug_line
    assert " FAIL  DEBUG is on" in debug_line
    assert "; fix: set DEBUG=false" in debug_line
    assert lines[-1] == "12 checks: 11 pass, 0 warn, 1 fail"
    assert failed(found)


def test_render_json_lists_findings(project):
    """JSON output is a list of objects with factor, status, reason and fix."""
    context = Context(production(), project, frozenset(), False, "migrate")
    found = audit(context)
    objects = json.loads(render_json(found))
    assert len(objects) == len(found)
    assert objects[0] == {
        "factor": "II",
        "factor_name": "Dependencies",
        "check": "requirements",
        "status": "pass",
        "reason": "requirements.lock pins every dependency it should",
        "fix": "",
    }
    assert not failed(found)
