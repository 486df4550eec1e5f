"""Requests the service cannot serve get a short, generic answer (factor IX)."""

import pytest
from django.db import ProgrammingError
from django.test import Client

from visits import views

# What a browser sends for a page.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/no-such-page"])
def test_body_over_the_limit_gets_413_before_any_view(
    client, settings, log_lines, path
):
    """A body larger than MAX_REQUEST_BYTES gets 413 and one warning, on any URL."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    # Under the limit they answer 405, the login form again, and 404.
    response = client.post(path, b"x" * 1025, content_type="text/plain")
    assert response.status_code == 413
    assert response.json() == {"error": "request body too large"}
    [line] = log_lines()
    assert line["level"] == "WARNING"
    assert line["message"] == (
        f"request body too large: POST {path} declares 1025 bytes, the limit is 1024"
    )


def test_body_at_the_limit_reaches_the_view(client, settings):
    """A body of exactly MAX_REQUEST_BYTES is let through."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("/healthz", b"x" * 1024, content_type="text/plain")
    assert response.status_code == 405


@pytest.mark.django_db
def test_page_answers_503_while_the_database_is_down_then_recovers(
    client, unreachable_database, log_lines
):
    """Without its database the home page is a generic 503; the same app recovers."""
    response = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Service unavailable</h1>" in response.text
    assert "OperationalError" not in response.text
    assert "nonexistent" not in response.text
    # One line, naming the error's type: its message may carry the database URL.
    [line] = log_lines()
    assert line["level"] == "WARNING"
    assert line["message"] == "database unavailable (OperationalError)"

    unreachable_database()  # the database is back
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_database_down_answers_json_to_other_clients(
    client, unreachable_database, accept
):
    """A client that does not ask for HTML gets the 503 as JSON, on any URL."""
    headers = {"Accept": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 503
    assert response.json() == {"error": "the database is unavailable"}


@pytest.mark.django_db
def test_database_bug_stays_a_500(monkeypatch):
    """Only a database that cannot be reached makes a 503; a bad query is a 500."""

    def bad_query(*args: object, **kwargs: object) -> None:
        raise ProgrammingError("no such column")

    monkeypatch.setattr(views, "render", bad_query)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500


def explode(*args: object, **kwargs: object) -> None:
    """Fail as a bug in a view would."""
    raise RuntimeError("internal detail")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/no-such-page", 404), ("post", "/healthz", 405), ("get", "/", 500)],
)
def test_error_pages_are_generic_without_debug(
    monkeypatch, settings, method, path, status
):
    """With DEBUG off, error pages show no traceback, setting or exception text."""
    monkeypatch.setattr(views, "render", explode)
    response = getattr(Client(raise_request_exception=False), method)(path)
    assert response.status_code == status
    for secret in ("Traceback", "internal detail", "URLconf", settings.SECRET_KEY):
        assert secret not in response.content.decode()


@pytest.mark.django_db
def test_debug_pages_show_the_error_with_debug(settings, unreachable_database):
    """With DEBUG on, Django's debug pages stay, for a database that is down too."""
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    assert "URLconf" in client.get("/no-such-page").text
    response = client.get("/")
    assert response.status_code == 500
    assert "OperationalError" in response.text
