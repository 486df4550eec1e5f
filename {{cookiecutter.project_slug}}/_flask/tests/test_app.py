"""DATABASE_URL is mapped to the URL that SQLAlchemy and psycopg 3 expect."""

import pytest

from {{cookiecutter.project_slug}}.app import sqlalchemy_url


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_sqlalchemy_url_uses_psycopg(scheme):
    """PostgreSQL URLs get the psycopg 3 driver and a connect timeout."""
    url = sqlalchemy_url(f"{scheme}://app:p%40ss@db.internal:5432/app?sslmode=require")
    assert url == (
        "postgresql+psycopg://app:p%40ss@db.internal:5432/app"
        "?connect_timeout=5&sslmode=require"
    )


def test_sqlalchemy_url_keeps_a_given_connect_timeout():
    """A connect timeout set in DATABASE_URL wins."""
    url = sqlalchemy_url("postgres://app@db:5432/app?connect_timeout=30")
    assert url == "postgresql+psycopg://app@db:5432/app?connect_timeout=30"


def test_sqlalchemy_url_relative_sqlite_from_working_directory(monkeypatch, tmp_path):
    """A relative SQLite path is resolved against the working directory."""
    monkeypatch.chdir(tmp_path)
    assert sqlalchemy_url("sqlite:///db.sqlite3") == f"sqlite:///{tmp_path}/db.sqlite3"


def test_sqlalchemy_url_absolute_sqlite_unchanged():
    """An absolute SQLite path is kept as it is."""
    assert sqlalchemy_url("sqlite:////var/data/db.sqlite3") == (
        "sqlite:////var/data/db.sqlite3"
    )
