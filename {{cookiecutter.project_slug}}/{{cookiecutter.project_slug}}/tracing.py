"""Traces over OTLP/HTTP; the SDK reads its other OTEL_* variables itself."""

import logging

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import Decision, ParentBased, SamplingResult
from opentelemetry.trace import SpanKind, get_current_span


def add_trace_ids(record: logging.LogRecord) -> bool:
    """Add the current trace and span ids, if any, to a log record."""
    span = get_current_span().get_span_context()
    if span.is_valid:
        record.trace_id = trace.format_trace_id(span.trace_id)
        record.span_id = trace.format_span_id(span.span_id)
    return True


class InRequestsAndJobs(ParentBased):
    """Sample as OTEL_TRACES_SAMPLER says, but not calls outside requests and jobs."""

    def should_sample(self, parent, trace_id, name, kind=None, *args) -> SamplingResult:
        outside = not get_current_span(parent).get_span_context().is_valid
        if kind is SpanKind.CLIENT and outside:
            return SamplingResult(Decision.DROP)
        return super().should_sample(parent, trace_id, name, kind, *args)


def start(endpoint: str) -> None:
    """Send this process's spans to `endpoint`; call it after gunicorn forks."""
    provider = TracerProvider()
    provider.sampler = InRequestsAndJobs(provider.sampler)
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    RedisInstrumentor().instrument()
    for handler in logging.getLogger().handlers:
        handler.addFilter(add_trace_ids)
