"""Fixtures: an app on a fresh, migrated SQLite database, its client and CLI runner.

The variables the tests run with are set in pyproject.toml; each test makes its
own settings on top. Tests that need a real Redis ask for `redis_url`.
"""

import os
from typing import Any

import flask_migrate
import pytest

from {{cookiecutter.project_slug}}.app import create_app
from {{cookiecutter.project_slug}}.config import Settings
from {{cookiecutter.project_slug}}.extensions import db

SECRET_KEY = os.environ["SECRET_KEY"]
# Nothing listens on port 1: connecting fails at once.
DEAD_REDIS_URL = "redis://:redis-password@127.0.0.1:1/0"
DEAD_DATABASE_URL = "postgres://app:db-password@127.0.0.1:1/app"


@pytest.fixture
def make_settings(tmp_path):
    """Return a factory of settings on a fresh SQLite database, ignoring `.env`."""

    def make(**overrides: Any) -> Settings:
        database_url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return Settings(_env_file=None, **{"DATABASE_URL": database_url, **overrides})

    return make


@pytest.fixture
def make_app(make_settings):
    """Return a factory of apps on a fresh, migrated SQLite database."""
    apps = []

    def make(**overrides: object):
        app = create_app(make_settings(**overrides))
        app.config["TESTING"] = True
        with app.app_context():
            flask_migrate.upgrade()
        apps.append(app)
        return app

    yield make
    # Close pooled connections now rather than when garbage collected.
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """Return an app with the default test settings."""
    return make_app()


@pytest.fixture
def client(app):
    """Return a test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a runner for the app's `flask` commands."""
    return app.test_cli_runner()


@pytest.fixture
def redis_url() -> str:
    """Return the shell's REDIS_URL, a real Redis; skip without one, but fail in CI."""
    url = os.environ.get("LIVE_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a Redis server in REDIS_URL")
        pytest.skip("needs a Redis server: set REDIS_URL=redis://127.0.0.1:6379/1")
    return url
