"""Settings read from the environment and nowhere else (factor III: config).

Every process type (web, worker, release, admin commands) loads its settings
through `load_settings()`, so they all agree on what the environment means.
Names are upper case, as in `.env.example`; other spellings (`secret_key`) are
ignored. A local `.env` file is read if present, but never overrides a real
variable, not even an empty one. An empty variable counts as unset, except
WEB_CONCURRENCY, which gunicorn also reads, and stops on when empty. Values are
taken as written: what `.env.example` gives no meaning is an error, not a guess,
and a URL accepted here is one that the database and Redis clients read alike.

Each secret (`SECRET_KEY`, `DATABASE_URL`, `REDIS_URL`) may instead be read from a
file whose path is in `<NAME>_FILE`, as platforms mount secrets; setting both
`<NAME>` and `<NAME>_FILE` is an error.
"""

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from {{cookiecutter.project_slug}}.service_urls import (
    database_url_problem,
    redis_url_problem,
)

LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
SECRET_KEY_MIN_LENGTH = 50
# Settings that may hold credentials, and so may come from a file (`<NAME>_FILE`).
SECRETS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")
# The spellings of a flag, in any case.
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")

# An ALLOWED_HOSTS entry, lower-cased: a leading dot matches subdomains too.
ALLOWED_HOST = re.compile(r"\.?[a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\]")


def shown(value: str) -> str:
    """Return a value quoted for a message, shortened if long."""
    return repr(value[:40]) + ("..." if len(value) > 40 else "")


def _whole_number(value: object) -> object:
    # Digits only: no sign, spaces, underscores, decimal point or exponent.
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit():
            raise ValueError(f"must be a whole number, not {shown(value)}")
        if len(value) > 4000:  # beyond what int() reads
            raise ValueError(f"is far too large: {shown(value)}")
        return int(value)
    return value


def _flag(value: object) -> object:
    if isinstance(value, str):
        word = value.lower() if value.isascii() else value
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValueError(f"must be true or false, not {shown(value)}")
    return value


def _ascii_case(convert: str) -> BeforeValidator:
    # ASCII only: "ınfo".upper() would be "INFO".
    def fold(value: object) -> object:
        if isinstance(value, str) and value.isascii():
            return getattr(value, convert)()
        return value

    return BeforeValidator(fold)


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
Flag = Annotated[bool, BeforeValidator(_flag)]


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
    debug: Flag = False
    database_url: str
    redis_url: str | None = None
{%- if cookiecutter.worker %}
    worker_heartbeat_timeout: WholeNumber = Field(default=15, ge=2, le=3600)
{%- endif %}
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default=[], validate_default=True
    )
    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], _ascii_case("upper")
    ] = "INFO"
    log_format: Annotated[Literal["json", "console"], _ascii_case("lower")] = "json"
    port: WholeNumber = Field(default=8000, ge=1, le=65535)
    web_concurrency: WholeNumber = Field(default=2, ge=1, le=64)
    max_request_bytes: WholeNumber = Field(default=1_048_576, ge=1024)
    secure_ssl_redirect: Flag = False
    secure_hsts_seconds: WholeNumber = Field(default=0, ge=0)
    secure_hsts_include_subdomains: Flag = False
    secure_hsts_preload: Flag = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        names = {name.upper(): name for name in settings_cls.model_fields}

        def environment() -> dict[str, str]:
            # The upper-case names only: `debug=true` is not DEBUG.
            values = {
                field: os.environ[name]
                for name, field in names.items()
                if os.environ.get(name)
            }
            if os.environ.get("WEB_CONCURRENCY") == "":
                # Not unset for gunicorn, which reads it itself and stops on it.
                values["web_concurrency"] = ""
            return values

        def dotenv_unless_set() -> dict[str, str]:
            # `REDIS_URL=` in the environment turns Redis off, whatever `.env` says.
            given: dict[str, str | None] = {}
            files = getattr(dotenv_settings, "env_file", None) or ()
            for file in [files] if isinstance(files, str | os.PathLike) else files:
                if Path(file).is_file():
                    given.update(dotenv_values(file, encoding="utf-8"))
            return {
                field: value
                for name, field in names.items()
                if (value := given.get(name)) and name not in os.environ
            }

        return init_settings, environment, dotenv_unless_set  # type: ignore[return-value]

    @field_validator("*", mode="before")
    @classmethod
    def _is_text(cls, value: object) -> object:
        # Bytes that are not UTF-8 reach os.environ as lone surrogates.
        if isinstance(value, str) and any("\udc80" <= c <= "\udcff" for c in value):
            raise ValueError("must be UTF-8 text")
        return value

    @field_validator("web_concurrency", mode="before")
    @classmethod
    def _not_empty_for_gunicorn(cls, value: object) -> object:
        if value == "":
            raise ValueError(
                "must be a whole number, or unset: gunicorn reads WEB_CONCURRENCY"
                " itself and stops on an empty value"
            )
        return value

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
        problem = database_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_supported(cls, value: str | None) -> str | None:
        problem = value is not None and redis_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts_are_names(cls, value: list[str], info: ValidationInfo) -> list[str]:
        hosts = [host.lower() if host.isascii() else host for host in value]
        for host in hosts:
            if host == "*":
                raise ValueError(
                    "must name the hosts, comma-separated; * (any host) is not accepted"
                )
            if not ALLOWED_HOST.fullmatch(host):
                raise ValueError(
                    "must be host names or IP addresses, comma-separated, such as"
                    " example.com,.example.org (a leading dot matches subdomains);"
                    f" not {shown(host)}"
                )
        if not hosts and info.data.get("debug") is False:
            raise ValueError(
                "is required when DEBUG is false: a comma-separated list of the host"
                " names this service answers to, e.g. example.com,.example.org"
            )
        return hosts

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
        # The path as written, unless a control character would break the message.
        where = path if path.isprintable() else repr(path)
        if environ.get(name):
            problems[name] = (
                f"  {name}_FILE: {where} is set together with {name}; set only one"
            )
            continue
        try:
            # Bytes, decoded as they are: read_text() would turn a "\r" into "\n".
            values[name.lower()] = Path(path).read_bytes().decode().rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text"
            problems[name] = f"  {name}_FILE: cannot read {where}: {reason}"
            continue
        if not values[name.lower()]:
            problems[name] = f"  {name}_FILE: {where} is empty"
            del values[name.lower()]
    return values, problems


def environment_names(copied_from: Mapping[str, str] | None = None) -> set[str]:
    """Return the names of the settings that real environment variables set.

    A variable holding the same value as in `copied_from` is left out: a command
    line tool that copies `.env` into the environment may have put it there.
    """
    copied = copied_from or {}
    # Upper-case names only, as the settings read them; empty is unset.
    given = {
        name
        for name, value in os.environ.items()
        if value and value != copied.get(name)
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
