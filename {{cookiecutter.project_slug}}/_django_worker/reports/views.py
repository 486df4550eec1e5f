"""The reports API: ask for a report on the visits, then read it (factor VIII).

POST /reports stores a report and queues its job; a worker builds it soon after.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from {{ cookiecutter.project_slug }}.limits import redis_errors
from {{ cookiecutter.project_slug }}.logs import request_id

from .models import Report
from .tasks import build_report

logger = logging.getLogger(__name__)

# A done report, once mailed or not, never changes: its cached copy never goes stale.
CACHE_SECONDS = 60 * 60


# Exempt from CSRF checks: the endpoint reads no cookie and needs no body, so a
# forged cross-site request can make it do nothing a plain caller could not.
@csrf_exempt
@require_POST
def create_report(request: HttpRequest) -> JsonResponse:
    """Store a report, queue the job that builds it, and answer 202 with it."""
    report = Report.objects.create(request_id=request_id.get())
    try:
        build_report.send(report.id)
    except redis_errors() as error:
        Report.objects.filter(pk=report.id).update(status=Report.Status.FAILED)
        # The type names the failure; the message might carry the Redis URL.
        logger.warning(
            "report %d failed: job queue unavailable (%s)",
            report.id,
            type(error).__name__,
        )
        return JsonResponse({"error": "the job queue is unavailable"}, status=503)
    response = JsonResponse(as_json(report), status=202)
    response["Location"] = reverse("reports:detail", args=[report.id])
    return response


@require_safe
def report_detail(request: HttpRequest, report_id: int) -> JsonResponse:
    """Answer the report; a done one comes from the cache once it is there."""
    key = f"report:{report_id}"
    with cache_failure_is_a_miss():
        if (cached := cache.get(key)) is not None:
            return JsonResponse(cached)
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        return JsonResponse({"error": "not found"}, status=404)
    body = as_json(report)
    # Done, mailed or not: it never changes again.
    if report.status == Report.Status.DONE and report.mail_status != "sending":
        with cache_failure_is_a_miss():
            cache.set(key, body, CACHE_SECONDS)
    return JsonResponse(body)


def as_json(report: Report) -> dict[str, object]:
    """Return the report as the API shows it, times in ISO 8601."""
    return {
        "id": report.id,
        "status": report.status,
        "runs": report.runs,
        "visits": report.visits,
        "request_id": report.request_id,
        "created_at": report.created_at.isoformat(),
        "finished_at": report.finished_at.isoformat() if report.finished_at else None,
        "mail_status": report.mail_status,
    }


@contextmanager
def cache_failure_is_a_miss() -> Iterator[None]:
    """Log a failed cache call and carry on: the database has every report."""
    try:
        yield
    except redis_errors() as error:
        logger.warning("report cache unavailable (%s)", type(error).__name__)
