"""The two views of the Django baselines, and their DATABASES entry from DATABASE_URL.

/healthz answers as the generated app does; /readyz runs SELECT 1. Importable before
settings are configured.
"""

from urllib.parse import urlsplit

from django.db import connection
from django.http import JsonResponse


def database(url: str) -> dict[str, object]:
    """Return Django's DATABASES entry for a sqlite:/// or postgres:// URL."""
    if url.startswith("sqlite:///"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": url.removeprefix("sqlite:///")}
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "",
        "PORT": parts.port or "",
    }


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "checks": {"database": "ok"}})
