"""The project's own app: its commands, templates and static files."""

from django.apps import AppConfig
from django.conf import settings


class ProjectConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}"

    def ready(self) -> None:
        """Trace requests, queries and Redis calls with OTEL_EXPORTER_OTLP_ENDPOINT."""
        if endpoint := settings.OTEL_EXPORTER_OTLP_ENDPOINT:
            from opentelemetry.instrumentation.django import DjangoInstrumentor
            from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
            from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor

            from {{ cookiecutter.project_slug }} import tracing

            tracing.start(str(endpoint))
            DjangoInstrumentor().instrument()
            PsycopgInstrumentor().instrument()
            SQLite3Instrumentor().instrument()
