"""Settings come from the environment only; bad ones stop the process (factor III)."""

import pytest

from {{ cookiecutter.project_slug }}.config import SECRETS, Settings, load_settings

STRONG_KEY = "k3y-" + "x1y2z3" * 10


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """Start from an empty configuration in a directory with no `.env` file."""
    for name in [*Settings.model_fields, *(f"{secret}_FILE" for secret in SECRETS)]:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)

    def set_env(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_env


def test_settings_read_from_environment(environ):
    """It reads each variable, and applies the documented defaults."""
    environ(
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL="postgres://app:pw@db:5432/app",
        ALLOWED_HOSTS="example.com, .example.org",
        LOG_LEVEL="warning",
        PORT="9000",
    )
    settings = load_settings()
    assert settings.secret_key.get_secret_value() == STRONG_KEY
    assert settings.debug is False
    assert settings.allowed_hosts == ["example.com", ".example.org"]
    assert settings.log_level == "WARNING"
    assert settings.log_format == "json"
    assert settings.port == 9000
    assert settings.web_concurrency == 2
    assert settings.secure_ssl_redirect is False


def test_settings_report_every_problem_at_once(environ, capsys):
    """It exits with one message naming each bad variable, and no secret."""
    environ(
        DATABASE_URL="nonsense",
        WEB_CONCURRENCY="abc",
        LOG_FORMAT="xml",
        PORT="70000",
    )
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value.code)
    assert message.startswith("Configuration error: 6 environment variables to fix.")
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "ALLOWED_HOSTS",
        "LOG_FORMAT",
        "PORT",
        "WEB_CONCURRENCY",
    ):
        assert f"\n  {name}: " in message
    assert "'abc'" in message
    assert "Traceback" not in message


def test_settings_reject_a_weak_secret_key_without_showing_it(environ):
    """A short or repetitive key is refused, and the message does not echo it."""
    for weak in ("short-secret", "a" * 60):
        environ(SECRET_KEY=weak, DATABASE_URL="sqlite:///db.sqlite3", DEBUG="true")
        with pytest.raises(SystemExit) as exit_info:
            load_settings()
        message = str(exit_info.value.code)
        assert "SECRET_KEY: must be at least 50 random characters" in message
        assert weak not in message


def test_settings_reject_database_url_without_showing_password(environ):
    """An unsupported database URL is refused without echoing its credentials."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL="mysql://u:hunter2@h/db")
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value.code)
    assert "DATABASE_URL: must be a database URL" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    "url",
    ["sqlite:///db.sqlite3", "sqlite:////var/data/app.db", "postgresql://h/app"],
)
def test_settings_accept_supported_database_urls(environ, url):
    """SQLite paths and PostgreSQL URLs are accepted as they are."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL=url)
    assert load_settings().database_url == url


@pytest.mark.parametrize("url", ["sqlite://", "sqlite://host/db", "postgres://host"])
def test_settings_reject_database_urls_naming_no_database(environ, url):
    """A URL without a database name is refused."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL=url)
    with pytest.raises(SystemExit, match="DATABASE_URL: must name a database"):
        load_settings()


def test_settings_take_redis_url_as_optional(environ):
    """Without REDIS_URL there is no Redis; with it, it must be a Redis URL."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL="sqlite:///db.sqlite3")
    assert load_settings().redis_url is None
    environ(REDIS_URL="rediss://:pw@cache:6380/1")
    assert load_settings().redis_url == "rediss://:pw@cache:6380/1"
    environ(REDIS_URL="http://:hunter3@cache:6379")
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value.code)
    assert "REDIS_URL: must be a Redis URL" in message
    assert "hunter3" not in message
{%- if cookiecutter.worker %}


def test_settings_bound_the_worker_heartbeat_timeout(environ):
    """The redelivery delay after a crash defaults to 15 s and must be sensible."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL="sqlite:///db.sqlite3")
    assert load_settings().worker_heartbeat_timeout == 15
    environ(WORKER_HEARTBEAT_TIMEOUT="1")
    with pytest.raises(SystemExit, match="WORKER_HEARTBEAT_TIMEOUT: "):
        load_settings()
{%- endif %}


def test_settings_treat_empty_values_as_unset(environ):
    """An empty variable takes the default, or is reported as required."""
    environ(SECRET_KEY="", DATABASE_URL="sqlite:///db.sqlite3", DEBUG="", PORT="")
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value.code)
    assert "SECRET_KEY: required" in message
    assert "\n  DEBUG: " not in message
    assert "\n  PORT: " not in message


def test_settings_allow_loopback_hosts_always(environ):
    """In debug, no ALLOWED_HOSTS is needed; loopback names are always served."""
    environ(SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:///db.sqlite3", DEBUG="true")
    settings = load_settings()
    assert settings.allowed_hosts == []
    assert settings.hosts == ["localhost", "127.0.0.1", "[::1]"]


def test_settings_prefer_real_environment_over_dotenv(environ, tmp_path):
    """A `.env` file fills in missing variables but never overrides real ones."""
    (tmp_path / ".env").write_text(
        f"SECRET_KEY={STRONG_KEY}\nDEBUG=true\nLOG_FORMAT=console\n"
        "DATABASE_URL=sqlite:///from-dotenv.sqlite3\n"
    )
    environ(DATABASE_URL="sqlite:///from-environment.sqlite3")
    settings = load_settings()
    assert settings.debug is True
    assert settings.log_format == "console"
    assert settings.database_url == "sqlite:///from-environment.sqlite3"


def test_settings_let_an_empty_variable_turn_off_dotenv(environ, tmp_path):
    """An empty real variable counts as unset, and `.env` cannot fill it in."""
    (tmp_path / ".env").write_text(
        f"SECRET_KEY={STRONG_KEY}\nDEBUG=true\nDATABASE_URL=sqlite:///db.sqlite3\n"
        "REDIS_URL=redis://127.0.0.1:6379/0\n"
    )
    assert load_settings().redis_url == "redis://127.0.0.1:6379/0"
    environ(REDIS_URL="")
    assert load_settings().redis_url is None


def test_settings_read_secrets_from_files(environ, tmp_path):
    """`<NAME>_FILE` names a file holding the secret, read without its last newline."""
    (tmp_path / "key").write_text(STRONG_KEY + "\n")
    (tmp_path / "db").write_text("postgres://app:hunter2@db:5432/app\n")
    environ(
        SECRET_KEY_FILE=str(tmp_path / "key"),
        DATABASE_URL_FILE=str(tmp_path / "db"),
        DEBUG="true",
    )
    settings = load_settings()
    assert settings.secret_key.get_secret_value() == STRONG_KEY
    assert settings.database_url == "postgres://app:hunter2@db:5432/app"
    # Read as bytes: a carriage return inside the value stays what it was.
    odd_key = STRONG_KEY[:20] + "\r" + STRONG_KEY[20:]
    (tmp_path / "key").write_bytes(odd_key.encode() + b"\r\n")
    assert load_settings().secret_key.get_secret_value() == odd_key


def test_settings_refuse_a_secret_given_twice_or_unreadable(environ, tmp_path):
    """Both `<NAME>` and `<NAME>_FILE`, or a missing file: one message, no secret."""
    (tmp_path / "key").write_text(STRONG_KEY)
    environ(
        SECRET_KEY=STRONG_KEY,
        SECRET_KEY_FILE=str(tmp_path / "key"),
        DATABASE_URL_FILE=str(tmp_path / "missing"),
        DEBUG="true",
    )
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value.code)
    assert message.startswith("Configuration error: 2 environment variables to fix.")
    assert "SECRET_KEY_FILE: set together with SECRET_KEY; set only one" in message
    assert f"DATABASE_URL_FILE: cannot read {tmp_path / 'missing'}" in message
    assert "DATABASE_URL: required" not in message
    assert STRONG_KEY not in message


def test_settings_describe_masks_secrets(environ):
    """The effective settings are shown by name with the secrets masked."""
    environ(
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL="postgres://app:hunter2@db:5432/app",
        REDIS_URL="redis://:hunter3@cache:6379/0",
        ALLOWED_HOSTS="example.com",
    )
    shown = load_settings().describe()
    assert shown["SECRET_KEY"] == "********"  # noqa: S105 (the mask, not a key)
    assert shown["DATABASE_URL"] == "postgres://app:********@db:5432/app"
    assert shown["REDIS_URL"] == "redis://:********@cache:6379/0"
    assert shown["ALLOWED_HOSTS"] == ["example.com"]
    assert STRONG_KEY not in repr(shown)
