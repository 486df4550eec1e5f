"""Health endpoints tell the platform whether to route traffic here (factor IX)."""

import json

from {{cookiecutter.project_slug}}.app import create_app


def test_healthz_reports_ok(client):
    """It answers 200 with a fixed body."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_database_ok(client):
    """It answers 200 when the database answers a query."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_reports_unreachable_database(make_settings, tmp_path, capsys):
    """It answers 503 naming the database, and logs a warning without the URL."""
    missing = tmp_path / "no-such-directory" / "db.sqlite3"
    app = create_app(make_settings(database_url=f"sqlite:///{missing}"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "checks": {"database": "unavailable"},
    }
    output = capsys.readouterr().out
    records = [json.loads(line) for line in output.splitlines()]
    assert [(record["level"], record["message"]) for record in records] == [
        ("WARNING", "readiness check failed: database (OperationalError)")
    ]
    assert str(missing) not in output


def test_healthz_touches_no_database(make_settings, tmp_path):
    """It answers 200 even when the database cannot be reached."""
    missing = tmp_path / "no-such-directory" / "db.sqlite3"
    app = create_app(make_settings(database_url=f"sqlite:///{missing}"))
    assert app.test_client().get("/healthz").status_code == 200
