"""The bare Django baseline: /healthz as the generated app answers it, /readyz with SELECT 1.

Minimal settings in this one module: no installed apps, no middleware, and the database
from DATABASE_URL with persistent connections (CONN_MAX_AGE as the generated app sets it).
"""

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.urls import path


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


settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ["SECRET_KEY"],
    ALLOWED_HOSTS=["localhost", "127.0.0.1", "[::1]"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={"default": {**database(os.environ["DATABASE_URL"]), "CONN_MAX_AGE": 600}},
    USE_TZ=True,
)


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "checks": {"database": "ok"}})


urlpatterns = [path("healthz", healthz), path("readyz", readyz)]

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings)

application = get_wsgi_application()
