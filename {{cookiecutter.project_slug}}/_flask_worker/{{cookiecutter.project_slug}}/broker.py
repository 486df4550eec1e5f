"""The job broker, made on import, before any actor (factor VIII: concurrency).

Dramatiq binds an actor to the broker set when the actor is declared, so a module
that declares actors imports this one first (see `reports/jobs.py`). With
REDIS_URL, jobs go on a queue in Redis for the worker processes; without it, on
Dramatiq's in-memory broker for a worker thread in each web process (`wsgi.py`).
Either way each job gets the same middleware, time limit and retries.
"""

import threading

import click
import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries, TimeLimit, default_middleware
from flask import Flask

from {{cookiecutter.project_slug}} import worker
from {{cookiecutter.project_slug}}.config import load_settings

# Every job's time limit and retries, unless its actor sets its own.
DEFAULTS = {
    TimeLimit: {"time_limit": worker.TIME_LIMIT_MS},
    Retries: {"max_retries": worker.MAX_RETRIES},
}


class AppContextMiddleware(dramatiq.Middleware):
    """Run each job in an app context, as Flask runs each request in one.

    Jobs then use `db.session` as views do; popping the context closes the job's
    session and gives its connection back to the pool.
    """

    def __init__(self) -> None:
        # The app made last in this process: see `init_app`.
        self.app: Flask | None = None
        # Each worker thread runs one job at a time, in its own context.
        self.contexts = threading.local()

    def before_process_message(self, broker, message) -> None:
        if self.app is None:
            raise RuntimeError("no app: init_app() makes the app's jobs run here")
        self.contexts.current = self.app.app_context()
        self.contexts.current.push()

    def after_process_message(self, broker, message, *, result=None, exception=None):
        # An earlier middleware may have skipped the message before the push.
        context = vars(self.contexts).pop("current", None)
        if context is not None:
            context.pop(exception)

    after_skip_message = after_process_message


app_context = AppContextMiddleware()


def make_broker() -> dramatiq.Broker:
    """Return the broker for REDIS_URL, or an in-memory one without it."""
    settings = load_settings()
    middleware = [cls(**DEFAULTS.get(cls, {})) for cls in default_middleware]
    middleware += [worker.RequestIdMiddleware(), app_context]
    if settings.OTEL_EXPORTER_OTLP_ENDPOINT:
        from {{cookiecutter.project_slug}}.job_tracing import TraceContext

        middleware.append(TraceContext())
    if settings.REDIS_URL is None:
        return StubBroker(middleware=middleware)
    from dramatiq.brokers.redis import RedisBroker

    if settings.METRICS_PORT:  # counted where the worker process serves them
        from dramatiq.middleware.prometheus import Prometheus

        middleware.append(Prometheus())
    options = worker.redis_broker_options(
        settings.REDIS_URL, settings.WORKER_HEARTBEAT_TIMEOUT
    )
    return RedisBroker(**options, middleware=middleware)


broker = make_broker()
dramatiq.set_broker(broker)


def init_app(app: Flask) -> None:
    """Run the jobs in this app's context, and add the `worker` command."""
    app_context.app = app
    app.cli.add_command(worker_command)


@click.command("worker")
def worker_command() -> None:
    """Run the queued jobs until SIGTERM or SIGINT: the Procfile's worker process."""
    worker.run(broker, load_settings().METRICS_PORT)
