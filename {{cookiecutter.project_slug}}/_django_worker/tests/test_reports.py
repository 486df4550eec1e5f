"""Reports: asked for over HTTP, built by a job (factor VIII: concurrency)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import dramatiq
import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from dramatiq.worker import WorkerThread

from {{ cookiecutter.project_slug }} import worker
from {{ cookiecutter.project_slug }}.config import load_settings
from {{ cookiecutter.project_slug }}.jobs import broker, build_report
from {{ cookiecutter.project_slug }}.logs import request_id
from {{ cookiecutter.project_slug }}.models import Report, Visit


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Start each test with an empty cache: report ids come round again."""
    cache.clear()


@pytest.mark.django_db
def test_report_is_built_before_the_answer_without_redis(client, log_lines):
    """POST /reports answers 202 with a done report: the job ran in the web process."""
    client.get("/")
    client.get("/")
    response = client.post("/reports", headers={"X-Request-ID": "report-asked-1"})
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == f"/reports/{body['id']}"
    assert body["status"] == "done"
    assert body["visits"] == 2
    assert body["runs"] == 1
    assert body["request_id"] == "report-asked-1"
    finished = datetime.fromisoformat(body["finished_at"])
    assert finished >= datetime.fromisoformat(body["created_at"])
    assert client.get(response["Location"]).json() == body
    message = f"report {body['id']} done: 2 visits"
    [done] = [line for line in log_lines() if line["message"] == message]
    assert done["request_id"] == "report-asked-1"


@pytest.mark.django_db
def test_report_answers_404_when_unknown(client):
    """GET /reports/<id> answers 404 with a JSON error for an id never given out."""
    response = client.get("/reports/4242")
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}


def test_reports_refuse_other_methods(client):
    """Reports are asked for with POST only, and read with GET only."""
    assert client.get("/reports").status_code == 405
    assert client.post("/reports/1").status_code == 405


@pytest.mark.django_db
def test_build_report_leaves_a_done_report_alone(log_lines):
    """Run again on a done report, as after a redelivery, the job changes nothing."""
    report = Report.objects.create()
    build_report(report.id)
    done = Report.objects.get(pk=report.id)
    Visit.objects.create(path="/")
    build_report(report.id)
    again = Report.objects.get(pk=report.id)
    assert (again.status, again.runs, again.visits) == ("done", 1, 0)
    assert again.finished_at == done.finished_at
    assert f"report {report.id} is already done" in [
        line["message"] for line in log_lines()
    ]


@pytest.mark.django_db
def test_build_report_warns_about_a_missing_report(log_lines):
    """The job for a report that is gone logs a warning and creates nothing."""
    build_report(4242)
    assert not Report.objects.exists()
    [warning] = [line for line in log_lines() if line["level"] == "WARNING"]
    assert warning["message"] == "report 4242 does not exist"


class SharedConnection(dramatiq.Middleware):
    """Lend the test's database connection to the worker threads.

    Django never closes a connection to SQLite's in-memory test database, so one
    of a worker thread's own would outlive the test; its live server lends its
    connection in the same way.
    """

    def __init__(self) -> None:
        self.connection = connections[DEFAULT_DB_ALIAS]

    def after_worker_thread_boot(
        self, broker: dramatiq.Broker, thread: WorkerThread
    ) -> None:
        connections[DEFAULT_DB_ALIAS] = self.connection


@contextmanager
def running_worker() -> Iterator[None]:
    """Run a Dramatiq worker on the jobs' broker, in threads of this process."""
    shared = SharedConnection()
    broker.add_middleware(shared)
    shared.connection.inc_thread_sharing()
    threads = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    threads.start()
    try:
        yield
    finally:
        threads.stop()
        shared.connection.dec_thread_sharing()
        broker.middleware.remove(shared)
        broker.flush_all()


# Outside a transaction, as jobs run: the worker closes a connection left in one.
@pytest.mark.django_db(transaction=True)
def test_queued_report_is_built_by_a_worker_with_the_request_id(log_lines):
    """A job sent to the queue waits for a worker, which logs with the request id."""
    Visit.objects.create(path="/")
    report = Report.objects.create(request_id="queued-1")
    token = request_id.set("queued-1")
    try:
        build_report.send(report.id)
    finally:
        request_id.reset(token)
    report.refresh_from_db()
    assert report.status == "queued"
    with running_worker():
        broker.join(worker.QUEUE, timeout=5_000, fail_fast=True)
    report.refresh_from_db()
    assert (report.status, report.runs, report.visits) == ("done", 1, 1)
    message = f"report {report.id} done: 1 visits"
    [done] = [line for line in log_lines() if line["message"] == message]
    assert done["request_id"] == "queued-1"


@pytest.mark.django_db
def test_report_fails_with_503_when_the_queue_is_unreachable(
    client, monkeypatch, log_lines
):
    """With Redis down, POST /reports answers 503 and the report is marked failed."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(build_report, "broker", worker.make_broker(load_settings()))
    response = client.post("/reports")
    assert response.status_code == 503
    assert response.json() == {"error": "the job queue is unavailable"}
    [report] = Report.objects.all()
    assert report.status == "failed"
    [warning] = [line for line in log_lines() if line["level"] == "WARNING"]
    assert warning["message"] == (
        f"report {report.id} failed: job queue unavailable (ConnectionError)"
    )


@pytest.mark.django_db
def test_reports_answer_503_while_the_database_is_down(
    client, unreachable_database, log_lines
):
    """Without the database, both endpoints answer 503 in JSON, one warning each."""
    for response in (client.post("/reports"), client.get("/reports/1")):
        assert response.status_code == 503
        assert response.json() == {"error": "the database is unavailable"}
    assert [line["message"] for line in log_lines()] == [
        "database unavailable (OperationalError)"
    ] * 2
    unreachable_database()  # the database is back
    assert client.post("/reports").status_code == 202


@pytest.mark.django_db
def test_done_report_is_read_from_the_cache(client):
    """Once read, a done report is kept in the cache and served from there."""
    location = client.post("/reports")["Location"]
    first = client.get(location).json()
    assert cache.get(f"report:{first['id']}") == first
    Report.objects.update(visits=99)
    assert client.get(location).json() == first


@pytest.mark.django_db
def test_unfinished_report_is_read_from_the_database(client):
    """A report that may still change is never cached."""
    report = Report.objects.create()
    assert client.get(f"/reports/{report.id}").json()["status"] == "queued"
    assert cache.get(f"report:{report.id}") is None
    Report.objects.update(status="running")
    assert client.get(f"/reports/{report.id}").json()["status"] == "running"


@pytest.mark.django_db
def test_report_is_read_from_the_database_when_the_cache_is_down(
    client, redis_down, log_lines
):
    """With Redis down, GET /reports/<id> answers from the database, with warnings."""
    report = Report.objects.create()
    build_report(report.id)
    response = client.get(f"/reports/{report.id}")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    warnings = [line for line in log_lines() if line["level"] == "WARNING"]
    # One for the read that missed, one for the copy it could not store.
    assert [line["message"] for line in warnings] == [
        "report cache unavailable (ConnectionError)"
    ] * 2
