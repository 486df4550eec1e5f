"""Faults (issue: reliability): backing services going away, workers killed, bad HTTP.

Each framework's default project serves through gunicorn from its Procfile; the
database and Redis are reached through gates that the tests cut and open again, so
the machine's shared services are never touched.
"""

import json
import os
import signal
import socket
import time

import pytest

from conftest import BIN, SLUG, platform_env, run, start_server
from services import POSTGRES, REDIS, Gate, fresh_redis_url, postgres_database, postgres_url

HTTPS = {"X-Forwarded-Proto": "https", "Host": "service.example.com"}
# What a browser asks for: a page rather than JSON.
BROWSER = {**HTTPS, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def gated(deployed):
    """The web process on a fresh PostgreSQL database and Redis, both behind gates."""
    with postgres_database() as database:
        db_gate, redis_gate = Gate(POSTGRES), Gate(REDIS)
        redis_url = fresh_redis_url().replace(f":{REDIS[1]}/", f":{redis_gate.port}/")
        env = platform_env(
            deployed,
            postgres_url(database, port=db_gate.port),
            REDIS_URL=redis_url,
            WEB_CONCURRENCY="1",
        )
        run(["sh", "-c", f"exec {deployed.process('release')}"], cwd=deployed.path, env=env)
        server = start_server(deployed, env)
        try:
            yield server, db_gate, redis_gate
        finally:
            if server.process.poll() is None:
                server.stop()
            db_gate.cut()
            redis_gate.cut()


def test_database_down_gives_503_pages_and_recovers(gated):
    """Without the database, pages answer 503 with a generic page; all recovers after."""
    server, db_gate, _ = gated
    assert server.request("/", headers=HTTPS)[0].status == 200
    pid = server.process.pid
    db_gate.cut()
    for path, kind in (("/", "text/html"), ("/reports/1", "application/json")):
        response, body = server.request(path, headers=BROWSER if kind == "text/html" else HTTPS)
        assert response.status == 503, (path, body)
        assert response.getheader("Content-Type").startswith(kind)
        assert b"Traceback" not in body
        assert b"postgres" not in body.lower()
    assert server.request("/healthz")[0].status == 200
    assert server.request("/readyz")[0].status == 503
    db_gate.open()
    wait_for(lambda: server.request("/", headers=HTTPS)[0].status == 200, 10, "pages to recover")
    assert server.request("/readyz")[0].status == 200
    assert server.process.pid == pid and server.process.poll() is None
    lines = [json.loads(line) for line in server.stdout]
    assert not any("Traceback" in json.dumps(line) for line in lines if line["level"] != "ERROR")


def test_redis_down_degrades_the_cache_and_readiness_names_it(gated):
    """Without Redis, reports are still served (cache misses) and /readyz names Redis."""
    server, _, redis_gate = gated
    response, body = server.request("/reports", headers=HTTPS, method="POST")
    assert response.status == 202, body
    report = json.loads(body)
    redis_gate.cut()
    response, body = server.request(f"/reports/{report['id']}", headers=HTTPS)
    assert response.status == 200, body
    response, body = server.request("/readyz")
    assert response.status == 503
    assert json.loads(body)["checks"] == {"database": "ok", "redis": "unavailable"}
    redis_gate.open()
    wait_for(lambda: server.request("/readyz")[0].status == 200, 10, "Redis to be ready again")


def test_killed_gunicorn_worker_is_replaced(deployed, released):
    """SIGKILL to a gunicorn worker: the master starts another, requests keep working."""
    server = start_server(deployed, platform_env(deployed, released, WEB_CONCURRENCY="1"))
    try:
        workers = children(server.process.pid)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)
        wait_for(
            lambda: (now := children(server.process.pid)) and now != workers,
            10,
            "a new worker",
        )
        wait_for(lambda: ok(server, "/healthz"), 10, "the new worker to answer")
        assert all(ok(server, "/readyz") for _ in range(20))
    finally:
        server.stop()


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


def ok(server, path: str) -> bool:
    try:
        return server.request(path)[0].status == 200
    except OSError:
        return False


def raw_request(port: int, data: bytes) -> bytes:
    """Send bytes as they are; return the answer, up to the server closing.

    A server that answers before reading the whole body may reset the connection
    once it closes it: what arrived before counts.
    """
    chunks = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        try:
            connection.sendall(data)
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    ("request_bytes", "expected"),
    [
        pytest.param(b"GARBAGE\r\n\r\n", 400, id="malformed-request-line"),
        pytest.param(
            b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",
            431,
            id="oversized-header",
        ),
        pytest.param(
            b"GET /static/../../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"X-Forwarded-Proto: https\r\n\r\n",
            404,
            id="static-path-traversal",
        ),
        pytest.param(
            b"GET /static/%2e%2e/%2e%2e/config.py HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"X-Forwarded-Proto: https\r\n\r\n",
            404,
            id="encoded-static-path-traversal",
        ),
        pytest.param(
            b"GET /healthz HTTP/1.1\r\nHost: evil.example.org\r\n\r\n",
            400,
            id="host-not-allowed",
        ),
        pytest.param(
            b"POST /reports HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
            b"Content-Length: 2000000\r\nConnection: close\r\n\r\n" + b"x" * 2_000_000,
            413,
            id="body-over-the-limit",
        ),
    ],
)
def test_bad_requests_are_refused_without_a_500_or_traceback(server, request_bytes, expected):
    """Malformed, oversized and hostile requests get a 4xx and no trace of the internals."""
    answer = raw_request(server.port, request_bytes)
    assert status_of(answer) == expected, answer[:300]
    assert b"Traceback" not in answer
    assert b"SECRET_KEY" not in answer
    assert server.process.poll() is None


def test_bandit_finds_no_medium_or_high_issue(baked):
    """`bandit -r` on the generated code reports nothing of medium or high severity."""
    for framework, project in baked.items():
        result = run(
            [BIN / "bandit", "-q", "-r", "--severity-level", "medium", SLUG],
            cwd=project,
            check=False,
        )
        assert result.returncode == 0, f"{framework}:\n{result.stdout}{result.stderr}"
