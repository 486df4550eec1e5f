"""Fixtures that render, install, build and boot generated projects once per session.

Baked projects are read-only: tests that write (builds, databases, test runs) work on
a deployable copy, made the way the Dockerfile's context is (no `.env`).

The suite runs in pytest-xdist workers (pyproject.toml's addopts). Each worker is a
session of its own, so what costs most is made once for the whole run in a folder the
workers share, under a file lock (`shared_deployment`); each worker takes its own copy
of the deployed project, and its own ports and Redis database (`free_port`,
services.REDIS_DATABASE).
"""

import fcntl
import glob
import itertools
import os
import random
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
from xdist.scheduler import LoadScopeScheduling

from images import locked

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
# The pytest-xdist worker this process is ("gw0", "gw1", ...), or None without xdist.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
WORKER_INDEX = int(WORKER.removeprefix("gw")) if WORKER else 0


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


# The ports free_port() hands out: a range of its own for each xdist worker, below the
# kernel's ephemeral ports, so that neither another worker nor a client socket's own
# port can take one between free_port() and the server's bind.
FIRST_PORT = 20000
PORTS_PER_WORKER = 1000


def _worker_ports() -> Iterator[int]:
    low = FIRST_PORT + WORKER_INDEX * PORTS_PER_WORKER
    ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    assert low + PORTS_PER_WORKER <= ephemeral, (
        f"{WORKER}'s ports from {low} reach the ephemeral ports, from {ephemeral}"
    )
    # From a random place in the range: another run at the same time starts elsewhere.
    start = random.randrange(PORTS_PER_WORKER)
    ports = range(low, low + PORTS_PER_WORKER)
    return itertools.cycle([*ports[start:], *ports[:start]])


_PORTS: Iterator[int] | None = None


def free_port() -> int:
    """Return a port nothing listens on, of this worker's range, not handed out lately."""
    global _PORTS
    if _PORTS is None:
        _PORTS = _worker_ports()
    for _ in range(PORTS_PER_WORKER):
        port = next(_PORTS)
        with socket.socket() as sock:
            try:
                sock.bind(("0.0.0.0", port))  # noqa: S104 - what gunicorn binds
            except OSError:
                continue
        return port
    pytest.fail(f"no free port left in {WORKER or 'the'} range")


FIGURES: dict[str, object] = {}


@pytest.fixture(scope="session")
def figures() -> dict[str, object]:
    """Measurements worth reporting, printed at the end of the run."""
    return FIGURES


def pytest_sessionfinish(session) -> None:
    """In an xdist worker, hand the figures to the controller, which prints them."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["figures"] = {
            name: str(value) for name, value in FIGURES.items()
        }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    FIGURES.update(getattr(node, "workeroutput", {}).get("figures", {}))


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("figures")
        for name, value in sorted(FIGURES.items()):
            terminalreporter.write_line(f"{name}: {value}")


# How the xdist workers share the run, by the start of the tests' ids.
# Each group is run by one worker, one test after another: the container tests share
# podman's storage, the base image, the image tags they build and the names of the pods
# they play; the load tests share nothing, but see ALONE.
GROUPS = {
    "podman": ("tests/test_container.py::", "tests/test_kubernetes.py::test_kube_play_"),
    "load": ("tests/test_load.py::",),
}
# Run while no other test runs, in any worker: each load takes both cores for its
# duration, and its request counts are those of a machine that does nothing else.
ALONE = GROUPS["load"]
# Handed out first: the container tests (the base image may have to be made) and long
# tests that need no framework's deployment, so that the run does not end on them; and
# last, the tests that run alone (the others are done by then).
FIRST = (
    *GROUPS["podman"],
    "tests/test_project.py::test_project_installs_",
    "tests/test_input_properties.py::test_any_",
    "tests/test_quickstart.py::",
)
LAST = ALONE


def group_of(nodeid: str) -> str | None:
    return next((g for g, starts in GROUPS.items() if nodeid.startswith(starts)), None)


class GroupScheduling(LoadScopeScheduling):
    """`--dist=loadgroup` with the groups of GROUPS: each group goes to one worker, every
    other test to whichever worker is free, in the order of the collection.

    pytest-xdist's own loadgroup reads `xdist_group` marks through test ids, which
    pytest 9.2 no longer lets it change (pytest-xdist issue #1386): its groups are lost.
    """

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid) or nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadgroup":
        # The queue keeps the order of the collection (FIRST, LAST), not biggest first.
        config.option.loadscopereorder = False
        return GroupScheduling(config, log)
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items) -> None:
    """After pytest's own order (by framework): FIRST first and LAST last."""
    for item in items:
        if item.get_closest_marker("container") and group_of(item.nodeid) != "podman":
            raise pytest.UsageError(f"add the container test {item.nodeid} to GROUPS['podman']")
    items.sort(key=lambda item: -item.nodeid.startswith(FIRST) + item.nodeid.startswith(LAST))


_ALONE: list = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Run an ALONE test while no other test runs, in any xdist worker.

    Every other test holds a shared lock while it runs, an ALONE one (and those right
    after it in the same worker) an exclusive one. A gate taken before either keeps
    other tests from starting while an ALONE one waits for the lock.
    """
    if not WORKER:
        return (yield)
    shared = Path(item.config.option.basetemp).parent
    if not item.nodeid.startswith(ALONE):
        with (shared / "turns.gate").open("a") as gate, (shared / "turns").open("a") as turn:
            fcntl.flock(gate, fcntl.LOCK_EX)
            fcntl.flock(turn, fcntl.LOCK_SH)
            fcntl.flock(gate, fcntl.LOCK_UN)
            return (yield)
    if not _ALONE:
        for name, mode in (("turns.gate", fcntl.LOCK_EX), ("turns", fcntl.LOCK_EX)):
            _ALONE.append(handle := (shared / name).open("a"))
            fcntl.flock(handle, mode)
    try:
        return (yield)
    finally:
        if nextitem is None or not nextitem.nodeid.startswith(ALONE):
            while _ALONE:
                _ALONE.pop().close()


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


def deploy(
    baked: Path, work: Path, framework: str, python_version: str, compile_bytecode: bool = True
) -> Deployed:
    """Copy a baked project without its `.env`, install it from the lock, and build it.

    With compile_bytecode, the virtualenv is compiled at install, as pip does, and no
    process writes to it afterwards; without, the processes compile what they import.
    """
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
            *(["--compile-bytecode"] if compile_bytecode else []),
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
def shared_tmp(tmp_path_factory) -> Path:
    """A folder every xdist worker of this run sees: their base temporary folders' parent."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if WORKER else base


def shared_deployment(shared_tmp: Path, framework: str) -> Deployed:
    """One framework's default project rendered and deployed once for the whole run.

    The first worker that asks deploys it; the others wait for it. Its virtualenv is
    only read afterwards (its bytecode is compiled at install); its project folder is
    copied by each worker, never used as it is (see `deployed`). The layout is
    deploy()'s: `<work>/baked/<slug>`, `<work>/<slug>`, `<work>/venv`.
    """
    work = shared_tmp / f"deploy-{framework}"
    done = shared_tmp / f"deploy-{framework}.done"
    with locked(shared_tmp / f"deploy-{framework}.lock"):
        if not done.exists():
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            deploy(bake(work / "baked", framework=framework), work, framework, DEFAULT_PYTHON)
            done.touch()
    return Deployed(framework, work / SLUG, work / "venv")


@pytest.fixture(scope="session")
def deployed(framework, shared_tmp, tmp_path_factory) -> Deployed:
    """One framework's default project, deployed once for the run: this worker's copy.

    The copy is what deploy() leaves (built, no `.env`); it runs with the shared
    virtualenv, which holds the dependencies only, not the project.
    """
    shared = shared_deployment(shared_tmp, framework)
    path = tmp_path_factory.mktemp(f"deploy-{framework}") / SLUG
    # Without the bytecode of the build step, which names the shared folder's files.
    shutil.copytree(shared.path, path, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    return Deployed(framework, path, shared.venv)


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
