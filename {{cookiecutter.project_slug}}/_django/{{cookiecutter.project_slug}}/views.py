"""The home page, and the health endpoints a platform probes (factor IX)."""

import logging

from django.db import Error, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_safe

from .models import Visit

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Record the visit and show how many there have been."""
    Visit.objects.create(path=request.path)
    visits = Visit.objects.count()
    logger.info("visit %d to %s", visits, request.path)
    return render(request, "{{ cookiecutter.project_slug }}/index.html", {"visits": visits})


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer that the process is alive, touching no backing service."""
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers a query, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Error as error:  # any database error means not ready
        # The type names the failure; the message might carry connection details.
        logger.warning("readiness check failed: database (%s)", type(error).__name__)
        return JsonResponse(
            {"status": "unavailable", "checks": {"database": "unavailable"}},
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": {"database": "ok"}})
