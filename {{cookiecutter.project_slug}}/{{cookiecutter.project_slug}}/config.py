"""Settings read from the environment and nowhere else (factor III: config).

Every process type (web, worker, release, admin commands) loads its settings
through `load_settings()`, so they all agree on what the environment means.
A local `.env` file is read if present, but never overrides a real variable, not
even an empty one. An empty variable counts as unset.

Each secret (`SECRET_KEY`, `DATABASE_URL`, `REDIS_URL`) may instead be read from a
file whose path is in `<NAME>_FILE`, as platforms mount secrets; setting both
`<NAME>` and `<NAME>_FILE` is an error.
"""

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")
REDIS_SCHEMES = ("redis", "rediss")
LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
SECRET_KEY_MIN_LENGTH = 50
# Settings that may hold credentials, and so may come from a file (`<NAME>_FILE`).
SECRETS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")


class Settings(BaseSettings):
    """The service's configuration; see `.env.example` for each variable."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    # SECURITY WARNING: keep the secret key used in production secret.
    secret_key: SecretStr
    # SECURITY WARNING: don't run with debug turned on in production.
    debug: bool = False
    database_url: str
    redis_url: str | None = None
{%- if cookiecutter.worker %}
    worker_heartbeat_timeout: int = Field(default=15, ge=2, le=3600)
{%- endif %}
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default=[], validate_default=True
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    port: int = Field(default=8000, ge=1, le=65535)
    web_concurrency: int = Field(default=2, ge=1, le=64)
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    secure_ssl_redirect: bool = False
    secure_hsts_seconds: int = Field(default=0, ge=0)
    secure_hsts_include_subdomains: bool = False
    secure_hsts_preload: bool = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        def dotenv_unless_set() -> dict[str, object]:
            # `REDIS_URL=` in the environment turns Redis off, whatever `.env` says.
            given = {name.upper() for name in os.environ}
            return {
                name: value
                for name, value in dotenv_settings().items()
                if name.upper() not in given
            }

        return init_settings, env_settings, dotenv_unless_set  # type: ignore[return-value]

    @field_validator("secret_key")
    @classmethod
    def _secret_key_is_strong(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if len(secret) < SECRET_KEY_MIN_LENGTH or len(set(secret)) < 5:
            raise ValueError(
                f"must be at least {SECRET_KEY_MIN_LENGTH} random characters; make one"
                ' with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_is_supported(cls, value: str) -> str:
        url = urlsplit(value)
        if url.scheme not in DATABASE_SCHEMES:
            raise ValueError(
                "must be a database URL such as sqlite:///db.sqlite3 or"
                " postgres://user:password@host:5432/name"
            )
        if url.scheme == "sqlite" and url.netloc or not url.path.strip("/"):
            raise ValueError(
                "must name a database: sqlite:///relative/path, sqlite:////absolute/path"
                " or postgres://user:password@host:5432/name"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_supported(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in REDIS_SCHEMES:
            raise ValueError(
                "must be a Redis URL such as redis://host:6379/0 or"
                " rediss://:password@host:6380/0"
            )
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts_required_in_production(
        cls, value: list[str], info: ValidationInfo
    ) -> list[str]:
        if not value and info.data.get("debug") is False:
            raise ValueError(
                "is required when DEBUG is false: a comma-separated list of the host"
                " names this service answers to, e.g. example.com,.example.org"
            )
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def hosts(self) -> list[str]:
        """Return the allowed host names; loopback names are always allowed."""
        return [*self.allowed_hosts, *LOOPBACK_HOSTS]

    def describe(self) -> dict[str, object]:
        """Return the effective settings by environment name, secrets masked."""
        shown: dict[str, object] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "********" if value.get_secret_value() else ""
            elif name.endswith("_url") and value:
                value = mask_password(value)
            shown[name.upper()] = value
        return shown


def mask_password(url: str) -> str:
    """Return the URL with any password replaced by asterisks."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":********@", 1)
    return parts._replace(netloc=netloc).geturl()


def error_lines(error: ValidationError) -> list[str]:
    """Return one line per invalid variable, naming it and what is wrong."""
    secret_fields = {
        name
        for name, field in Settings.model_fields.items()
        if field.annotation is SecretStr
    }
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "?"
        message = problem["msg"].removeprefix("Value error, ")
        message = message[:1].lower() + message[1:]
        if problem["type"] == "missing":
            message = "required"
        elif problem["type"] != "value_error" and name not in secret_fields:
            # Our own checks explain themselves; echo what was given to the others.
            message = f"{message} (got {problem['input']!r})"
        lines.append(f"  {name.upper()}: {message}")
    return lines


def format_errors(lines: list[str]) -> str:
    """Return one message that names every invalid variable."""
    count = len(lines)
    header = f"Configuration error: {count} environment variable{'s' * (count > 1)}"
    return "\n".join([f"{header} to fix.", *lines])


def read_secret_files(
    environ: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, str]]:
    """Return the secrets given as `<NAME>_FILE` paths, and the problems by name.

    The file's content is the value, without a trailing newline.
    """
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name in SECRETS:
        path = environ.get(f"{name}_FILE")
        if not path:
            continue
        if environ.get(name):
            problems[name] = f"  {name}_FILE: set together with {name}; set only one"
            continue
        try:
            # Bytes, decoded as they are: read_text() would turn a "\r" into "\n".
            values[name.lower()] = Path(path).read_bytes().decode().rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not text"
            problems[name] = f"  {name}_FILE: cannot read {path}: {reason}"
    return values, problems


def environment_names(copied_from: Mapping[str, str] | None = None) -> set[str]:
    """Return the names of the settings that real environment variables set.

    A variable holding the same value as in `copied_from` is left out: a command
    line tool that copies `.env` into the environment may have put it there.
    """
    copied = copied_from or {}
    # Matched without regard to case, as pydantic-settings does; empty is unset.
    given = {
        name.upper()
        for name, value in os.environ.items()
        if value and value != copied.get(name.upper())
    }
    return given & {name.upper() for name in Settings.model_fields}


def load_settings() -> Settings:
    """Load the settings, or exit with one message naming every problem."""
    from_files, file_problems = read_secret_files(os.environ)
    try:
        settings = Settings(**from_files)  # the rest comes from the environment
    except ValidationError as error:
        # A secret whose file failed is reported once, for the file.
        others = [
            line
            for line in error_lines(error)
            if line.split(":")[0].strip() not in file_problems
        ]
        sys.exit(format_errors([*file_problems.values(), *others]))
    if file_problems:
        sys.exit(format_errors(list(file_problems.values())))
    return settings
