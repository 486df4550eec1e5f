"""Fixtures for every app's tests: static files, the log stream, dead services."""

import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings


@pytest.fixture(scope="session", autouse=True)
def static_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Collect static files once into a throwaway STATIC_ROOT, with hashed names."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict]]]:
    """Capture what the stdout log handler writes; each line must be JSON."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and h.name == "stdout"
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


@pytest.fixture
def redis_down(settings) -> str:
    """Point REDIS_URL and the cache at a port where nothing listens; return the URL."""
    url = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
        },
    }
    return url


@pytest.fixture
def unreachable_database(django_db_blocker) -> Iterator[Callable[[], None]]:
    """Point the default connection at a database that cannot be reached.

    Yield a function that points it back, as when the database returns.
    """
    default = connections["default"]
    # A missing directory for SQLite, a closed port for PostgreSQL.
    broken_settings = {
        **default.settings_dict,
        "NAME": "/nonexistent/db.sqlite3",
        "HOST": "127.0.0.1",
        "PORT": "1",
    }
    connections["default"] = type(default)(broken_settings, "default")

    def restore() -> None:
        connections["default"].close()
        connections["default"] = default

    try:
        with django_db_blocker.unblock():
            yield restore
    finally:
        if connections["default"] is not default:
            restore()
