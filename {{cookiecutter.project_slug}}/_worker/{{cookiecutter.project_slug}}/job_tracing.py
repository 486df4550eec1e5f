"""A job's span, in the trace of the request that sent it (tracing.py).

The sender's trace context travels in the message's options, in the W3C
`traceparent` form, so the worker's span for the job joins the same trace.
"""

import threading
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from opentelemetry import context, propagate, trace


class TraceContext(dramatiq.Middleware):
    """Carry the trace context to the job, and run the job in a span of its own."""

    def __init__(self) -> None:
        self.tracer = trace.get_tracer(__name__)
        # Each worker thread runs one job at a time.
        self.current = threading.local()

    def before_enqueue(
        self, broker: dramatiq.Broker, message: dramatiq.Message, delay: int | None
    ) -> None:
        propagate.inject(message.options.setdefault("trace_context", {}))

    def before_process_message(
        self, broker: dramatiq.Broker, message: MessageProxy
    ) -> None:
        sender = propagate.extract(message.options.get("trace_context", {}))
        span = self.tracer.start_span(
            f"{message.actor_name} process",
            sender,
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "dramatiq",
                "messaging.destination.name": message.queue_name,
                "messaging.message.id": message.message_id,
            },
        )
        token = context.attach(trace.set_span_in_context(span))
        self.current.job = span, token

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any | None = None,
        exception: BaseException | None = None,
    ) -> None:
        # An earlier middleware may have skipped the message before its span began.
        span, token = vars(self.current).pop("job", (None, None))
        if span is None:
            return
        if exception is not None:
            span.record_exception(exception)
            span.set_status(trace.StatusCode.ERROR)
        span.end()
        context.detach(token)

    after_skip_message = after_process_message
