"""Errors reach the log stream as single JSON events (factor XI: logs)."""

import pytest
from django.test import Client

from visits import views


@pytest.mark.django_db
def test_exception_is_logged_as_one_json_line(monkeypatch, log_lines):
    """An unhandled exception is one JSON line with its traceback and request id."""

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render", explode)
    response = Client(raise_request_exception=False).get(
        "/", headers={"X-Request-ID": "error-trace-1"}
    )
    assert response.status_code == 500
    assert response["X-Request-ID"] == "error-trace-1"
    errors = [line for line in log_lines() if "exc_info" in line]
    assert len(errors) == 1
    assert errors[0]["level"] == "ERROR"
    assert errors[0]["request_id"] == "error-trace-1"
    assert errors[0]["exc_info"].startswith("Traceback (most recent call last):")
    assert errors[0]["exc_info"].endswith("RuntimeError: boom")
