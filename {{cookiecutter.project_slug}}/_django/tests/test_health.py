"""The probes a platform uses: liveness and readiness (factor IX: disposability)."""

import os

import pytest

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


@pytest.mark.django_db
def test_readyz_answers_503_when_redis_is_unreachable(client, redis_down, log_lines):
    """With REDIS_URL set and Redis gone, /readyz answers 503 naming redis only."""
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable"},
    }
    [warning] = [line for line in log_lines() if line["level"] == "WARNING"]
    assert warning["message"] == "readiness check failed: redis (ConnectionError)"
    assert "127.0.0.1:1" not in warning["message"]


@pytest.fixture
def live_redis_url() -> str:
    """Return the URL of a real Redis server from the environment, or skip."""
    url = os.environ.get("LIVE_REDIS_URL")
    if not url:
        message = "set REDIS_URL to a Redis server to run this test"
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide Redis: {message}")
        pytest.skip(message)
    return url


@pytest.mark.django_db
def test_readyz_checks_a_live_redis(client, settings, live_redis_url):
    """With REDIS_URL naming a live Redis, /readyz answers 200 with both checks ok."""
    settings.REDIS_URL = live_redis_url
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok"},
    }
