"""Reports: asked for over HTTP, built by a job, read back (factor VIII)."""

import pytest
from django.core.cache import cache
from dramatiq.brokers.redis import RedisBroker

from {{ cookiecutter.project_slug }}.worker import redis_broker_options

from reports.models import Report
from reports.tasks import build_report
from visits.models import Visit


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Start each test with an empty cache: report ids come round again."""
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_report_is_queued_then_built_by_a_worker(client, broker, worker, log_lines):
    """POST /reports answers 202 with a queued report; a worker builds it."""
    client.get("/")
    client.get("/")
    response = client.post("/reports", headers={"X-Request-ID": "report-asked-1"})
    assert response.status_code == 202
    queued = response.json()
    assert response["Location"] == f"/reports/{queued['id']}"
    assert (queued["status"], queued["runs"], queued["visits"]) == ("queued", 0, None)
    assert queued["request_id"] == "report-asked-1"
    broker.join(build_report.queue_name)
    worker.join()
    done = client.get(response["Location"]).json()
    assert (done["status"], done["runs"], done["visits"]) == ("done", 1, 2)
    assert done["request_id"] == "report-asked-1"
    assert done["finished_at"] >= done["created_at"]
    message = f"report {queued['id']} done: 2 visits"
    [line] = [line for line in log_lines() if line["message"] == message]
    assert line["request_id"] == "report-asked-1"


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
def test_report_fails_with_503_when_the_queue_is_unreachable(
    client, monkeypatch, log_lines
):
    """With Redis down, POST /reports answers 503 and the report is marked failed."""
    options = redis_broker_options("redis://127.0.0.1:1/0", 15)
    monkeypatch.setattr(build_report, "broker", RedisBroker(**options))
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


def done_report() -> Report:
    """Store a report and build it, as a worker would."""
    Visit.objects.create(path="/")
    report = Report.objects.create()
    build_report(report.id)
    return report


@pytest.mark.django_db
def test_done_report_is_read_from_the_cache(client):
    """Once read, a done report is kept in the cache and served from there."""
    report = done_report()
    first = client.get(f"/reports/{report.id}").json()
    assert (first["status"], first["visits"]) == ("done", 1)
    assert cache.get(f"report:{report.id}") == first
    Report.objects.update(visits=99)
    assert client.get(f"/reports/{report.id}").json() == first


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
    report = done_report()
    response = client.get(f"/reports/{report.id}")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    warnings = [line for line in log_lines() if line["level"] == "WARNING"]
    # One for the read that missed, one for the copy it could not store.
    assert [line["message"] for line in warnings] == [
        "report cache unavailable (ConnectionError)"
    ] * 2
