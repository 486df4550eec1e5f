"""Oversized requests and a database outage get generic answers (factor IX)."""

import json

import flask_migrate
import pytest
from conftest import DEAD_DATABASE_URL, SECRET_KEY
from flask import request
from sqlalchemy.exc import OperationalError

from {{cookiecutter.project_slug}}.app import create_app
from {{cookiecutter.project_slug}}.extensions import db


def warnings(output: str) -> list[str]:
    """Return the messages of the WARNING lines in the JSON log output."""
    records = [json.loads(line) for line in output.splitlines()]
    return [record["message"] for record in records if record["level"] == "WARNING"]


def test_body_over_the_limit_refused_before_any_view(make_app, capsys):
    """A body declared larger than MAX_REQUEST_BYTES gets 413 on any URL, unread."""
    app = make_app(MAX_REQUEST_BYTES=1024)
    bodies = []

    @app.post("/upload")
    def upload():
        bodies.append(request.get_data())
        return "stored"

    client = app.test_client()
    assert client.post("/upload", data=b"x" * 1024).status_code == 200
    capsys.readouterr()
    paths = ["/upload", "/", "/nowhere"]
    for path in paths:
        response = client.post(path, data=b"x" * 1025)
        assert response.status_code == 413
        assert response.json == {"error": "request body too large"}
    assert bodies == [b"x" * 1024]
    assert warnings(capsys.readouterr().out) == [
        f"request body too large: POST {path} declares 1025 bytes, the limit is 1024"
        for path in paths
    ]


def test_database_down_gives_a_503_page(make_settings, capsys):
    """Without its database `/` answers a generic 503 page, logging the error's type."""
    app = create_app(make_settings(DATABASE_URL=DEAD_DATABASE_URL))
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "Service unavailable" in response.text
    output = capsys.readouterr().out
    assert warnings(output) == ["database unavailable (OperationalError)"]
    assert "db-password" not in output


def test_database_back_served_by_the_same_app(make_settings, tmp_path):
    """Once the database can be reached again, the same app serves the page again."""
    database = tmp_path / "not-mounted-yet" / "db.sqlite3"
    app = create_app(make_settings(DATABASE_URL=f"sqlite:///{database}"))
    client = app.test_client()
    assert client.get("/").status_code == 503

    database.parent.mkdir()
    with app.app_context():
        flask_migrate.upgrade()
    assert client.get("/").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_error_pages_reveal_nothing(make_settings):
    """With DEBUG off, error pages show no traceback, setting or exception text."""
    settings = make_settings(DATABASE_URL=DEAD_DATABASE_URL, MAX_REQUEST_BYTES=1024)
    app = create_app(settings)

    @app.get("/fail")
    def fail():
        raise RuntimeError("internal detail")

    client = app.test_client()
    responses = {
        404: client.get("/nowhere"),
        405: client.delete("/"),
        413: client.post("/", data=b"x" * 1025),
        500: client.get("/fail"),
        503: client.get("/"),
    }
    for status, response in responses.items():
        assert response.status_code == status
        for secret in ("Traceback", "internal detail", SECRET_KEY, "db-password"):
            assert secret not in response.text, (status, secret)


def test_debug_errors_reach_flask_debugger(make_settings):
    """With DEBUG on, exceptions are left to Flask's debugger, not made pages."""
    app = create_app(make_settings(DEBUG=True, DATABASE_URL=DEAD_DATABASE_URL))

    @app.get("/fail")
    def fail():
        raise RuntimeError("internal detail")

    client = app.test_client()
    with pytest.raises(RuntimeError, match="internal detail"):
        client.get("/fail")
    with pytest.raises(OperationalError):
        client.get("/")
