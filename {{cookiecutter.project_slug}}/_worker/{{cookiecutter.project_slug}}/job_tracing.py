"""Each job's span, in the trace that sent it: the context travels in the message."""

import threading

import dramatiq
from opentelemetry import context, propagate, trace

tracer = trace.get_tracer(__name__)


class TraceContext(dramatiq.Middleware):
    """Carry the trace context to the job, and run the job in a span of its own."""

    current = threading.local()  # each worker thread runs one job at a time

    def before_enqueue(self, broker, message, delay) -> None:
        propagate.inject(message.options.setdefault("trace_context", {}))

    def before_process_message(self, broker, message) -> None:
        span = tracer.start_span(
            f"{message.actor_name} process",
            propagate.extract(message.options.get("trace_context", {})),
            kind=trace.SpanKind.CONSUMER,
        )
        self.current.job = span, context.attach(trace.set_span_in_context(span))

    def after_process_message(self, broker, message, *, result=None, exception=None):
        # An earlier middleware may have skipped the message before its span began.
        span, token = vars(self.current).pop("job", (None, None))
        if span is None:
            return
        if exception is not None:
            span.set_status(trace.Status(trace.StatusCode.ERROR, repr(exception)))
        span.end()
        context.detach(token)

    after_skip_message = after_process_message
