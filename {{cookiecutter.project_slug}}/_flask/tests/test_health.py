"""Health endpoints tell the platform whether to route traffic here (factor IX)."""

import json

from conftest import DEAD_REDIS_URL

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
    app = create_app(make_settings(DATABASE_URL=f"sqlite:///{missing}"))
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


def test_readyz_reports_redis_ok(make_app, redis_url):
    """With REDIS_URL set, it answers 200 once Redis answers a PING too."""
    response = make_app(REDIS_URL=redis_url).test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok"},
    }


def test_readyz_reports_unreachable_redis(make_app, capsys):
    """It answers 503 naming Redis, and logs a warning without its password."""
    client = make_app(REDIS_URL=DEAD_REDIS_URL).test_client()
    capsys.readouterr()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable"},
    }
    output = capsys.readouterr().out
    records = [json.loads(line) for line in output.splitlines()]
    assert [(record["level"], record["message"]) for record in records] == [
        ("WARNING", "readiness check failed: redis (ConnectionError)")
    ]
    assert "redis-password" not in output


def test_healthz_touches_no_backing_service(make_settings, tmp_path):
    """It answers 200 even when neither the database nor Redis can be reached."""
    missing = tmp_path / "no-such-directory" / "db.sqlite3"
    settings = make_settings(
        DATABASE_URL=f"sqlite:///{missing}", REDIS_URL=DEAD_REDIS_URL
    )
    assert create_app(settings).test_client().get("/healthz").status_code == 200
