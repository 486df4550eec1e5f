"""Backing services (IV), the worker (VIII) and disposability (IX), for real.

Each framework's default project runs its Procfile's release, web and worker lines
against a fresh PostgreSQL database and the tests' own Redis database. Slow requests
and long jobs are made by locking a table from outside, the way a slow query would
hold them up, so the generated code runs exactly as shipped.
"""

import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import Deployed, Server, platform_env, run, start_process, start_server
from services import (
    POSTGRES,
    REDIS,
    Gate,
    TableLock,
    fresh_redis_url,
    postgres_database,
    postgres_url,
)

HTTPS = {"X-Forwarded-Proto": "https", "Host": "service.example.com"}
# Short enough for the tests to wait out; the default is 15 s.
HEARTBEAT_TIMEOUT = 3
VISITS_TABLE = {"flask": "visits", "django": "visits_visit"}


class Service:
    """One framework's project on a fresh database, with its processes."""

    def __init__(self, deployed: Deployed, database: str, env: dict[str, str]) -> None:
        self.deployed = deployed
        self.database = database
        self.env = env
        self.processes: list[Server] = []

    def release(self) -> float:
        started = time.monotonic()
        result = run(
            ["sh", "-c", f"exec {self.deployed.process('release')}"],
            cwd=self.deployed.path,
            env=self.env,
        )
        assert not result.stderr, result.stderr
        return time.monotonic() - started

    def web(self, **extra: str) -> Server:
        server = start_server(self.deployed, {**self.env, **extra})
        self.processes.append(server)
        return server

    def worker(self) -> Server:
        worker = start_process(self.deployed, "worker", self.env)
        self.processes.append(worker)
        worker.wait_for_line(lambda line: "worker started" in line, timeout=30)
        return worker

    def lock_visits(self) -> TableLock:
        return TableLock(self.database, VISITS_TABLE[self.deployed.framework])

    def stop_all(self) -> None:
        for process in self.processes:
            if process.process.poll() is None:
                process.stop()
            else:
                process.close()


def post_report(web: Server, request_id: str | None = None) -> dict:
    headers = {**HTTPS, **({"X-Request-ID": request_id} if request_id else {})}
    response, body = web.request("/reports", headers=headers, method="POST")
    assert response.status == 202, body
    report = json.loads(body)
    assert response.getheader("Location").endswith(f"/reports/{report['id']}")
    return report


def get_report(web: Server, report_id: int) -> dict:
    response, body = web.request(f"/reports/{report_id}", headers=HTTPS)
    assert response.status == 200, body
    return json.loads(body)


def wait_for_report(web: Server, report_id: int, timeout: float) -> dict:
    """Wait until the report is done; return it."""
    return wait_until(
        lambda: (r := get_report(web, report_id))["status"] == "done" and r,
        timeout=timeout,
        what=f"report {report_id} to be done",
    )


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)
    return result


def rss_mb(process: Server) -> float:
    status = Path(f"/proc/{process.process.pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def json_lines(process: Server) -> list[dict]:
    return [json.loads(line) for line in process.stdout]


@contextmanager
def released_service(deployed, **variables: str) -> Iterator[Service]:
    """A fresh PostgreSQL database and Redis database, released, one web worker."""
    with postgres_database() as database:
        env = platform_env(
            deployed,
            postgres_url(database),
            REDIS_URL=fresh_redis_url(),
            WEB_CONCURRENCY="1",
            **variables,
        )
        service = Service(deployed, database, env)
        service.release()
        try:
            yield service
        finally:
            service.stop_all()


@pytest.fixture
def service(deployed) -> Iterator[Service]:
    """A released service whose workers count as gone after HEARTBEAT_TIMEOUT."""
    with released_service(deployed, WORKER_HEARTBEAT_TIMEOUT=str(HEARTBEAT_TIMEOUT)) as service:
        yield service


def test_release_web_and_worker_run_a_job_on_postgres_and_redis(deployed, figures):
    """Release a new database, enqueue over HTTP, see the worker store the result."""
    with postgres_database() as database:
        env = platform_env(deployed, postgres_url(database), REDIS_URL=fresh_redis_url())
        service = Service(deployed, database, env)
        try:
            figures[f"{deployed.framework}: release on a new PostgreSQL database"] = (
                f"{service.release():.2f} s"
            )
            web, worker = service.web(), service.worker()
            started_in = time.monotonic() - worker.started
            time.sleep(1)
            figures[f"{deployed.framework}: worker start, idle RSS"] = (
                f"{started_in:.2f} s, {rss_mb(worker):.0f} MB"
            )
            response, body = web.request("/readyz")
            assert response.status == 200, body
            assert json.loads(body)["checks"] == {"database": "ok", "redis": "ok"}
            for _ in range(3):
                assert web.request("/", headers=HTTPS)[0].status == 200

            started = time.monotonic()
            queued = post_report(web, request_id="job-test-7f3a")
            assert queued["status"] in ("queued", "running", "done")
            done = wait_for_report(web, queued["id"], timeout=30)
            figures[f"{deployed.framework}: enqueue to job done"] = (
                f"{time.monotonic() - started:.2f} s"
            )
            assert done["visits"] == 3
            assert done["runs"] == 1
            assert done["request_id"] == "job-test-7f3a"

            line = worker.wait_for_line(lambda line: f"report {queued['id']} done" in line)
            assert json.loads(line)["request_id"] == "job-test-7f3a"
            code, seconds = worker.stop()
            assert (code, worker.stderr) == (0, [])
            assert seconds < 5
            assert all(isinstance(entry, dict) for entry in json_lines(worker))
            assert web.stop()[0] == 0
        finally:
            service.stop_all()


def test_readiness_follows_the_database_and_redis(deployed):
    """/readyz turns 503 naming the service that is gone, and 200 once it is back."""
    with postgres_database() as database:
        redis_url = fresh_redis_url()
        db_gate, redis_gate = Gate(POSTGRES), Gate(REDIS)
        env = platform_env(
            deployed,
            postgres_url(database, port=db_gate.port),
            REDIS_URL=redis_url.replace(f":{REDIS[1]}/", f":{redis_gate.port}/"),
            WEB_CONCURRENCY="1",
        )
        service = Service(deployed, database, env)
        try:
            service.release()
            web = service.web()

            def readiness() -> tuple[int, dict]:
                response, body = web.request("/readyz")
                return response.status, json.loads(body)["checks"]

            ok = (200, {"database": "ok", "redis": "ok"})
            assert readiness() == ok
            for gate, name, other in (
                (db_gate, "database", "redis"),
                (redis_gate, "redis", "database"),
            ):
                gate.cut()
                down = (503, {name: "unavailable", other: "ok"})
                wait_until(
                    lambda down=down: readiness() == down, timeout=10, what=f"503 naming {name}"
                )
                assert web.request("/healthz")[0].status == 200
                gate.open()
                wait_until(lambda: readiness() == ok, timeout=10, what=f"200 once {name} is back")
            assert web.process.poll() is None
            assert web.stop()[0] == 0
        finally:
            service.stop_all()
            db_gate.cut()
            redis_gate.cut()


def test_sigterm_lets_a_slow_request_finish(service):
    """A request held up 2 s by the database, in flight at SIGTERM, gets its 200."""
    web = service.web()
    lock = service.lock_visits()
    answers: list[int] = []
    request = threading.Thread(
        target=lambda: answers.append(web.request("/", headers=HTTPS)[0].status)
    )
    request.start()
    wait_until(lambda: lock.waiting(), timeout=10, what="the request to wait")
    web.process.send_signal(signal.SIGTERM)
    time.sleep(2)
    assert web.process.poll() is None, "the web process quit with a request in flight"
    lock.release()
    request.join(timeout=10)
    assert answers == [200]
    assert web.process.wait(timeout=10) == 0


def test_sigkilled_workers_job_runs_again_on_another_worker(service, figures):
    """A job whose worker died mid-job is run again once the heartbeat times out."""
    web, first = service.web(), service.worker()
    lock = service.lock_visits()
    report = post_report(web)
    wait_until(
        lambda: get_report(web, report["id"])["status"] == "running",
        timeout=10,
        what="the job to start",
    )
    first.process.kill()
    killed = time.monotonic()
    first.process.wait(timeout=5)
    lock.release()
    service.worker()
    done = wait_for_report(web, report["id"], timeout=HEARTBEAT_TIMEOUT + 20)
    delay = time.monotonic() - killed
    figures[f"{service.deployed.framework}: job run again after SIGKILL"] = (
        f"{delay:.1f} s (WORKER_HEARTBEAT_TIMEOUT={HEARTBEAT_TIMEOUT})"
    )
    assert done["runs"] == 2
    assert done["visits"] == 0
    assert delay >= HEARTBEAT_TIMEOUT


def test_long_jobs_of_a_healthy_worker_run_once(service):
    """Jobs busy for three heartbeat timeouts are not taken by another worker."""
    web = service.web()
    lock = service.lock_visits()
    reports = [post_report(web) for _ in range(12)]
    # The first worker fetches 8 jobs (twice its 4 threads), which stops its
    # consumer of the queue from polling Redis while they run.
    workers = [service.worker()]
    wait_until(
        lambda: sum(get_report(web, r["id"])["status"] == "running" for r in reports) == 4,
        timeout=10,
        what="four jobs to start",
    )
    # The second one takes the rest, and watches for dead workers all along.
    workers.append(service.worker())
    time.sleep(3 * HEARTBEAT_TIMEOUT)
    lock.release()
    for report in reports:
        done = wait_for_report(web, report["id"], timeout=30)
        assert done["runs"] == 1, done
    for worker in workers:
        assert worker.stop()[0] == 0


def test_sigterm_finishes_jobs_in_progress_and_returns_the_rest(service):
    """On SIGTERM the worker finishes the jobs it started; the others go back."""
    web, first = service.web(), service.worker()
    lock = service.lock_visits()
    reports = [post_report(web) for _ in range(6)]
    wait_until(
        lambda: sum(get_report(web, r["id"])["status"] == "running" for r in reports) == 4,
        timeout=10,
        what="four jobs to start",
    )
    first.process.send_signal(signal.SIGTERM)
    time.sleep(1)
    assert first.process.poll() is None, "the worker quit with jobs in progress"
    lock.release()
    assert first.process.wait(timeout=10) == 0
    statuses = [get_report(web, r["id"])["status"] for r in reports]
    assert statuses.count("done") == 4
    assert statuses.count("queued") == 2

    service.worker()
    for report in reports:
        done = wait_for_report(web, report["id"], timeout=20)
        assert done["runs"] == 1, done
