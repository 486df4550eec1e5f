"""DATABASE_URL becomes the URL that SQLAlchemy and psycopg 3 expect (factor IV)."""

import pytest
from sqlalchemy import create_engine

from {{cookiecutter.project_slug}}.database import parse


def rendered(value: str) -> str:
    """Return the URL parsed from the value, as a string, password included."""
    return parse(value).render_as_string(hide_password=False)


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_database_url_uses_psycopg(scheme):
    """PostgreSQL URLs get the psycopg 3 driver and a connect timeout."""
    url = rendered(f"{scheme}://app:p%40ss@db.internal:5432/app?sslmode=require")
    assert url == (
        "postgresql+psycopg://app:p%40ss@db.internal:5432/app"
        "?connect_timeout=5&sslmode=require"
    )


def test_database_url_keeps_a_given_connect_timeout():
    """A connect timeout set in DATABASE_URL wins."""
    url = rendered("postgres://app@db:5432/app?connect_timeout=30")
    assert url == "postgresql+psycopg://app@db:5432/app?connect_timeout=30"


def test_database_url_relative_sqlite_from_working_directory(monkeypatch, tmp_path):
    """A relative SQLite path is resolved against the working directory."""
    monkeypatch.chdir(tmp_path)
    assert rendered("sqlite:///db.sqlite3") == f"sqlite:///{tmp_path}/db.sqlite3"


def test_database_url_absolute_sqlite_unchanged():
    """An absolute SQLite path is kept as it is."""
    url = "sqlite:////var/data/db.sqlite3"
    assert rendered(url) == url


def test_sqlite_connections_suit_several_processes(tmp_path):
    """SQLite connections use the write-ahead log, sync less and wait for the lock."""
    engine = create_engine(parse(f"sqlite:///{tmp_path}/db.sqlite3"))
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert pragma("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()
