"""URL routes: the health endpoints, the apps' pages and Django's admin site."""

from django.contrib import admin
from django.urls import include, path

from {{ cookiecutter.project_slug }} import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("visits.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
