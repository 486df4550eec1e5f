"""Reports are asked for over HTTP and made by a job (factors IV, VI and VIII).

Jobs are tested the way Dramatiq's documentation shows: without REDIS_URL the
broker is Dramatiq's in-memory one, and a test that needs its jobs run starts a
worker on it, then waits for the queue to be empty.
"""

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta

import dramatiq
import pytest
from conftest import DEAD_DATABASE_URL, DEAD_REDIS_URL
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select, update

from {{cookiecutter.project_slug}} import worker
from {{cookiecutter.project_slug}}.app import create_app
from {{cookiecutter.project_slug}}.broker import broker
from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.logs import request_id
from {{cookiecutter.project_slug}}.models import utc_now
from {{cookiecutter.project_slug}}.reports.jobs import build_report
from {{cookiecutter.project_slug}}.reports.models import Report


@pytest.fixture
def stub_broker() -> StubBroker:
    """Return the in-memory broker, with no job left over from another test."""
    assert isinstance(broker, StubBroker), "REDIS_URL must be unset for the tests"
    broker.flush_all()
    return broker


@pytest.fixture
def stub_worker(stub_broker):
    """Run a worker on the broker during the test, as the worker process would."""
    stub_worker = dramatiq.Worker(stub_broker, worker_timeout=100)
    stub_worker.start()
    yield stub_worker
    stub_worker.stop()


def run_jobs(stub_broker: StubBroker, stub_worker: dramatiq.Worker) -> None:
    """Wait until the worker has run every queued job."""
    stub_broker.join(build_report.queue_name)
    stub_worker.join()


def log_records(output: str) -> list[dict]:
    """Return the JSON log lines of the output."""
    return [json.loads(line) for line in output.splitlines()]


def warnings(output: str) -> list[str]:
    """Return the messages of the WARNING lines in the JSON log output."""
    return [r["message"] for r in log_records(output) if r["level"] == "WARNING"]


def add_report(app, **columns: object) -> int:
    """Store a report with the given columns and return its id."""
    with app.app_context():
        report = Report(**columns)
        db.session.add(report)
        db.session.commit()
        return report.id


def test_report_queued_then_made_by_a_worker(client, stub_broker, stub_worker):
    """The 202 says queued; once a worker has run the job, the report is done."""
    client.get("/")
    client.get("/")
    response = client.post("/reports", headers={"X-Request-ID": "req-report-1"})
    assert response.status_code == 202
    queued = response.json
    assert response.headers["Location"] == f"/reports/{queued['id']}"
    assert (queued["status"], queued["runs"], queued["visits"]) == ("queued", 0, None)

    run_jobs(stub_broker, stub_worker)
    report = client.get(response.headers["Location"]).json
    assert (report["status"], report["runs"], report["visits"]) == ("done", 1, 2)
    assert report["request_id"] == "req-report-1"
    created = datetime.fromisoformat(report["created_at"])
    finished = datetime.fromisoformat(report["finished_at"])
    assert created.utcoffset() == finished.utcoffset() == timedelta(0)
    assert created <= finished


def test_job_logs_the_request_id(make_app, stub_broker, stub_worker, capsys):
    """A queued job runs on a worker thread, logging under the request's id."""
    report_id = add_report(make_app())
    token = request_id.set("req-queued-7")
    try:
        build_report.send(report_id)
    finally:
        request_id.reset(token)
    run_jobs(stub_broker, stub_worker)

    records = log_records(capsys.readouterr().out)
    done = [r for r in records if r["message"] == f"report {report_id} done: 0 visits"]
    assert [record["request_id"] for record in done] == ["req-queued-7"]
    assert done[0]["logger"] == "{{ cookiecutter.project_slug }}.reports.jobs"


def test_job_leaves_a_done_report_alone(make_app, capsys):
    """Run again on a done report, the job changes nothing and says so."""
    app = make_app()
    report_id = add_report(app, status="done", runs=1, visits=3, finished_at=utc_now())
    columns = select(Report.status, Report.runs, Report.visits, Report.finished_at)
    with app.app_context():
        before = db.session.execute(columns).one()
        build_report(report_id)
        assert db.session.execute(columns).one() == before
    messages = [record["message"] for record in log_records(capsys.readouterr().out)]
    assert messages[-1] == f"report {report_id} is already done"


def test_job_for_a_missing_report_does_nothing(make_app, capsys):
    """A job for a report that does not exist logs a warning and returns."""
    app = make_app()
    with app.app_context():
        build_report(404)
        assert db.session.scalars(select(Report)).all() == []
    assert warnings(capsys.readouterr().out) == [
        "report 404 does not exist: nothing to do"
    ]


def test_web_process_runs_its_own_jobs_without_redis(tmp_path):
    """Without REDIS_URL, `wsgi.py` starts a worker thread: reports get made."""
    script = textwrap.dedent("""
        import time
        from {{cookiecutter.project_slug}}.extensions import db
        from {{cookiecutter.project_slug}}.wsgi import application
        with application.app_context():
            db.create_all()
        client = application.test_client()
        location = client.post("/reports").headers["Location"]
        deadline = time.monotonic() + 10
        while client.get(location).json["status"] != "done":
            assert time.monotonic() < deadline, "the report was not made in 10 s"
            time.sleep(0.05)
    """)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_report_unknown_id_not_found(client):
    """An id that names no report gets 404 with a JSON error."""
    response = client.get("/reports/404")
    assert response.status_code == 404
    assert response.json == {"error": "not found"}


def test_report_done_served_from_cache(app, client):
    """A done report never changes, so once read it comes from the cache."""
    report_id = add_report(app, status="done", runs=1, visits=3, finished_at=utc_now())
    report = client.get(f"/reports/{report_id}").json
    with app.app_context():
        db.session.execute(update(Report).values(visits=99))
        db.session.commit()
    assert client.get(f"/reports/{report_id}").json == report


def test_report_unfinished_not_cached(app, client):
    """A report still being made is read from the database each time."""
    report_id = add_report(app, status="running", runs=1)
    assert client.get(f"/reports/{report_id}").json["status"] == "running"
    with app.app_context():
        db.session.execute(update(Report).values(status="done", visits=5))
        db.session.commit()
    assert client.get(f"/reports/{report_id}").json["status"] == "done"


def test_report_read_from_database_when_cache_is_down(make_app, capsys):
    """A failing cache counts as a miss: 200 from the database, the error logged."""
    app = make_app(REDIS_URL=DEAD_REDIS_URL)
    report_id = add_report(app, status="done", runs=1, visits=3, finished_at=utc_now())
    capsys.readouterr()
    response = app.test_client().get(f"/reports/{report_id}")
    assert response.status_code == 200
    assert response.json["visits"] == 3
    output = capsys.readouterr().out
    errors = [r for r in log_records(output) if r["level"] == "ERROR"]
    assert [record["logger"] for record in errors] == ["flask_caching"]
    assert "redis.exceptions.ConnectionError" in errors[0]["exc_info"]
    assert "redis-password" not in output


def test_report_failed_when_the_queue_is_down(make_app, monkeypatch, capsys):
    """If the job cannot be queued, the report is failed and the answer is 503."""
    app = make_app()
    options = worker.redis_broker_options(DEAD_REDIS_URL, heartbeat_timeout=15)
    monkeypatch.setattr(build_report, "broker", RedisBroker(**options))
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
    client = create_app(make_settings(DATABASE_URL=DEAD_DATABASE_URL)).test_client()
    for response in (client.post("/reports"), client.get("/reports/1")):
        assert response.status_code == 503
        assert response.json == {"error": "the database is unavailable"}
    output = capsys.readouterr().out
    assert warnings(output) == ["database unavailable (OperationalError)"] * 2
    assert "db-password" not in output
