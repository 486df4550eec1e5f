"""Fixtures: static files collected as the build does, the log stream, a dead Redis."""

import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
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
    handler = next(h for h in logging.getLogger().handlers if h.name == "stdout")
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
