"""Fixtures to run jobs in tests: django-dramatiq's documented broker and worker.

In tests, as without REDIS_URL, the broker is Dramatiq's in-memory StubBroker.
https://github.com/Bogdanp/django_dramatiq#using-pytest-django
"""

from collections.abc import Iterator

import dramatiq
import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from dramatiq.worker import WorkerThread


@pytest.fixture
def broker() -> dramatiq.Broker:
    """Return the jobs' broker, its queues emptied."""
    broker = dramatiq.get_broker()
    broker.flush_all()
    return broker


class LendTestConnection(dramatiq.Middleware):
    """Lend the test's database connection to the worker threads.

    Django never closes a connection to SQLite's in-memory test database, so a
    worker thread's own would outlive the test; LiveServerTestCase lends its
    connection to its server thread in the same way.
    """

    def __init__(self) -> None:
        self.connection = connections[DEFAULT_DB_ALIAS]

    def after_worker_thread_boot(
        self, broker: dramatiq.Broker, thread: WorkerThread
    ) -> None:
        connections[DEFAULT_DB_ALIAS] = self.connection


@pytest.fixture
def worker(broker: dramatiq.Broker) -> Iterator[dramatiq.Worker]:
    """Run a Dramatiq worker in threads of this process while the test runs."""
    lend = LendTestConnection()
    lend.connection.inc_thread_sharing()
    broker.add_middleware(lend)
    worker = dramatiq.Worker(broker, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()
    broker.middleware.remove(lend)
    lend.connection.dec_thread_sharing()
