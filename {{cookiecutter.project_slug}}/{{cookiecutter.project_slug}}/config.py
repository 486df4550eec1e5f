"""Settings read from the environment and nowhere else (factor III: config).

Every process type (web, worker, release, admin commands) loads its settings
through `load_settings()`, so they all agree on what the environment means.
Each field is named as its variable in `.env.example`, in upper case; pydantic
parses the values, and a backing service's URL is parsed by the library that
uses it. A local `.env` file fills in what the environment leaves unset (an
empty variable is unset) and is never used in production.

Each secret (`SECRET_KEY`, `DATABASE_URL`, `REDIS_URL`, `EMAIL_URL`) may instead be
read from a file whose path is in `<NAME>_FILE`, as platforms mount secrets.
"""

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    HttpUrl,
    PlainSerializer,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from {{cookiecutter.project_slug}}.database import DatabaseURL
from {{cookiecutter.project_slug}}.mail import email_url

LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
SECRET_KEY_MIN_LENGTH = 50
# Settings that may hold credentials, and so may come from a file (`<NAME>_FILE`).
SECRETS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
# An ALLOWED_HOSTS entry, lower-cased: a leading dot matches subdomains too.
ALLOWED_HOST = re.compile(r"\.?[a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\]")


def mask_password(url: str) -> str:
    """Return the URL with any password replaced by asterisks."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def redis_url(value: str) -> str:
    """Return the URL if redis-py reads it, else say what it must look like.

    Only the processes given a REDIS_URL import redis-py, here first. OpenTelemetry
    is hidden from it meanwhile: redis-py 7.2+ would import OpenTelemetry's metrics,
    when installed, whether telemetry is on or not.
    """
    hide = "opentelemetry" not in sys.modules
    if hide:
        sys.modules["opentelemetry"] = None  # type: ignore[assignment]
    try:
        from redis.connection import parse_url
    finally:
        if hide:
            del sys.modules["opentelemetry"]
    try:
        parse_url(value)
    except ValueError:
        raise ValueError(
            "must be a Redis URL such as redis://host:6379/0 or rediss://:password@host:6380/0"
        ) from None
    return value


RedisURL = Annotated[str, AfterValidator(redis_url), PlainSerializer(mask_password)]
EmailURL = Annotated[str, AfterValidator(email_url), PlainSerializer(mask_password)]


def mail_address(value: str) -> str:
    """Return the address if it is one line holding an @, else say what it must be."""
    if "@" not in value or not value.isprintable():
        raise ValueError(f"must be an address like ops@example.com, not {value[:40]!r}")
    return value


MailAddress = Annotated[str, AfterValidator(mail_address)]


class FileProblem(str):
    """A `<NAME>_FILE` that could not give a value: the reason, to be reported."""


def read_secret_file(name: str) -> str | None:
    """Return the secret in the file named by `<NAME>_FILE`, or None if unset.

    A file that gives no value gives a `FileProblem` instead, reported with the rest.
    """
    path = os.environ.get(f"{name}_FILE")
    if not path:
        return None
    shown = path if path.isprintable() else repr(path)
    if os.environ.get(name):
        return FileProblem(
            f"{name}_FILE: {shown} is set together with {name}; set only one"
        )
    try:
        # Bytes, decoded as they are: read_text() would turn a "\r" into "\n".
        value = Path(path).read_bytes().decode().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        return FileProblem(f"{name}_FILE: cannot read {shown}: {reason}")
    return value or FileProblem(f"{name}_FILE: {shown} is empty")


class SecretFiles(PydanticBaseSettingsSource):
    """The settings source for `<NAME>_FILE`: it wins over the environment."""

    def get_field_value(self, field: FieldInfo, name: str) -> tuple[Any, str, bool]:
        return read_secret_file(name) if name in SECRETS else None, name, False

    def __call__(self) -> dict[str, Any]:
        values = {name: read_secret_file(name) for name in SECRETS}
        return {name: value for name, value in values.items() if value is not None}


class Settings(BaseSettings):
    """The service's configuration; see `.env.example` for each variable."""

    # Other names in `.env` (FORWARDED_ALLOW_IPS, `debug`) are not settings: ignored.
    model_config = SettingsConfigDict(
        case_sensitive=True,
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    # SECURITY WARNING: keep the secret key used in production secret.
    SECRET_KEY: SecretStr
    # SECURITY WARNING: don't run with debug turned on in production.
    DEBUG: bool = False
    # Parsed by the framework's database library (`database.py`), not as JSON.
    DATABASE_URL: Annotated[DatabaseURL, NoDecode]
    REDIS_URL: RedisURL | None = None
    # Unset: mail goes to the log when DEBUG is on, and fails when it is off (mail.py).
    EMAIL_URL: EmailURL | None = None
    DEFAULT_FROM_EMAIL: MailAddress = "webmaster@localhost"
{%- if cookiecutter.worker %}
    # Seconds without a heartbeat after which a worker's jobs go back on the queue.
    WORKER_HEARTBEAT_TIMEOUT: int = Field(15, ge=2, le=3600)
    # The operators who get each report by mail; never an address from a request.
    REPORTS_MAIL_TO: Annotated[list[str], NoDecode] = []
{%- endif %}
    ALLOWED_HOSTS: Annotated[list[str], NoDecode] = Field([], validate_default=True)
    LOG_LEVEL: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        BeforeValidator(str.upper),
    ] = "INFO"
    LOG_FORMAT: Annotated[Literal["json", "console"], BeforeValidator(str.lower)] = (
        "json"
    )
    PORT: int = Field(8000, ge=1, le=65535)
    WEB_CONCURRENCY: int = Field(2, ge=1, le=64)
    MAX_REQUEST_BYTES: int = Field(1_048_576, ge=1024)
    SECURE_SSL_REDIRECT: bool = False
    SECURE_HSTS_SECONDS: int = Field(0, ge=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS: bool = False
    SECURE_HSTS_PRELOAD: bool = False
    METRICS_PORT: int | None = Field(None, ge=1, le=65534)
    OTEL_EXPORTER_OTLP_ENDPOINT: HttpUrl | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, SecretFiles(settings_cls), env_settings, dotenv_settings

    @field_validator("*", mode="before")
    @classmethod
    def _is_text(cls, value: object) -> object:
        if isinstance(value, FileProblem):
            raise ValueError(value)
        # Bytes that are not UTF-8 reach os.environ as lone surrogates.
        if isinstance(value, str) and any("\udc80" <= c <= "\udcff" for c in value):
            raise ValueError("must be UTF-8 text")
        return value

    @field_validator("SECRET_KEY")
    @classmethod
    def _secret_key_is_strong(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if len(secret) < SECRET_KEY_MIN_LENGTH or len(set(secret)) < 5:
            raise ValueError(
                f"must be at least {SECRET_KEY_MIN_LENGTH} random characters; make one"
                ' with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
            )
        return value

{%- if cookiecutter.worker %}

    @field_validator("REPORTS_MAIL_TO", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        # Checked here, so that several bad addresses make one line in the message.
        if isinstance(value, str):
            names = [name.strip() for name in value.split(",") if name.strip()]
            return [mail_address(name) for name in names]
        return value
{%- endif %}

    @field_validator("ALLOWED_HOSTS", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip().lower() for host in value.split(",") if host.strip()]
        return value

    @field_validator("ALLOWED_HOSTS")
    @classmethod
    def _hosts_are_names(cls, hosts: list[str], info: ValidationInfo) -> list[str]:
        if "*" in hosts:
            raise ValueError(
                "must name the hosts, comma-separated; * (any host) is not accepted"
            )
        for host in hosts:
            if not ALLOWED_HOST.fullmatch(host):
                raise ValueError(
                    "must be host names or IP addresses, comma-separated, such as"
                    " example.com,.example.org (a leading dot matches subdomains);"
                    f" not {host[:40]!r}"
                )
        if not hosts and info.data.get("DEBUG") is False:
            raise ValueError(
                "is required when DEBUG is false: a comma-separated list of the host"
                " names this service answers to, e.g. example.com,.example.org"
            )
        return hosts

    @property
    def hosts(self) -> list[str]:
        """Return the allowed host names; loopback names are always allowed."""
        return [*self.ALLOWED_HOSTS, *LOOPBACK_HOSTS]

    def describe(self) -> dict[str, Any]:
        """Return the effective settings by variable name, secrets masked."""
        return self.model_dump(mode="json")


def environment_names(copied_from: Mapping[str, str] | None = None) -> set[str]:
    """Return the names of the settings that real environment variables set.

    A variable holding the same value as in `copied_from` is left out: a command
    line tool that copies `.env` into the environment may have put it there.
    """
    copied = copied_from or {}
    given = {name for name, value in os.environ.items() if value != copied.get(name)}
    # Empty is unset.
    return {name for name in given & Settings.model_fields.keys() if os.environ[name]}


def error_lines(error: ValidationError) -> list[str]:
    """Return one line per invalid variable, naming it and what is wrong."""
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "?"
        message = str(problem.get("ctx", {}).get("error") or problem["msg"])
        if isinstance(problem["input"], FileProblem):
            lines.append(f"  {message}")
            continue
        if problem["type"] == "missing":
            message = "required"
        elif problem["type"] != "value_error":
            message = message[:1].lower() + message[1:]
            if name not in SECRETS:
                # Our own checks explain themselves; echo what was given to the others.
                message = f"{message} (got {str(problem['input'])[:40]!r})"
        lines.append(f"  {name}: {message}")
    return lines


def load_settings(**overrides: Any) -> Settings:
    """Load the settings, or exit with one message naming every problem."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        lines = error_lines(error)
        count = len(lines)
        sys.exit(
            f"Configuration error: {count} environment variable{'s' * (count > 1)}"
            f" to fix.\n" + "\n".join(lines)
        )
