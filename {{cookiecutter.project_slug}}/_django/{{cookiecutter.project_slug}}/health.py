"""Liveness and readiness: what a platform probes (factor IX: disposability)."""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import Error, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from {{ cookiecutter.project_slug }}.limits import REDIS_TIMEOUT, redis_errors

logger = logging.getLogger(__name__)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer that the process is alive, touching no backing service."""
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Answer 200 if every backing service answers, else 503 naming those that fail."""
    checks = {"database": check("database", query_database, (Error,))}
    if settings.REDIS_URL:
        ping = redis_client(settings.REDIS_URL).ping
        checks["redis"] = check("redis", ping, redis_errors())
    if all(result == "ok" for result in checks.values()):
        return JsonResponse({"status": "ok", "checks": checks})
    return JsonResponse({"status": "unavailable", "checks": checks}, status=503)


def check(
    name: str, probe: Callable[[], object], errors: tuple[type[Exception], ...]
) -> str:
    """Return "ok" if the probe succeeds, else log why and return "unavailable"."""
    try:
        probe()
    except errors as error:
        # The type names the failure; the message might carry connection details.
        logger.warning("readiness check failed: %s (%s)", name, type(error).__name__)
        return "unavailable"
    return "ok"


def query_database() -> None:
    """Run the cheapest query there is."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@functools.cache
def redis_client(url: str):
    """Return the process's redis-py client for the readiness check, made once."""
    import redis  # only with Redis: see config.redis_url

    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
