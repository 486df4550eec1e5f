"""Background jobs, and the `worker` command that runs them (factor VIII)."""

import logging
import threading
from typing import Any

import click
import dramatiq
from dramatiq.brokers.stub import StubBroker
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select, update

from {{cookiecutter.project_slug}} import worker
from {{cookiecutter.project_slug}}.config import Settings
from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.models import Report, Visit, utc_now

log = logging.getLogger(__name__)

# Dramatiq binds an actor to a broker when the actor is declared, but the app's
# broker depends on its settings, which only `create_app` knows: the actors here
# are declared on this stand-in, and `init_app` moves them to the app's broker.
STAND_IN_BROKER = StubBroker()


@dramatiq.actor(
    actor_name="build_report",
    queue_name=worker.QUEUE,
    time_limit=worker.TIME_LIMIT_MS,
    max_retries=worker.MAX_RETRIES,
    broker=STAND_IN_BROKER,
)
def build_report(report_id: int) -> None:
    """Count the visits into the report; do nothing if it is missing or done."""
    # A job may run more than once (a retry, or a dead worker's job taken over):
    # starting, counted in `runs`, is one atomic statement, and never redoes a
    # done report.
    started = db.session.execute(
        update(Report)
        .where(Report.id == report_id, Report.status != "done")
        .values(status="running", runs=Report.runs + 1)
    )
    db.session.commit()
    if started.rowcount == 0:
        if db.session.get(Report, report_id) is None:
            log.warning("report %s does not exist: nothing to do", report_id)
        else:
            log.info("report %s is already done", report_id)
        return

    visits = db.session.scalar(select(func.count()).select_from(Visit))
    report = db.session.get_one(Report, report_id)
    report.visits = visits
    report.status = "done"
    report.finished_at = utc_now()
    db.session.commit()
    log.info("report %s done: %s visits", report_id, visits)


class AppContextMiddleware(dramatiq.Middleware):
    """Run each job in an app context, as Flask runs each request in one.

    Jobs then use `db.session` as views do; popping the context closes the job's
    session and gives its connection back to the pool.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        # Each worker thread runs one job at a time, in its own context.
        self.contexts = threading.local()

    def before_process_message(
        self, broker: dramatiq.Broker, message: dramatiq.Message
    ) -> None:
        self.contexts.current = self.app.app_context()
        self.contexts.current.push()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: dramatiq.Message,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        # An earlier middleware may have skipped the message before the push.
        context = vars(self.contexts).pop("current", None)
        if context is not None:
            context.pop(exception)

    after_skip_message = after_process_message


def init_app(app: Flask, settings: Settings) -> None:
    """Make the app's broker, bind the jobs to it, and add the `worker` command.

    The actors belong to this module, so they follow the app made last in the
    process; a process serves one app (tests make one at a time).
    """
    broker = worker.make_broker(settings, [AppContextMiddleware(app)])
    for actor in STAND_IN_BROKER.actors.values():
        actor.broker = broker
        broker.declare_actor(actor)
    app.extensions["dramatiq"] = broker
    app.cli.add_command(worker_command)


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the queued jobs until SIGTERM or SIGINT: the Procfile's worker process."""
    worker.run(current_app.extensions["dramatiq"])
