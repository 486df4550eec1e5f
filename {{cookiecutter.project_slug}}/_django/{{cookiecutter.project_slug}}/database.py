"""DATABASE_URL, read by dj-database-url for Django (factor IV: backing services)."""

from typing import Annotated, Any

import dj_database_url
from pydantic import PlainSerializer, PlainValidator

from {{cookiecutter.project_slug}}.limits import (
    DATABASE_BUSY_TIMEOUT,
    DATABASE_CONNECT_TIMEOUT,
)

EXAMPLES = "sqlite:///db.sqlite3 or postgres://user:password@host:5432/name"
ENGINES = ("django.db.backends.sqlite3", "django.db.backends.postgresql")


def parse(value: str) -> dj_database_url.DBConfig:
    """Return the `DATABASES` entry, or say what a database URL must look like."""
    try:
        database = dj_database_url.parse(
            # Keep connections open across requests, and check them before reuse.
            value,
            conn_max_age=600,
            conn_health_checks=True,
        )
    except ValueError:
        database = {}
    if database.get("ENGINE") not in ENGINES:
        raise ValueError(f"must be a database URL such as {EXAMPLES}")
    if not database["NAME"]:
        raise ValueError(f"must name a database: {EXAMPLES}")
    if database["ENGINE"] == ENGINES[0]:
        # Readers beside a writer (write-ahead log), no disk sync per commit, and a
        # writer that waits for the lock: https://sqlite.org/wal.html
        database.setdefault("OPTIONS", {}).update(
            init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            transaction_mode="IMMEDIATE",
            timeout=DATABASE_BUSY_TIMEOUT,
        )
    if database["ENGINE"] == ENGINES[1]:
        database.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", DATABASE_CONNECT_TIMEOUT
        )
    return database


def describe(database: dict[str, Any]) -> str:
    """Return the database as a URL, its password masked."""
    if database["ENGINE"] == ENGINES[0]:
        return f"sqlite:///{database['NAME']}"
    password = ":***" if database["PASSWORD"] else ""
    where = f"{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return f"postgresql://{database['USER']}{password}@{where}"


DatabaseURL = Annotated[
    dict[str, Any], PlainValidator(parse), PlainSerializer(describe)
]
