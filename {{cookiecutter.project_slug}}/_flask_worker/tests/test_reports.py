"""Reports are asked for over HTTP and made by a job (factors IV, VI and VIII)."""

import json
from datetime import datetime, timedelta

from conftest import DEAD_DATABASE_URL, DEAD_REDIS_URL
from sqlalchemy import select, update

from {{cookiecutter.project_slug}}.app import create_app
from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.models import Report, utc_now


def warnings(output: str) -> list[str]:
    """Return the messages of the WARNING lines in the JSON log output."""
    records = [json.loads(line) for line in output.splitlines()]
    return [record["message"] for record in records if record["level"] == "WARNING"]


def add_report(app, **columns: object) -> int:
    """Store a report with the given columns and return its id."""
    with app.app_context():
        report = Report(**columns)
        db.session.add(report)
        db.session.commit()
        return report.id


def test_report_made_before_the_answer_without_redis(client):
    """Without REDIS_URL the job runs in the web process: the 202 says done."""
    client.get("/")
    client.get("/")
    response = client.post("/reports", headers={"X-Request-ID": "req-report-1"})
    assert response.status_code == 202
    report = response.json
    assert response.headers["Location"] == f"/reports/{report['id']}"
    assert report["status"] == "done"
    assert report["visits"] == 2
    assert report["runs"] == 1
    assert report["request_id"] == "req-report-1"
    created = datetime.fromisoformat(report["created_at"])
    finished = datetime.fromisoformat(report["finished_at"])
    assert created.utcoffset() == finished.utcoffset() == timedelta(0)
    assert created <= finished

    again = client.get(response.headers["Location"])
    assert again.status_code == 200
    assert again.json == report


def test_report_unknown_id_not_found(client):
    """An id that names no report gets 404 with a JSON error."""
    response = client.get("/reports/404")
    assert response.status_code == 404
    assert response.json == {"error": "not found"}


def test_report_done_served_from_cache(app, client):
    """A done report never changes, so once read it comes from the cache."""
    report = client.post("/reports").json
    assert client.get(f"/reports/{report['id']}").json == report
    with app.app_context():
        db.session.execute(update(Report).values(visits=99))
        db.session.commit()
    assert client.get(f"/reports/{report['id']}").json["visits"] == report["visits"]


def test_report_unfinished_not_cached(app, client):
    """A report still being made is read from the database each time."""
    report_id = add_report(app, status="running", runs=1)
    assert client.get(f"/reports/{report_id}").json["status"] == "running"
    with app.app_context():
        db.session.execute(update(Report).values(status="done", visits=5))
        db.session.commit()
    assert client.get(f"/reports/{report_id}").json["status"] == "done"


def test_report_read_from_database_when_cache_is_down(make_app, capsys):
    """A failing cache counts as a miss: 200 from the database, and warnings."""
    app = make_app(redis_url=DEAD_REDIS_URL)
    report_id = add_report(app, status="done", runs=1, visits=3, finished_at=utc_now())
    capsys.readouterr()
    response = app.test_client().get(f"/reports/{report_id}")
    assert response.status_code == 200
    assert response.json["visits"] == 3
    output = capsys.readouterr().out
    assert warnings(output) == [
        "cache read failed: ConnectionError",
        "cache write failed: ConnectionError",
    ]
    assert "redis-password" not in output


def test_report_failed_when_the_queue_is_down(make_app, capsys):
    """If the job cannot be queued, the report is failed and the answer is 503."""
    app = make_app(redis_url=DEAD_REDIS_URL)
    capsys.readouterr()
    response = app.test_client().post("/reports")
    assert response.status_code == 503
    assert response.json == {"error": "the job queue is unavailable"}
    with app.app_context():
        assert db.session.scalars(select(Report.status)).all() == ["failed"]
    output = capsys.readouterr().out
    assert warnings(output) == ["report 1 not queued: ConnectionError"]
    assert "redis-password" not in output


def test_report_503_in_json_while_the_database_is_down(make_settings, capsys):
    """Without the database, both endpoints answer 503 in JSON, naming no secret."""
    client = create_app(make_settings(database_url=DEAD_DATABASE_URL)).test_client()
    for response in (client.post("/reports"), client.get("/reports/1")):
        assert response.status_code == 503
        assert response.json == {"error": "the database is unavailable"}
    output = capsys.readouterr().out
    assert warnings(output) == ["database unavailable (OperationalError)"] * 2
    assert "db-password" not in output
