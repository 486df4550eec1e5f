"""Traces of requests and jobs, sent over OTLP/HTTP; off unless configured.

OTEL_EXPORTER_OTLP_ENDPOINT turns them on. The OpenTelemetry SDK reads its other
standard variables (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
OTEL_TRACES_SAMPLER, ...) from the environment itself:
https://opentelemetry.io/docs/languages/sdk-configuration/
This module is imported only when the endpoint is set.
"""

import logging
import os
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import SpanKind


class InRequestsAndJobs(Sampler):
    """Leave out database and Redis calls made outside any request or job.

    Such as the worker polling its queue: each would be a trace of its own. The
    rest is up to the sampler OTEL_TRACES_SAMPLER chose.
    """

    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        *args: Any,
    ) -> SamplingResult:
        parent = trace.get_current_span(parent_context).get_span_context()
        if kind is SpanKind.CLIENT and not parent.is_valid:
            return SamplingResult(Decision.DROP)
        return self.sampler.should_sample(parent_context, trace_id, name, kind, *args)

    def get_description(self) -> str:
        return f"InRequestsAndJobs({self.sampler.get_description()})"


class TraceIdFilter(logging.Filter):
    """Add the current trace and span ids, if any, to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            record.trace_id = trace.format_trace_id(span.trace_id)
            record.span_id = trace.format_span_id(span.span_id)
        return True


def start(endpoint: str) -> None:
    """Send this process's spans to the collector at `endpoint`, with Redis calls.

    Call it in the process that makes the spans, after gunicorn forks: the
    exporter's thread would not survive a fork.
    """
    os.environ.setdefault("OTEL_SERVICE_NAME", "{{ cookiecutter.project_slug }}")
    provider = TracerProvider()
    provider.sampler = InRequestsAndJobs(provider.sampler)
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    RedisInstrumentor().instrument()
    for handler in logging.getLogger().handlers:
        handler.addFilter(TraceIdFilter())
