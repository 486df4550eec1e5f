"""Load: two gunicorn workers under 64 connections for 30 s lose nothing and leak nothing.

wrk drives /healthz and the home page (a visit written and counted in PostgreSQL) at
once, on loopback; the workers' memory is sampled every second. On the embedded
SQLite default, two workers writing a visit per request never find it locked.
"""

import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

from conftest import need, platform_env, run, start_server
from services import postgres_database, postgres_url

SECONDS = 30
CONNECTIONS = 64


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0])


def workers_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def wrk(
    port: int, path: str, seconds: int = SECONDS, connections: int = CONNECTIONS
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-H",
            "Host: service.example.com",
            "-H",
            "X-Forwarded-Proto: https",
            f"http://127.0.0.1:{port}{path}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_workers_serve_64_connections_for_30_seconds(deployed, figures):
    """No error, no non-2xx, and worker memory flat from the first to the last 10 s."""
    need(shutil.which("wrk") is not None, "wrk is not installed (apt-get install wrk)")
    with postgres_database() as database:
        env = platform_env(deployed, postgres_url(database), WEB_CONCURRENCY="2")
        run(["sh", "-c", f"exec {deployed.process('release')}"], cwd=deployed.path, env=env)
        server = start_server(deployed, env)
        try:
            workers = workers_of(server.process.pid)
            assert len(workers) == 2
            samples: list[int] = []
            done = threading.Event()

            def sample() -> None:
                while not done.wait(1):
                    samples.append(sum(rss_kb(pid) for pid in workers))

            sampler = threading.Thread(target=sample)
            loads = {path: wrk(server.port, path) for path in ("/healthz", "/")}
            sampler.start()
            outputs = {
                path: load.communicate(timeout=SECONDS + 60)[0] for path, load in loads.items()
            }
            done.set()
            sampler.join()
            assert workers_of(server.process.pid) == workers, "a worker was replaced"
        finally:
            server.stop()

    for path, output in outputs.items():
        requests = int(re.search(r"(\d+) requests in", output).group(1))
        figures[f"{deployed.framework}: load {path} requests in {SECONDS} s"] = requests
        assert requests > 0, output
        assert "Socket errors" not in output, output
        assert "Non-2xx or 3xx" not in output, output
    first, last = samples[:10], samples[-10:]
    growth = (sum(last) / len(last)) / (sum(first) / len(first)) - 1
    figures[f"{deployed.framework}: load, RSS of both workers, first/last 10 s"] = (
        f"{sum(first) / len(first) / 1024:.1f} / {sum(last) / len(last) / 1024:.1f} MB"
    )
    assert growth < 0.10, samples


def test_two_workers_write_to_sqlite_without_locking(deployed, released, figures):
    """16 connections for 10 s on the home page, SQLite: no 5xx, never "database is locked"."""
    need(shutil.which("wrk") is not None, "wrk is not installed (apt-get install wrk)")
    server = start_server(deployed, platform_env(deployed, released, WEB_CONCURRENCY="2"))
    try:
        output = wrk(server.port, "/", seconds=10, connections=16).communicate(timeout=70)[0]
    finally:
        server.stop()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    figures[f"{deployed.framework}: / on SQLite, 2 workers, 16 connections"] = f"{rate:.0f} req/s"
    assert "Socket errors" not in output, output
    assert "Non-2xx or 3xx" not in output, output
    statuses = {json.loads(line).get("status") for line in server.stdout}
    assert statuses == {None, 200}, statuses
    assert "database is locked" not in "".join(server.stdout + server.stderr)
