"""Check the running configuration and the project tree against the twelve factors.

Each check is a small function of the facts in a `Context`, registered with
`@check(factor, name)`, that returns a status, a one-line reason and the fix.
The framework's `twelvefactor` admin command only gathers the facts and prints.
https://12factor.net/
"""

import json
import secrets
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from {{cookiecutter.project_slug}}.config import LOOPBACK_HOSTS, Settings
from {{cookiecutter.project_slug}}.project_files import (
    dotenv,
    is_git_ignored,
    lock_problems,
    procfile,
)

# The directory holding the Procfile, pyproject.toml and the lock files.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAKE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'

Status = Literal["pass", "warn", "fail"]
# What a check returns: its status, the reason, and the fix ("" when it passes).
Outcome = tuple[Status, str, str]


@dataclass(frozen=True)
class Context:
    """What the checks look at, gathered by the command that runs them."""

    settings: Settings
    root: Path
    # Names of the settings that real environment variables set.
    environment: Collection[str]
    stdout_is_tty: bool
    # The framework's migration command, suggested for a missing release step.
    release_command: str


@dataclass(frozen=True)
class Finding:
    """The outcome of one check."""

    factor: str
    factor_name: str
    check: str
    status: Status
    reason: str
    fix: str = ""


CHECKS: list[tuple[str, str, str, Callable[[Context], Outcome]]] = []


def check(factor: str, factor_name: str, name: str) -> Callable:
    """Register a check of the given factor, run in the order registered."""

    def register(function: Callable[[Context], Outcome]) -> Callable:
        CHECKS.append((factor, factor_name, name, function))
        return function

    return register


def passed(reason: str) -> Outcome:
    """Return a passing outcome."""
    return "pass", reason, ""


def lock_outcome(context: Context, lock: str, groups: tuple[str, ...]) -> Outcome:
    """Return whether a lock file pins every dependency pyproject.toml declares."""
    fix = "run `make lock`, then commit the lock files"
    if not (context.root / lock).is_file():
        return "fail", f"{lock} is missing", fix
    if problems := lock_problems(context.root, lock, groups):
        reason = f"{lock} is out of date with pyproject.toml: {'; '.join(problems)}"
        return "fail", reason, fix
    return passed(f"{lock} pins every dependency it should")


@check("II", "Dependencies", "requirements")
def runtime_lock(context: Context) -> Outcome:
    """Check that requirements.lock pins the runtime dependencies."""
    return lock_outcome(context, "requirements.lock", ())


@check("II", "Dependencies", "requirements-dev")
def dev_lock(context: Context) -> Outcome:
    """Check that requirements-dev.lock pins the runtime and dev dependencies."""
    return lock_outcome(context, "requirements-dev.lock", ("dev",))


@check("III", "Config", "dotenv-ignored")
def dotenv_ignored(context: Context) -> Outcome:
    """Check that `.env` cannot be committed."""
    root = context.root
    if is_git_ignored(root, ".env"):
        return passed(".env is git-ignored")
    if not any((root / name).exists() for name in (".env", ".git", ".gitignore")):
        return passed("no .env, no git checkout")
    return (
        "fail",
        ".env is not git-ignored: local settings and secrets can be committed",
        "add a line `.env` to .gitignore",
    )


@check("III", "Config", "dotenv-secrets")
def dotenv_secrets(context: Context) -> Outcome:
    """Check that no secret is both in the environment and in `.env`."""
    values = dotenv(context.root)
    if not values:
        return passed("no .env file, or an empty one")
    secret = {"SECRET_KEY"}
    for name in ("DATABASE_URL", "EMAIL_URL"):
        if urlsplit(values.get(name, "")).password:
            secret.add(name)
    if both := ", ".join(sorted(secret & values.keys() & set(context.environment))):
        return (
            "warn",
            f"{both} set both in the environment and in .env: the .env copy is a"
            " second source of truth that can leak",
            f"remove {both} from .env, or .env itself where the environment"
            " is complete",
        )
    return passed(".env repeats no secret of the environment")


@check("III", "Config", "dotenv-secret-key")
def dotenv_secret_key(context: Context) -> Outcome:
    """Check that production does not sign with the development key from `.env`."""
    if context.settings.DEBUG:
        return passed("DEBUG is on: a .env key is expected")
    key = dotenv(context.root).get("SECRET_KEY", "")
    in_use = context.settings.SECRET_KEY.get_secret_value()
    if key and secrets.compare_digest(key.encode(), in_use.encode()):
        return (
            "fail",
            "SECRET_KEY is the development key from .env, with DEBUG off",
            f"set a fresh SECRET_KEY in the environment ({MAKE_KEY}) and keep .env"
            " off servers",
        )
    return passed("SECRET_KEY does not come from .env")


def process_outcome(context: Context, name: str, missing: str, fix: str) -> Outcome:
    """Return whether the Procfile declares a process type."""
    processes = procfile(context.root)
    if processes and processes.get(name):
        return passed(f"{name} runs `{processes[name]}`")
    where = "the Procfile has" if processes is not None else "there is no Procfile, so"
    return "fail", f"{where} no {missing}", fix


@check("V", "Build, release, run", "release")
def release(context: Context) -> Outcome:
    """Check that the Procfile runs a release step before new web processes.

    On Kubernetes that line is the Job in deploy/kubernetes/release-job.yaml, which
    completes before the Deployments roll (docs/kubernetes.md).
    """
    return process_outcome(
        context,
        "release",
        "release step: migrations would not run before new code serves",
        f"add `release: {context.release_command}` to the Procfile",
    )


@check("VI", "Processes", "database")
def database(context: Context) -> Outcome:
    """Check that several web processes share an attached database, not a file."""
    # Processes share nothing but backing services. SQLite is a file on this
    # host: workers on another host cannot share it.
    settings = context.settings
    if not settings.describe()["DATABASE_URL"].startswith("sqlite"):
        return passed("DATABASE_URL names a database server")
    if settings.WEB_CONCURRENCY > 1:
        return (
            "warn",
            f"SQLite with WEB_CONCURRENCY={settings.WEB_CONCURRENCY}: a local file,"
            " not an attached service; processes on other hosts cannot share it",
            "point DATABASE_URL at PostgreSQL: postgres://user:password@host:5432/name",
        )
    return passed("SQLite with one web process")


@check("VII", "Port binding", "web")
def web(context: Context) -> Outcome:
    """Check that the Procfile declares the web process."""
    return process_outcome(
        context,
        "web",
        "web process: nothing binds $PORT to serve requests",
        "add `web: gunicorn {{cookiecutter.project_slug}}.wsgi` to the Procfile",
    )


@check("VII", "Port binding", "allowed-hosts")
def allowed_hosts(context: Context) -> Outcome:
    """Check that production answers to the host names the router sends."""
    if context.settings.DEBUG:
        return passed("DEBUG is on: loopback suffices")
    public = [h for h in context.settings.ALLOWED_HOSTS if h not in LOOPBACK_HOSTS]
    if not public:
        return (
            "warn",
            "ALLOWED_HOSTS names no public host: requests for the service's own"
            " domain get 400 Bad Request",
            "set ALLOWED_HOSTS to the domains served, e.g. example.com,.example.org",
        )
    return passed(f"ALLOWED_HOSTS serves {', '.join(public)}")


@check("VII", "Port binding", "https")
def https(context: Context) -> Outcome:
    """Check that production redirects to HTTPS and tells browsers to stay there."""
    settings = context.settings
    if settings.DEBUG:
        return passed("DEBUG is on: plain HTTP is expected")
    if not settings.SECURE_SSL_REDIRECT:
        return (
            "warn",
            "SECURE_SSL_REDIRECT is off with DEBUG off: pages are served over HTTP",
            "set SECURE_SSL_REDIRECT=true once the router terminates HTTPS",
        )
    if not settings.SECURE_HSTS_SECONDS:
        return (
            "warn",
            "no HSTS (SECURE_HSTS_SECONDS=0): browsers still try plain HTTP first",
            "set SECURE_HSTS_SECONDS, e.g. 3600, then 31536000 once all is well",
        )
    return passed("HTTPS redirect and HSTS are on")


@check("X", "Dev/prod parity", "debug")
def debug(context: Context) -> Outcome:
    """Check that debug mode is off."""
    if context.settings.DEBUG:
        return (
            "fail",
            "DEBUG is on: error pages show settings and code, cookies go over HTTP",
            "set DEBUG=false (or unset it) in every deployed environment",
        )
    return passed("DEBUG is off")


@check("XI", "Logs", "log-format")
def log_format(context: Context) -> Outcome:
    """Check that logs are JSON unless a person is reading them."""
    if context.settings.LOG_FORMAT == "json":
        return passed("LOG_FORMAT=json, one event per line")
    if context.stdout_is_tty:
        return passed("LOG_FORMAT=console, read on a terminal")
    return (
        "warn",
        "LOG_FORMAT=console but stdout is not a terminal: collectors get plain text",
        "set LOG_FORMAT=json (or unset it) where a platform collects the logs",
    )


def audit(context: Context) -> list[Finding]:
    """Run every check, in the order of the factors."""
    return [
        Finding(factor, factor_name, name, *run(context))
        for factor, factor_name, name, run in CHECKS
    ]


def failed(findings: Iterable[Finding]) -> bool:
    """Return whether any finding failed."""
    return any(finding.status == "fail" for finding in findings)


def render_text(findings: list[Finding]) -> str:
    """Return one aligned line per finding, then a count of each status."""
    factor_width = max(len(finding.factor) for finding in findings)
    name_width = max(len(finding.factor_name) for finding in findings)
    lines = [
        f"{f.factor:<{factor_width}}  {f.factor_name:<{name_width}}"
        f"  {f.status.upper()}  {f.reason}{f'; fix: {f.fix}' if f.fix else ''}"
        for f in findings
    ]
    counts = ", ".join(
        f"{sum(finding.status == status for finding in findings)} {status}"
        for status in ("pass", "warn", "fail")
    )
    return "\n".join([*lines, f"{len(findings)} checks: {counts}"])


def render_json(findings: list[Finding]) -> str:
    """Return the findings as a JSON list of objects."""
    return json.dumps([asdict(finding) for finding in findings], indent=2)
