"""The Procfile's processes, started as a platform starts them, keep the contract.

Factors III (config), VII (port binding), IX (disposability) and XI (logs), checked
on the real gunicorn web process over HTTP. Run only these with `pytest -m contract`,
or everything else with `pytest -m "not contract"`.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path

import pytest

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parent.parent
# The Procfile's commands come from this virtualenv, whatever PATH the tests got.
BIN = Path(sys.executable).parent
BOOT_SECONDS = 30


def procfile() -> dict[str, str]:
    """Return the Procfile's command line for each process type."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {
        name.strip(): command.strip()
        for name, _, command in (line.partition(":") for line in lines)
        if command.strip()
    }


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(**variables: str) -> dict[str, str]:
    """Return an environment holding only what a platform would give."""
    return {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **variables}


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the project as a platform gets it: every file but the local `.env`."""
    target = tmp_path_factory.mktemp("app")
    for entry in ROOT.iterdir():
        if entry.name != ".env":
            (target / entry.name).symlink_to(entry)
    return target


@pytest.fixture(scope="module")
def platform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Return every setting of the contract, as a platform would set them."""
    database = tmp_path_factory.mktemp("data") / "app.sqlite3"
    return environment(
        SECRET_KEY=f"contract-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{database}",
        ALLOWED_HOSTS="service.example.com",
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        PORT=str(free_port()),
        WEB_CONCURRENCY="2",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
        FORWARDED_ALLOW_IPS="127.0.0.1,::1",
    )


def command(name: str) -> list[str]:
    """Return the command line of one Procfile process type, run as a platform would."""
    return ["/bin/sh", "-c", f"exec {procfile()[name]}"]


def run_process(
    name: str, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run one Procfile process type to completion."""
    return subprocess.run(
        command(name),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def start_process(
    name: str, cwd: Path, env: dict[str, str], logs: Path
) -> subprocess.Popen[bytes]:
    """Start one Procfile process type, writing its output to files in `logs`."""
    with open(logs / "stdout", "wb") as stdout, open(logs / "stderr", "wb") as stderr:
        return subprocess.Popen(
            command(name),
            cwd=cwd,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )


@dataclass
class Web:
    """The running web process, its port and where its output goes."""

    process: subprocess.Popen[bytes]
    port: int
    stdout: Path
    stderr: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> HTTPResponse:
        """Make a GET request and return the response, body read."""
        connection = HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            response.read()
            return response
        finally:
            connection.close()

    def log_lines(self) -> list[dict[str, object]]:
        """Return every stdout line parsed as JSON (failing on any other line)."""
        return [json.loads(line) for line in self.stdout.read_text().splitlines()]

    def stop(self) -> tuple[int, float]:
        """Send SIGTERM; return the exit status and the seconds it took."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=30)
        return status, time.monotonic() - started


@pytest.fixture(scope="module")
def released(app_dir: Path, platform_env: dict[str, str]) -> None:
    """Run the release process on the fresh database."""
    result = run_process("release", app_dir, platform_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""


@pytest.fixture(scope="module")
def web(
    app_dir: Path,
    platform_env: dict[str, str],
    released: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Web]:
    """Start the Procfile's web line once for this module; wait for /healthz."""
    logs = tmp_path_factory.mktemp("logs")
    process = start_process("web", app_dir, platform_env, logs)
    web = Web(process, int(platform_env["PORT"]), logs / "stdout", logs / "stderr")
    try:
        wait_until_healthy(web)
        yield web
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def wait_until_healthy(web: Web) -> None:
    """Return once /healthz answers 200; fail if the process exits or never does."""
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        if web.process.poll() is not None:
            pytest.fail(
                f"web exited {web.process.returncode}:\n"
                f"{web.stdout.read_text()}{web.stderr.read_text()}"
            )
        try:
            if web.get("/healthz").status == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    pytest.fail(f"web did not answer /healthz within {BOOT_SECONDS} s")


def test_contract_healthz_answers_ok(web: Web) -> None:
    """/healthz answers 200 over plain HTTP, even with the HTTPS redirect on."""
    assert web.get("/healthz").status == 200


def test_contract_readyz_answers_ok_with_the_database(web: Web) -> None:
    """/readyz answers 200 once the release process has migrated the database."""
    assert web.get("/readyz").status == 200


def test_contract_logs_json_lines_with_request_ids(web: Web) -> None:
    """Every stdout line is JSON, the access line included, with the request id."""
    request_id = f"contract-{uuid.uuid4().hex}"
    response = web.get("/healthz", headers={"X-Request-ID": request_id})
    assert response.getheader("X-Request-ID") == request_id
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        access = [
            line
            for line in web.log_lines()
            if line["logger"] == "gunicorn.access" and line["request_id"] == request_id
        ]
        if access:
            break
        time.sleep(0.05)
    assert len(access) == 1, web.stdout.read_text()
    assert access[0]["path"] == "/healthz"
    assert access[0]["status"] == 200
    assert web.stderr.read_text() == ""


def test_contract_warnings_are_json_log_lines(platform_env: dict[str, str]) -> None:
    """A Python warning, raised on purpose after the logging setup, is a JSON line."""
    script = (
        "import logging.config, warnings\n"
        "from {{ cookiecutter.project_slug }}.logs import logging_config\n"
        "logging.config.dictConfig(logging_config('INFO', 'json'))\n"
        "warnings.warn('raised on purpose')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=platform_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    [line] = [json.loads(line) for line in result.stdout.splitlines()]
    assert line["logger"] == "py.warnings"
    assert line["level"] == "WARNING"
    assert "UserWarning: raised on purpose" in line["message"]


def test_contract_web_stops_on_sigterm_with_status_0(web: Web) -> None:
    """SIGTERM makes the idle web process exit 0 within 5 seconds."""
    status, seconds = web.stop()
    assert status == 0
    assert seconds < 5
    assert web.stderr.read_text() == ""


{%- if cookiecutter.worker %}


def test_contract_worker_without_redis_waits_and_stops_on_sigterm(
    app_dir: Path, platform_env: dict[str, str], released: None, tmp_path: Path
) -> None:
    """Without REDIS_URL the worker says why it idles, and stops cleanly on SIGTERM."""
    process = start_process("worker", app_dir, platform_env, tmp_path)
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    deadline = time.monotonic() + BOOT_SECONDS
    while "REDIS_URL is not set" not in stdout.read_text():
        assert process.poll() is None, stdout.read_text() + stderr.read_text()
        assert time.monotonic() < deadline, "the worker never said it was waiting"
        time.sleep(0.05)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert time.monotonic() - started < 5
    lines = [json.loads(line) for line in stdout.read_text().splitlines()]
    assert any("web process runs its own jobs" in line["message"] for line in lines)
    assert stderr.read_text() == ""
{%- endif %}


@pytest.mark.parametrize("name", ["web", "release"{% if cookiecutter.worker %}, "worker"{% endif %}])
def test_contract_bad_config_stops_with_one_message(
    app_dir: Path, platform_env: dict[str, str], name: str
) -> None:
    """No SECRET_KEY, a bad DATABASE_URL and WEB_CONCURRENCY: it names all three."""
    env = {**platform_env, "DATABASE_URL": "nonsense", "WEB_CONCURRENCY": "abc"}
    del env["SECRET_KEY"]
    result = run_process(name, app_dir, env)
    assert result.returncode != 0
    assert result.stderr.count("Configuration error") == 1, result.stderr
    assert "SECRET_KEY: required" in result.stderr
    assert "DATABASE_URL: must be a database URL" in result.stderr
    assert "WEB_CONCURRENCY: input should be a valid integer" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
