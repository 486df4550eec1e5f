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
    assert settings.SECRET_KEY.get_secret_value() == STRONG_KEY
    assert settings.DEBUG is False
    assert settings.ALLOWED_HOSTS == ["example.com", ".example.org"]
    assert settings.LOG_LEVEL == "WARNING"
    assert settings.LOG_FORMAT == "json"
    assert settings.PORT == 9000
    assert settings.WEB_CONCURRENCY == 2
    assert settings.SECURE_SSL_REDIRECT is False


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
    [
        "sqlite:///db.sqlite3",
        "sqlite:////var/data/app.db",
        "sqlite:///:memory:",
        "postgresql://h/app",
        "postgres://app:p%40ss@[::1]:5432/app?sslmode=require",
    ],
)
def test_settings_accept_supported_database_urls(environ, url):
    """SQLite paths and PostgreSQL URLs are read by the framework's database library."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL=url)
    shown = load_settings().describe()["DATABASE_URL"]
    assert shown.startswith("sqlite" if url.startswith("sqlite") else "postgresql")
    assert "p%40ss" not in shown


@pytest.mark.parametrize("url", ["postgres://host", "postgres://host/"])
def test_settings_reject_database_urls_naming_no_database(environ, url):
    """A URL without a database name is refused."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL=url)
    with pytest.raises(SystemExit, match="DATABASE_URL: must name a database"):
        load_settings()


@pytest.mark.parametrize(
    "url",
    [
        "nonsense",
        "mysql://app:hunter2@db/app",
        "postgres://app:hunter2@db:abc/app",
        "postgres://app:hunter2@db:99999/app",
    ],
)
def test_settings_reject_malformed_database_urls(environ, url):
    """What the database library cannot read stops the process, naming no password."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL=url)
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value.code)
    assert message.startswith("Configuration error: 1 environment variable to fix.")
    assert "\n  DATABASE_URL: must " in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    "url", ["redis:", "REDIS://cache/0", "cache:6379", "http://cache:6379/0"]
)
def test_settings_reject_malformed_redis_urls(environ, url):
    """A Redis URL is one that redis-py reads: redis://, rediss:// or unix://."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL="sqlite:///db.sqlite3")
    environ(REDIS_URL=url)
    with pytest.raises(SystemExit, match="REDIS_URL: must "):
        load_settings()


def test_settings_take_redis_url_as_optional(environ):
    """Without REDIS_URL there is no Redis; with it, it must be a Redis URL."""
    environ(SECRET_KEY=STRONG_KEY, DEBUG="true", DATABASE_URL="sqlite:///db.sqlite3")
    assert load_settings().REDIS_URL is None
    environ(REDIS_URL="rediss://:pw@cache:6380/1")
    assert load_settings().REDIS_URL == "rediss://:pw@cache:6380/1"
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
    assert load_settings().WORKER_HEARTBEAT_TIMEOUT == 15
    environ(WORKER_HEARTBEAT_TIMEOUT="1")
    with pytest.raises(SystemExit, match="WORKER_HEARTBEAT_TIMEOUT: "):
        load_settings()
{%- endif %}


def test_settings_read_upper_case_names_only(environ, monkeypatch):
    """`secret_key` is another variable than SECRET_KEY, and is not read."""
    monkeypatch.setenv("secret_key", STRONG_KEY)
    monkeypatch.setenv("database_url", "sqlite:///db.sqlite3")
    monkeypatch.setenv("debug", "true")
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value.code)
    for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"):
        assert f"\n  {name}: " in message
    environ(SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:///db.sqlite3", DEBUG="false")
    environ(ALLOWED_HOSTS="example.com")
    assert load_settings().DEBUG is False


@pytest.mark.parametrize(
    ("value", "meaning"),
    [("true", True), ("TRUE", True), ("1", True), ("Yes", True), ("on", True),
     ("t", True), ("false", False), ("0", False), ("NO", False), ("off", False)],
)  # fmt: skip
def test_settings_read_flags_in_their_documented_spellings(environ, value, meaning):
    """As pydantic reads a bool: true/false, 1/0, yes/no, on/off, t/f, y/n, any case."""
    environ(SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:///db.sqlite3", DEBUG="true")
    environ(SECURE_SSL_REDIRECT=value)
    assert load_settings().SECURE_SSL_REDIRECT is meaning


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", " true"), ("DEBUG", "2"), ("PORT", "80.5"), ("PORT", "1e3"),
     ("PORT", "\u0668\u0660"), ("PORT", "0"), ("MAX_REQUEST_BYTES", "1MB"),
     ("LOG_LEVEL", "verbose"), ("LOG_FORMAT", "xml"), ("ALLOWED_HOSTS", "*"),
     ("ALLOWED_HOSTS", "host:8000")],
)  # fmt: skip
def test_settings_refuse_values_the_docs_do_not_give_a_meaning(environ, name, value):
    """What pydantic cannot read as the documented type is an error, not a guess."""
    environ(SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:///db.sqlite3")
    environ(DEBUG="false", ALLOWED_HOSTS="example.com")
    environ(**{name: value})
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    assert str(exit_info.value.code).startswith(
        f"Configuration error: 1 environment variable to fix.\n  {name}: "
    )


def test_settings_read_case_variants_and_hosts_as_documented(environ):
    """LOG_LEVEL and LOG_FORMAT in any case; host names lower-cased, spaces dropped."""
    environ(SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:///db.sqlite3")
    environ(LOG_LEVEL="Warning", LOG_FORMAT="CONSOLE", PORT="08000")
    environ(ALLOWED_HOSTS=" Example.COM ,, .example.org,[::1]")
    settings = load_settings()
    assert (settings.LOG_LEVEL, settings.LOG_FORMAT) == ("WARNING", "console")
    assert settings.PORT == 8000
    assert settings.ALLOWED_HOSTS == ["example.com", ".example.org", "[::1]"]


def test_settings_read_an_empty_web_concurrency_as_unset(environ):
    """An empty WEB_CONCURRENCY is unset, as any variable: the web process gets 2."""
    environ(SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:///db.sqlite3", DEBUG="true")
    environ(WEB_CONCURRENCY="")
    assert load_settings().WEB_CONCURRENCY == 2


def test_settings_refuse_values_that_are_not_utf8(environ):
    """Bytes that are not UTF-8 text stop the process, without being shown."""
    environ(SECRET_KEY=STRONG_KEY + "\udcff", DATABASE_URL="sqlite:///db.sqlite3")
    environ(DEBUG="true")
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value.code)
    assert "SECRET_KEY: must be UTF-8 text" in message
    assert STRONG_KEY not in message


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
    assert settings.ALLOWED_HOSTS == []
    assert settings.hosts == ["localhost", "127.0.0.1", "[::1]"]


def test_settings_prefer_real_environment_over_dotenv(environ, tmp_path):
    """A `.env` file fills in missing variables but never overrides real ones."""
    (tmp_path / ".env").write_text(
        f"SECRET_KEY={STRONG_KEY}\nDEBUG=true\nLOG_FORMAT=console\n"
        "DATABASE_URL=sqlite:///from-dotenv.sqlite3\n"
    )
    environ(DATABASE_URL="sqlite:///from-environment.sqlite3")
    settings = load_settings()
    assert settings.DEBUG is True
    assert settings.LOG_FORMAT == "console"
    assert settings.describe()["DATABASE_URL"].endswith("/from-environment.sqlite3")


def test_settings_fill_an_empty_variable_from_dotenv(environ, tmp_path):
    """An empty real variable counts as unset, so `.env` fills it in."""
    (tmp_path / ".env").write_text(
        f"SECRET_KEY={STRONG_KEY}\nDEBUG=true\nDATABASE_URL=sqlite:///db.sqlite3\n"
        "REDIS_URL=redis://127.0.0.1:6379/0\n"
    )
    environ(REDIS_URL="")
    assert load_settings().REDIS_URL == "redis://127.0.0.1:6379/0"


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
    assert settings.SECRET_KEY.get_secret_value() == STRONG_KEY
    assert "app:***@db:5432/app" in settings.describe()["DATABASE_URL"]
    # Read as bytes: a carriage return inside the value stays what it was.
    odd_key = STRONG_KEY[:20] + "\r" + STRONG_KEY[20:]
    (tmp_path / "key").write_bytes(odd_key.encode() + b"\r\n")
    assert load_settings().SECRET_KEY.get_secret_value() == odd_key


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
    assert (
        f"SECRET_KEY_FILE: {tmp_path / 'key'} is set together with SECRET_KEY;"
        " set only one"
    ) in message
    assert f"DATABASE_URL_FILE: cannot read {tmp_path / 'missing'}" in message
    assert "DATABASE_URL: required" not in message
    assert STRONG_KEY not in message


def test_settings_refuse_an_empty_secret_file(environ, tmp_path):
    """A file holding nothing (or just a newline) is an error, not an unset secret."""
    (tmp_path / "redis").write_text("\n")
    environ(
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL="sqlite:///db.sqlite3",
        DEBUG="true",
        REDIS_URL_FILE=str(tmp_path / "redis"),
    )
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value.code)
    assert message.startswith("Configuration error: 1 environment variable to fix.")
    assert f"REDIS_URL_FILE: {tmp_path / 'redis'} is empty" in message


def test_settings_describe_masks_secrets(environ):
    """The effective settings are shown by name with the secrets masked."""
    environ(
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL="postgres://app:hunter2@db:5432/app",
        REDIS_URL="redis://:hunter3@cache:6379/0",
        ALLOWED_HOSTS="example.com",
    )
    shown = load_settings().describe()
    assert set(shown["SECRET_KEY"]) == {"*"}
    assert "app:***@db:5432/app" in shown["DATABASE_URL"]
    assert shown["REDIS_URL"] == "redis://:***@cache:6379/0"
    assert shown["ALLOWED_HOSTS"] == ["example.com"]
    assert STRONG_KEY not in repr(shown)


def test_email_url_is_read_masked_and_checked(environ, tmp_path):
    """EMAIL_URL may come from a file, is shown masked, and a bad one is named."""
    secret = tmp_path / "email_url"
    secret.write_text("smtps://mailer:hunter4%40x@mail.example.com:465\n")
    environ(SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:///db", DEBUG="true")
    environ(EMAIL_URL_FILE=str(secret), DEFAULT_FROM_EMAIL="Service <s@example.com>")
    settings = load_settings()
    assert settings.EMAIL_URL == "smtps://mailer:hunter4%40x@mail.example.com:465"
    assert settings.describe()["EMAIL_URL"] == "smtps://mailer:***@mail.example.com:465"
    environ(EMAIL_URL_FILE="", EMAIL_URL="smtp://mailer@mail.example.com")
    with pytest.raises(SystemExit, match="EMAIL_URL: must be smtp://"):
        load_settings()


def test_settings_leave_telemetry_off_unless_set(environ):
    """Metrics and traces are off by default; a bad port or endpoint is an error."""
    environ(SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:///db.sqlite3", DEBUG="true")
    settings = load_settings()
    assert settings.METRICS_PORT is None
    assert settings.OTEL_EXPORTER_OTLP_ENDPOINT is None
    environ(METRICS_PORT="9100", OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318")
    settings = load_settings()
    assert settings.METRICS_PORT == 9100
    assert str(settings.OTEL_EXPORTER_OTLP_ENDPOINT) == "http://collector:4318/"
    # The worker's metrics are on the next port, which must exist too.
    environ(METRICS_PORT="65535", OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318")
    with pytest.raises(SystemExit) as exit_info:
        load_settings()
    message = str(exit_info.value)
    assert "METRICS_PORT" in message
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" in message
