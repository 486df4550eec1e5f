"""DATABASE_URL, read by SQLAlchemy, which connects to it (factor IV)."""

import sqlite3
from pathlib import Path
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError

from {{cookiecutter.project_slug}}.limits import (
    DATABASE_BUSY_TIMEOUT,
    DATABASE_CONNECT_TIMEOUT,
)

EXAMPLES = "sqlite:///db.sqlite3 or postgres://user:password@host:5432/name"


def parse(value: str) -> URL:
    """Return the URL for the engine, or say what a database URL must look like."""
    backend: str | None
    port: int | None
    try:
        url = make_url(value)
        backend, port = url.get_backend_name(), url.port
    except (ArgumentError, ValueError):
        backend = port = None
    if backend not in ("sqlite", "postgres", "postgresql"):
        raise ValueError(f"must be a database URL such as {EXAMPLES}")
    if not url.database:
        raise ValueError(f"must name a database: {EXAMPLES}")
    if port is not None and not 1 <= port <= 65535:
        raise ValueError("must have a port from 1 to 65535 after the host")
    if backend == "sqlite":
        if url.host or url.drivername not in ("sqlite", "sqlite+pysqlite"):
            raise ValueError(f"must be a database URL such as {EXAMPLES}")
        # Relative to the working directory, as for every process; Flask-SQLAlchemy
        # would otherwise put it in the instance folder.
        if url.database != ":memory:":
            url = url.set(database=str(Path(url.database).absolute()))
        return url
    url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict(
        {"connect_timeout": str(DATABASE_CONNECT_TIMEOUT), **url.query}
    )


DatabaseURL = Annotated[
    URL,
    PlainValidator(parse),
    PlainSerializer(lambda url: url.render_as_string(hide_password=True)),
]


@event.listens_for(Engine, "connect")
def configure_sqlite(connection: object, record: object) -> None:
    """Let SQLite serve several processes: https://sqlite.org/wal.html

    Readers beside a writer (write-ahead log), no disk sync per commit, and a
    writer that waits for the lock instead of failing with "database is locked".
    """
    if isinstance(connection, sqlite3.Connection):
        connection.execute(f"PRAGMA busy_timeout={DATABASE_BUSY_TIMEOUT * 1000}")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
