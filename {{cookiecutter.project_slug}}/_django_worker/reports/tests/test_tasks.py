"""The build_report job, run directly and by a worker (factor VIII: concurrency)."""

import pytest

from {{ cookiecutter.project_slug }}.logs import request_id

from reports.models import Report
from reports.tasks import build_report
from visits.models import Visit


@pytest.mark.django_db
def test_build_report_counts_the_visits(log_lines):
    """Called directly, as in a shell, the job counts the visits into the report."""
    Visit.objects.create(path="/")
    report = Report.objects.create()
    build_report(report.id)
    report.refresh_from_db()
    assert (report.status, report.runs, report.visits) == ("done", 1, 1)
    assert report.finished_at is not None
    assert report.finished_at >= report.created_at
    assert f"report {report.id} done: 1 visits" in [
        line["message"] for line in log_lines()
    ]


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


def test_jobs_run_with_the_same_middleware_as_in_production(broker):
    """The in-memory broker has Redis's middleware: time limit, retries, request id."""
    names = {type(middleware).__name__ for middleware in broker.middleware}
    assert {
        "TimeLimit",
        "Retries",
        "RequestIdMiddleware",
        "DbConnectionsMiddleware",
    } <= names
    assert build_report.options["max_retries"] > 0


# Committed data, as jobs see it: each worker thread has its own connection.
@pytest.mark.django_db(transaction=True)
def test_sent_job_is_run_by_a_worker_with_the_request_id(broker, worker, log_lines):
    """A job sent to the queue waits for a worker, which logs with the request id."""
    report = Report.objects.create(request_id="queued-1")
    token = request_id.set("queued-1")
    try:
        build_report.send(report.id)
    finally:
        request_id.reset(token)
    broker.join(build_report.queue_name)
    worker.join()
    report.refresh_from_db()
    assert (report.status, report.runs, report.visits) == ("done", 1, 0)
    message = f"report {report.id} done: 0 visits"
    [done] = [line for line in log_lines() if line["message"] == message]
    assert done["request_id"] == "queued-1"
