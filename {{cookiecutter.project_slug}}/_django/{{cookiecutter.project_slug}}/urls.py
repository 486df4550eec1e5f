"""URL routes: the service's pages and endpoints, and Django's admin site."""

from django.contrib import admin
from django.urls import path

from . import views
{%- if cookiecutter.worker %}
from .report_views import create_report, report_detail
{%- endif %}

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
{%- if cookiecutter.worker %}
    path("reports", create_report, name="reports"),
    path("reports/<int:report_id>", report_detail, name="report"),
{%- endif %}
    path("admin/", admin.site.urls),
]
