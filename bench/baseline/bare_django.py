"""The bare Django baseline: /healthz as the generated app answers it, /readyz with SELECT 1.

Minimal settings in this one module: no installed apps, no middleware, and the database
from DATABASE_URL with persistent connections (CONN_MAX_AGE as the generated app sets it).
"""

import os

from django.conf import settings
from django.urls import path

import django_views as views

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ["SECRET_KEY"],
    ALLOWED_HOSTS=["localhost", "127.0.0.1", "[::1]"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={"default": {**views.database(os.environ["DATABASE_URL"]), "CONN_MAX_AGE": 600}},
    USE_TZ=True,
)

urlpatterns = [path("healthz", views.healthz), path("readyz", views.readyz)]

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings)

application = get_wsgi_application()
