"""Request metrics and traces, when the environment asks for them (factor XI)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Count and trace requests as the settings say; call it before `db.init_app`."""
    if app.config["METRICS_PORT"]:
        from prometheus_flask_exporter import PrometheusMetrics

        # By URL rule, never the path; no /metrics route: they have a port of their own.
        PrometheusMetrics(app, path=None, group_by="url_rule")
    if endpoint := app.config["OTEL_EXPORTER_OTLP_ENDPOINT"]:
        from opentelemetry.instrumentation.flask import FlaskInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        from {{cookiecutter.project_slug}} import tracing

        tracing.start(str(endpoint))
        FlaskInstrumentor().instrument_app(app)
        SQLAlchemyInstrumentor().instrument()
