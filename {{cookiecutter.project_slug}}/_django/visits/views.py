"""The home page; its visit count lives in the database (factor VI: processes)."""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Visit

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Record the visit and show how many there have been."""
    Visit.objects.create(path=request.path)
    visits = Visit.objects.count()
    logger.info("visit %d to %s", visits, request.path)
    return render(request, "visits/home.html", {"visits": visits})
