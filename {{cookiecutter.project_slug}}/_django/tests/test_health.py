"""The probes a platform uses: liveness and readiness (factor IX: disposability)."""

from collections.abc import Iterator

import pytest
from django.db import connections

from {{ cookiecutter.project_slug }}.logs import request_id


def test_healthz_answers_ok_without_the_database(client):
    """/healthz answers 200; the test has no database access, so it uses none."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_answers_ok_when_the_database_answers(client):
    """/readyz answers 200 and names the database check."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.fixture
def unreachable_database(django_db_blocker) -> Iterator[None]:
    """Point the default connection at a database that cannot be reached."""
    default = connections["default"]
    # A missing directory for SQLite, a closed port for PostgreSQL.
    broken_settings = {
        **default.settings_dict,
        "NAME": "/nonexistent/db.sqlite3",
        "HOST": "127.0.0.1",
        "PORT": "1",
    }
    connections["default"] = type(default)(broken_settings, "default")
    try:
        with django_db_blocker.unblock():
            yield
    finally:
        connections["default"].close()
        connections["default"] = default


def test_readyz_answers_503_when_the_database_is_unreachable(
    client, unreachable_database, log_lines
):
    """/readyz answers 503 naming the failed check, and logs a warning naming it."""
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable"},
    }
    lines = log_lines()
    [warning] = [line for line in lines if line["level"] == "WARNING"]
    assert "database" in warning["message"]
    assert "OperationalError" in warning["message"]
    # Django's own "Service Unavailable" line too: every line of the request.
    assert len(lines) == 2
    assert {line["request_id"] for line in lines} == {response["X-Request-ID"]}
    assert request_id.get() is None
