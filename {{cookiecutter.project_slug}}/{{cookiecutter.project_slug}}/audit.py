"""Check the running configuration and the project tree against the twelve factors.

Each check is a small function of the facts in a `Context` that returns one
`Finding`: pass, warn or fail, with a one-line reason and the fix. The
framework's `twelvefactor` admin command only gathers the facts and prints.
https://12factor.net/
"""

import json
import re
import secrets
import tomllib
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from {{ cookiecutter.project_slug }}.config import LOOPBACK_HOSTS, Settings

# The directory holding the Procfile, pyproject.toml and the lock files.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
FACTORS = {
    "I": "Codebase",
    "II": "Dependencies",
    "III": "Config",
    "IV": "Backing services",
    "V": "Build, release, run",
    "VI": "Processes",
    "VII": "Port binding",
    "VIII": "Concurrency",
    "IX": "Disposability",
    "X": "Dev/prod parity",
    "XI": "Logs",
    "XII": "Admin processes",
}
MAKE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'
# A lock file line that pins a package: `name==version`, maybe with a marker.
PIN = re.compile(r"^([\w.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)

Status = Literal["pass", "warn", "fail"]


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
    check: str
    status: Status
    reason: str
    fix: str = ""

    @property
    def factor_name(self) -> str:
        """Return the factor's name, such as `Dependencies` for II."""
        return FACTORS[self.factor]


def lock_problems(root: Path, lock: str, groups: Iterable[str]) -> list[str]:
    """Return how an existing lock file disagrees with pyproject.toml."""
    try:
        pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        return [f"pyproject.toml cannot be read ({type(error).__name__})"]
    declared = list(pyproject.get("project", {}).get("dependencies", []))
    for group in groups:
        # Only plain requirements: `{include-group = ...}` tables are not followed.
        declared += [
            item
            for item in pyproject.get("dependency-groups", {}).get(group, [])
            if isinstance(item, str)
        ]
    pins: dict[str, list[str]] = {}
    for name, version in PIN.findall((root / lock).read_text()):
        pins.setdefault(canonicalize_name(name), []).append(version)
    problems = []
    for line in declared:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            problems.append(f"pyproject.toml declares an invalid requirement {line!r}")
            continue
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name} is not pinned")
        problems += [
            f"{requirement.name}=={version} is outside {requirement.specifier}"
            for version in pins.get(name, [])
            if not requirement.specifier.contains(version, prereleases=True)
        ]
    return problems


def lock_finding(context: Context, lock: str, groups: tuple[str, ...]) -> Finding:
    """Return whether a lock file pins every dependency pyproject.toml declares."""
    check = lock.removesuffix(".lock")
    fix = "run `make lock`, then commit the lock files"
    if not (context.root / lock).is_file():
        return Finding("II", check, "fail", f"{lock} is missing", fix)
    problems = lock_problems(context.root, lock, groups)
    if problems:
        reason = f"{lock} is out of date with pyproject.toml: {'; '.join(problems)}"
        return Finding("II", check, "fail", reason, fix)
    return Finding("II", check, "pass", f"{lock} pins every dependency it should")


def check_runtime_lock(context: Context) -> Finding:
    """Check that requirements.lock pins the runtime dependencies."""
    return lock_finding(context, "requirements.lock", ())


def check_dev_lock(context: Context) -> Finding:
    """Check that requirements-dev.lock pins the runtime and dev dependencies."""
    return lock_finding(context, "requirements-dev.lock", ("dev",))


def dotenv(root: Path) -> dict[str, str]:
    """Return the settings written in the project's `.env`, by variable name."""
    path = root / ".env"
    values = dotenv_values(path, encoding="utf-8") if path.is_file() else {}
    # Upper-case names only, as the settings read them; empty is unset.
    return {name: value for name, value in values.items() if value and name.isupper()}


def is_git_ignored(root: Path, name: str) -> bool:
    """Return whether the top-level .gitignore ignores a file at the root."""
    ignored = False
    gitignore = root / ".gitignore"
    lines = gitignore.read_text().splitlines() if gitignore.is_file() else []
    for line in lines:
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").removeprefix("/").removeprefix("**/")
        # As in git, the last pattern that matches decides.
        if fnmatch(name, pattern):
            ignored = not negated
    return ignored


def check_dotenv_ignored(context: Context) -> Finding:
    """Check that `.env` cannot be committed."""
    root = context.root
    if is_git_ignored(root, ".env"):
        return Finding("III", "dotenv-ignored", "pass", ".env is git-ignored")
    if not any((root / name).exists() for name in (".env", ".git", ".gitignore")):
        return Finding("III", "dotenv-ignored", "pass", "no .env, no git checkout")
    return Finding(
        "III",
        "dotenv-ignored",
        "fail",
        ".env is not git-ignored: local settings and secrets can be committed",
        "add a line `.env` to .gitignore",
    )


def check_dotenv_secrets(context: Context) -> Finding:
    """Check that no secret is both in the environment and in `.env`."""
    values = dotenv(context.root)
    if not values:
        return Finding("III", "dotenv-secrets", "pass", "no .env file, or an empty one")
    secret = {"SECRET_KEY"}
    if urlsplit(values.get("DATABASE_URL", "")).password:
        secret.add("DATABASE_URL")
    both = sorted(secret & values.keys() & set(context.environment))
    if both:
        return Finding(
            "III",
            "dotenv-secrets",
            "warn",
            f"{', '.join(both)} set both in the environment and in .env: the .env copy"
            " is a second source of truth that can leak",
            f"remove {', '.join(both)} from .env, or .env itself where the environment"
            " is complete",
        )
    return Finding(
        "III", "dotenv-secrets", "pass", ".env repeats no secret of the environment"
    )


def check_dotenv_secret_key(context: Context) -> Finding:
    """Check that production does not sign with the development key from `.env`."""
    if context.settings.debug:
        return Finding(
            "III", "dotenv-secret-key", "pass", "DEBUG is on: a .env key is expected"
        )
    key = dotenv(context.root).get("SECRET_KEY", "")
    in_use = context.settings.secret_key.get_secret_value()
    if key and secrets.compare_digest(key.encode(), in_use.encode()):
        return Finding(
            "III",
            "dotenv-secret-key",
            "fail",
            "SECRET_KEY is the development key from .env, with DEBUG off",
            f"set a fresh SECRET_KEY in the environment ({MAKE_KEY}) and keep .env"
            " off servers",
        )
    return Finding(
        "III", "dotenv-secret-key", "pass", "SECRET_KEY does not come from .env"
    )


def procfile(root: Path) -> dict[str, str] | None:
    """Return the Procfile's process types and commands, or None without one."""
    path = root / "Procfile"
    if not path.is_file():
        return None
    processes = {}
    for line in path.read_text().splitlines():
        name, colon, command = line.partition(":")
        if colon and not name.lstrip().startswith("#"):
            processes[name.strip()] = command.strip()
    return processes


def check_release(context: Context) -> Finding:
    """Check that the Procfile runs a release step before new web processes."""
    # Factor V: migrations belong to the release stage, run once per deploy,
    # not to every web process as it boots.
    processes = procfile(context.root)
    if processes and processes.get("release"):
        return Finding("V", "release", "pass", f"release runs `{processes['release']}`")
    where = "the Procfile has" if processes is not None else "there is no Procfile, so"
    return Finding(
        "V",
        "release",
        "fail",
        f"{where} no release step: migrations would not run before new code serves",
        f"add `release: {context.release_command}` to the Procfile",
    )


def check_web(context: Context) -> Finding:
    """Check that the Procfile declares the web process."""
    processes = procfile(context.root)
    if processes and processes.get("web"):
        return Finding("VII", "web", "pass", f"web runs `{processes['web']}`")
    where = "the Procfile has" if processes is not None else "there is no Procfile, so"
    return Finding(
        "VII",
        "web",
        "fail",
        f"{where} no web process: nothing binds $PORT to serve requests",
        "add `web: gunicorn {{ cookiecutter.project_slug }}.wsgi` to the Procfile",
    )


def check_sqlite(context: Context) -> Finding:
    """Check that several web processes share an attached database, not a file."""
    # Factor VI: processes share nothing but backing services. SQLite is a file
    # on this host: several workers here can share it, workers on another host
    # cannot, so the app stops scaling out the moment it needs to.
    settings = context.settings
    if urlsplit(settings.database_url).scheme != "sqlite":
        return Finding("VI", "database", "pass", "DATABASE_URL names a database server")
    if settings.web_concurrency > 1:
        return Finding(
            "VI",
            "database",
            "warn",
            f"SQLite with WEB_CONCURRENCY={settings.web_concurrency}: a local file,"
            " not an attached service; processes on other hosts cannot share it",
            "point DATABASE_URL at PostgreSQL: postgres://user:password@host:5432/name",
        )
    return Finding("VI", "database", "pass", "SQLite with one web process")


def check_allowed_hosts(context: Context) -> Finding:
    """Check that production answers to the host names the router sends."""
    settings = context.settings
    if settings.debug:
        return Finding("VII", "allowed-hosts", "pass", "DEBUG is on: loopback suffices")
    public = [host for host in settings.allowed_hosts if host not in LOOPBACK_HOSTS]
    if not public:
        return Finding(
            "VII",
            "allowed-hosts",
            "warn",
            "ALLOWED_HOSTS names no public host: requests for the service's own"
            " domain get 400 Bad Request",
            "set ALLOWED_HOSTS to the domains served, e.g. example.com,.example.org",
        )
    return Finding(
        "VII", "allowed-hosts", "pass", f"ALLOWED_HOSTS serves {', '.join(public)}"
    )


def check_https(context: Context) -> Finding:
    """Check that production redirects to HTTPS and tells browsers to stay there."""
    settings = context.settings
    if settings.debug:
        return Finding("VII", "https", "pass", "DEBUG is on: plain HTTP is expected")
    if not settings.secure_ssl_redirect:
        return Finding(
            "VII",
            "https",
            "warn",
            "SECURE_SSL_REDIRECT is off with DEBUG off: pages are served over HTTP",
            "set SECURE_SSL_REDIRECT=true once the router terminates HTTPS",
        )
    if not settings.secure_hsts_seconds:
        return Finding(
            "VII",
            "https",
            "warn",
            "no HSTS (SECURE_HSTS_SECONDS=0): browsers still try plain HTTP first",
            "set SECURE_HSTS_SECONDS, e.g. 3600, then 31536000 once all is well",
        )
    return Finding("VII", "https", "pass", "HTTPS redirect and HSTS are on")


def check_debug(context: Context) -> Finding:
    """Check that debug mode is off."""
    # Factor X: development and production should differ only in config, not in
    # the kind of process. Debug mode swaps in development-only behaviour (error
    # pages with settings and source, debug tooling, cookies sent over HTTP), so
    # a deploy running it is not the production the code was tested for.
    if context.settings.debug:
        return Finding(
            "X",
            "debug",
            "fail",
            "DEBUG is on: error pages show settings and code, cookies go over HTTP",
            "set DEBUG=false (or unset it) in every deployed environment",
        )
    return Finding("X", "debug", "pass", "DEBUG is off")


def check_log_format(context: Context) -> Finding:
    """Check that logs are JSON unless a person is reading them."""
    if context.settings.log_format == "json":
        return Finding(
            "XI", "log-format", "pass", "LOG_FORMAT=json, one event per line"
        )
    if context.stdout_is_tty:
        return Finding(
            "XI", "log-format", "pass", "LOG_FORMAT=console, read on a terminal"
        )
    return Finding(
        "XI",
        "log-format",
        "warn",
        "LOG_FORMAT=console but stdout is not a terminal: collectors get plain text",
        "set LOG_FORMAT=json (or unset it) where a platform collects the logs",
    )


CHECKS: tuple[Callable[[Context], Finding], ...] = (
    check_runtime_lock,
    check_dev_lock,
    check_dotenv_ignored,
    check_dotenv_secrets,
    check_dotenv_secret_key,
    check_release,
    check_sqlite,
    check_web,
    check_allowed_hosts,
    check_https,
    check_debug,
    check_log_format,
)


def audit(context: Context) -> list[Finding]:
    """Run every check, in the order of the factors."""
    return [check(context) for check in CHECKS]


def failed(findings: Iterable[Finding]) -> bool:
    """Return whether any finding failed."""
    return any(finding.status == "fail" for finding in findings)


def render_text(findings: list[Finding]) -> str:
    """Return one aligned line per finding, then a count of each status."""
    factor_width = max(len(finding.factor) for finding in findings)
    name_width = max(len(finding.factor_name) for finding in findings)
    lines = []
    for finding in findings:
        fix = f"; fix: {finding.fix}" if finding.fix else ""
        lines.append(
            f"{finding.factor:<{factor_width}}  {finding.factor_name:<{name_width}}"
            f"  {finding.status.upper()}  {finding.reason}{fix}"
        )
    counts = ", ".join(
        f"{sum(finding.status == status for finding in findings)} {status}"
        for status in ("pass", "warn", "fail")
    )
    lines.append(f"{len(findings)} checks: {counts}")
    return "\n".join(lines)


def render_json(findings: list[Finding]) -> str:
    """Return the findings as a JSON list of objects."""
    objects = [
        {
            "factor": finding.factor,
            "factor_name": finding.factor_name,
            **asdict(finding),
        }
        for finding in findings
    ]
    return json.dumps(objects, indent=2)
