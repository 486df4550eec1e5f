"""The bare Flask baseline: /healthz as the generated app answers it, /readyz with SELECT 1.

No extensions, no config layer, no middleware: what any Flask service costs at least.
One database connection per worker, opened on first use and kept, like a pool of one.
"""

import os
import sqlite3

from flask import Flask

application = Flask(__name__)
_connection = None


def connection():
    """Return this worker's database connection, opened from DATABASE_URL once."""
    global _connection
    if _connection is None:
        url = os.environ["DATABASE_URL"]
        if url.startswith("sqlite:///"):
            _connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        else:
            import psycopg

            _connection = psycopg.connect(url, autocommit=True)
    return _connection


@application.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@application.get("/readyz")
def readyz() -> dict[str, object]:
    connection().execute("SELECT 1").fetchone()
    return {"status": "ok", "checks": {"database": "ok"}}
