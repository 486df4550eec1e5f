"""Request metrics and traces, when the environment asks for them (factor XI).

METRICS_PORT counts requests by route and status (metrics.py serves them);
OTEL_EXPORTER_OTLP_ENDPOINT traces each request and its queries (tracing.py).
With neither set, nothing of either is imported.
"""

from flask import Flask, Request


def route(request: Request) -> str:
    """Return the URL rule that matched, such as /users/<int:user_id>."""
    # Never the path itself: each id in it would make a new series.
    return request.url_rule.rule if request.url_rule else "<unmatched>"


def init_app(app: Flask) -> None:
    """Count and trace the app's requests, as the settings say."""
    if app.config["METRICS_PORT"]:
        from prometheus_flask_exporter import PrometheusMetrics

        # No /metrics route: the metrics have a port of their own.
        PrometheusMetrics(app, path=None, group_by=route)
    if endpoint := app.config["OTEL_EXPORTER_OTLP_ENDPOINT"]:
        from opentelemetry.instrumentation.flask import FlaskInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        from {{cookiecutter.project_slug}} import tracing

        tracing.start(str(endpoint))
        FlaskInstrumentor().instrument_app(app)
        SQLAlchemyInstrumentor().instrument()
