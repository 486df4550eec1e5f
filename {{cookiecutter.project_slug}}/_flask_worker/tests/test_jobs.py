"""Jobs run in the worker process, and can run twice safely (factors VIII and IX)."""

import json

import dramatiq
from sqlalchemy import select

from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.jobs import build_report
from {{cookiecutter.project_slug}}.logs import request_id
from {{cookiecutter.project_slug}}.models import Report
from {{cookiecutter.project_slug}}.worker import QUEUE


def log_records(output: str) -> list[dict]:
    """Return the JSON log lines of the output."""
    return [json.loads(line) for line in output.splitlines()]


def add_report(app) -> int:
    """Store a new, queued report and return its id."""
    with app.app_context():
        report = Report()
        db.session.add(report)
        db.session.commit()
        return report.id


def test_job_from_queue_logs_the_request_id(make_app, capsys):
    """A queued job runs on a worker thread, logging under the request's id."""
    app = make_app()
    report_id = add_report(app)
    token = request_id.set("req-queued-7")
    try:
        build_report.send(report_id)
    finally:
        request_id.reset(token)

    # Without REDIS_URL the broker is Dramatiq's in-memory one: a real worker
    # consumes it as it would Redis.
    broker = app.extensions["dramatiq"]
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=10)
    worker.start()
    try:
        broker.join(QUEUE)
        worker.join()
    finally:
        worker.stop()

    records = log_records(capsys.readouterr().out)
    done = [r for r in records if r["message"] == f"report {report_id} done: 0 visits"]
    assert [record["request_id"] for record in done] == ["req-queued-7"]
    assert done[0]["logger"] == "{{ cookiecutter.project_slug }}.jobs"
    with app.app_context():
        report = db.session.get_one(Report, report_id)
        assert (report.status, report.runs, report.visits) == ("done", 1, 0)


def test_job_leaves_a_done_report_alone(make_app, capsys):
    """Run again on a done report, the job changes nothing and says so."""
    app = make_app()
    client = app.test_client()
    report_id = client.post("/reports").json["id"]
    client.get("/")
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
    records = log_records(capsys.readouterr().out)
    assert (records[-1]["level"], records[-1]["message"]) == (
        "WARNING",
        "report 404 does not exist: nothing to do",
    )
