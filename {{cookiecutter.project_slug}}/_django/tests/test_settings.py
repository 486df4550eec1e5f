"""Django's settings come from the environment variables (factor III: config)."""

import importlib.util
import os
import subprocess
import sys

import pytest
from django.conf import settings

from {{ cookiecutter.project_slug }}.limits import (
    DATABASE_BUSY_TIMEOUT,
    DATABASE_CONNECT_TIMEOUT,
    REDIS_TIMEOUT,
)

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "production-like-key-for-the-deploy-check-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "service.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


@pytest.fixture
def load_settings_module(monkeypatch):
    """Return a function that runs the settings module afresh with some variables."""

    def load(**variables: str) -> dict:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        spec = importlib.util.find_spec("{{ cookiecutter.project_slug }}.settings")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return vars(module)

    return load


def test_settings_map_a_postgres_url_to_databases(load_settings_module):
    """DATABASE_URL becomes the default database, kept open and health-checked."""
    loaded = load_settings_module(DATABASE_URL="postgres://app:pw@db.internal:5433/app")
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "app",
        "app",
        "pw",
    )
    assert (database["HOST"], database["PORT"]) == ("db.internal", 5433)
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"] == {"connect_timeout": DATABASE_CONNECT_TIMEOUT}


def test_settings_keep_a_connect_timeout_from_the_url(load_settings_module):
    """A connect_timeout in DATABASE_URL wins over the default one."""
    url = "postgres://app:pw@db.internal:5432/app?connect_timeout=10"
    loaded = load_settings_module(DATABASE_URL=url)
    assert loaded["DATABASES"]["default"]["OPTIONS"] == {"connect_timeout": 10}


def test_settings_map_a_sqlite_url_to_databases(load_settings_module):
    """A relative SQLite path is relative to the working directory."""
    loaded = load_settings_module(DATABASE_URL="sqlite:///data/app.sqlite3")
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == "data/app.sqlite3"
    assert database["OPTIONS"] == {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": DATABASE_BUSY_TIMEOUT,
    }


def test_settings_cache_in_memory_without_redis(load_settings_module):
    """Without REDIS_URL, each process caches in its own memory."""
    loaded = load_settings_module()
    assert loaded["REDIS_URL"] is None
    assert loaded["CACHES"] == {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


def test_settings_cache_in_redis_with_short_timeouts(load_settings_module):
    """With REDIS_URL, the cache is in Redis and gives up on it quickly."""
    loaded = load_settings_module(REDIS_URL="redis://cache.internal:6379/2")
    assert loaded["REDIS_URL"] == "redis://cache.internal:6379/2"
    assert loaded["CACHES"] == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://cache.internal:6379/2",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        },
    }


def test_settings_limit_request_bodies(load_settings_module):
    """MAX_REQUEST_BYTES sets the largest request body accepted."""
    assert load_settings_module()["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 1_048_576
    loaded = load_settings_module(MAX_REQUEST_BYTES="2048")
    assert loaded["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 2048


def test_settings_secure_cookies_unless_debug(load_settings_module):
    """Cookies are Secure with DEBUG off, and not with DEBUG on."""
    assert load_settings_module(DEBUG="false")["SESSION_COOKIE_SECURE"] is True
    debug = load_settings_module(DEBUG="true")
    assert debug["DEBUG"] is True
    assert debug["SESSION_COOKIE_SECURE"] is False
    assert debug["CSRF_COOKIE_SECURE"] is False


def test_settings_map_security_variables(load_settings_module):
    """The SECURE_* variables and ALLOWED_HOSTS reach Django's settings."""
    loaded = load_settings_module(**PRODUCTION)
    assert loaded["ALLOWED_HOSTS"] == [
        "service.example.com",
        "localhost",
        "127.0.0.1",
        "[::1]",
    ]
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 31536000
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert loaded["SECURE_HSTS_PRELOAD"] is True


def check_deploy(**variables: str) -> subprocess.CompletedProcess:
    """Run `manage.py check --deploy --fail-level WARNING` with these variables."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_pass_the_deploy_check_in_production():
    """Django's deployment checklist finds nothing with a production environment."""
    result = check_deploy(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_settings_fail_the_deploy_check_without_hsts():
    """The deploy check notices a missing HSTS header, so it guards the settings."""
    result = check_deploy(**{**PRODUCTION, "SECURE_HSTS_SECONDS": "0"})
    assert result.returncode == 1
    assert "security.W004" in result.stderr
