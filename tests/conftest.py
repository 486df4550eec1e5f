"""Fixtures that render, install, build and boot generated projects once per session.

Baked projects are read-only: tests that write (builds, databases, test runs) work on
a deployable copy, made the way the Dockerfile's context is (no `.env`).
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ("flask", "django")
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
DEFAULT_PYTHON = "3.12"
SLUG = "my_service"
# A key as strong as the contract asks for; the tests never print it.
SECRET_KEY = "t" + uuid.uuid4().hex + uuid.uuid4().hex
# The build step each Dockerfile runs, keyed by framework (test_dockerfile checks it).
BUILD = {
    "flask": f"flask --app {SLUG}.app digest compile",
    "django": "python manage.py collectstatic --noinput",
}
# How each framework runs admin commands (factor XII).
ADMIN = {"flask": f"flask --app {SLUG}.app", "django": "python manage.py"}
BIN = Path(sys.executable).parent


def bake(output_dir: Path, **context: str) -> Path:
    """Render the template with the given context into output_dir."""
    return Path(
        cookiecutter(str(ROOT), no_input=True, output_dir=str(output_dir), extra_context=context)
    )


def find_python(version: str) -> str:
    """Return the path of a working interpreter for a `X.Y` version, or skip."""
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    candidates += [p for p in [shutil.which(f"python{version}")] if p]
    for candidate in candidates:
        probe = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.startswith(f"Python {version}."):
            return candidate
    return need(False, f"Python {version} is not installed")


def need(condition: bool, reason: str) -> None:
    """Skip the test for a missing tool or service, but fail when CI is set."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide this: {reason}")
        pytest.skip(reason)


def run(
    args: list[str] | str,
    cwd: Path,
    env: dict | None = None,
    timeout: float = 300,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Run a command, failing the test with its output when check is set."""
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        shell=isinstance(args, str),
    )
    if check and result.returncode != 0:
        pytest.fail(f"{args} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def procfile(project: Path) -> dict[str, str]:
    """Return the Procfile's process types and their command lines."""
    lines = (project / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FIGURES: dict[str, object] = {}


@pytest.fixture(scope="session")
def figures() -> dict[str, object]:
    """Measurements worth reporting, printed at the end of the run."""
    return FIGURES


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def baked(tmp_path_factory) -> dict[str, Path]:
    """The default project for each framework, rendered once."""
    return {
        framework: bake(tmp_path_factory.mktemp(f"baked-{framework}"), framework=framework)
        for framework in FRAMEWORKS
    }


@pytest.fixture(scope="session", params=FRAMEWORKS)
def framework(request) -> str:
    return request.param


@dataclass
class Deployed:
    """A deployable copy of a baked project with its virtualenv and build done."""

    framework: str
    path: Path
    venv: Path

    def env(self, **variables: str) -> dict[str, str]:
        """Return a platform-like environment: nothing but what is given."""
        return {
            "PATH": f"{self.venv / 'bin'}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(self.path),
            **variables,
        }

    def process(self, name: str) -> str:
        return procfile(self.path)[name].strip()

    def admin(self, command: str) -> str:
        """Return the command line of an admin command named the Flask way."""
        name, _, arguments = command.partition(" ")
        if self.framework == "django":
            name = name.replace("-", "_")
        return f"{ADMIN[self.framework]} {name} {arguments}".strip()


def deploy(baked: Path, work: Path, framework: str, python_version: str) -> Deployed:
    """Copy a baked project without its `.env`, install it from the lock, and build it."""
    path = work / SLUG
    shutil.copytree(baked, path, ignore=shutil.ignore_patterns(".env"))
    venv = work / "venv"
    uv = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    python = find_python(python_version)
    run([BIN / "uv", "venv", "--quiet", "-p", python, venv], cwd=work, env=uv)
    run(
        [
            BIN / "uv",
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",
            "-p",
            venv / "bin" / "python",
            "--require-hashes",
            "-r",
            "requirements-dev.lock",
        ],
        cwd=path,
        env=uv,
    )
    deployed = Deployed(framework, path, venv)
    build_env = deployed.env(
        SECRET_KEY=SECRET_KEY, DATABASE_URL="sqlite:///build.sqlite3", DEBUG="true"
    )
    run(BUILD[framework], cwd=path, env=build_env)
    return deployed


@pytest.fixture(scope="session")
def deployed(framework, baked, tmp_path_factory) -> Deployed:
    """One framework's default project, deployed once for the session."""
    work = tmp_path_factory.mktemp(f"deploy-{framework}")
    return deploy(baked[framework], work, framework, DEFAULT_PYTHON)


@dataclass
class Server:
    """A web process started from the Procfile, with its output collected."""

    process: subprocess.Popen
    port: int
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    readers: list[threading.Thread] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def request(
        self, path: str, headers: dict | None = None, method: str = "GET"
    ) -> tuple[HTTPResponse, bytes]:
        connection = HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body

    def wait_for_line(self, predicate, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.stdout):
                if predicate(line):
                    return line
            time.sleep(0.05)
        pytest.fail(f"no such log line in:\n{''.join(self.stdout)}")

    def stop(self, timeout: float = 10) -> tuple[int, float]:
        """Send SIGTERM; return the exit status and the seconds it took."""
        started = time.monotonic()
        self.process.terminate()
        code = self.process.wait(timeout=timeout)
        seconds = time.monotonic() - started
        self.close()
        return code, seconds

    def close(self) -> None:
        """Collect the rest of the output of the ended process and close its pipes."""
        for reader in self.readers:
            reader.join(timeout=5)
        self.process.stdout.close()
        self.process.stderr.close()


def _collect(stream, lines: list[str]) -> None:
    for line in iter(stream.readline, ""):
        lines.append(line)


def start_process(deployed: Deployed, name: str, env: dict[str, str]) -> Server:
    """Start one of the Procfile's lines exactly as written, collecting its output."""
    process = subprocess.Popen(
        ["sh", "-c", f"exec {deployed.process(name)}"],
        cwd=deployed.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(process, int(env.get("PORT", 0)))
    for stream, lines in ((process.stdout, server.stdout), (process.stderr, server.stderr)):
        reader = threading.Thread(target=_collect, args=(stream, lines), daemon=True)
        reader.start()
        server.readers.append(reader)
    return server


def start_server(deployed: Deployed, env: dict[str, str], boot_timeout: float = 30) -> Server:
    """Start the Procfile's web line exactly as written; wait for /healthz."""
    server = start_process(deployed, "web", env)
    process = server.process
    deadline = time.monotonic() + boot_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"web exited {process.returncode}:\n{''.join(server.stdout)}"
                f"{''.join(server.stderr)}"
            )
        try:
            response, _ = server.request("/healthz")
            if response.status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"web did not answer /healthz within {boot_timeout}s")


def platform_env(deployed: Deployed, database_url: str, **extra: str) -> dict[str, str]:
    """The environment a platform would give the web process."""
    given = {
        "PORT": str(free_port()),
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "service.example.com",
        "WEB_CONCURRENCY": "2",
        "SECURE_SSL_REDIRECT": "true",
    }
    return deployed.env(**{**given, **extra})


@pytest.fixture(scope="session")
def released(deployed, tmp_path_factory) -> str:
    """Run the Procfile's release line on a fresh SQLite database; return its URL."""
    database = tmp_path_factory.mktemp(f"db-{deployed.framework}") / "app.sqlite3"
    url = f"sqlite:///{database}"
    env = platform_env(deployed, url)
    result = run(["sh", "-c", f"exec {deployed.process('release')}"], cwd=deployed.path, env=env)
    assert not result.stderr, result.stderr
    return url


@pytest.fixture(scope="session")
def server(deployed, released) -> Iterator[Server]:
    """One web process per framework, shared by tests that only make requests."""
    server = start_server(deployed, platform_env(deployed, released))
    yield server
    if server.process.poll() is None:
        server.stop()
