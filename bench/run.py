"""Benchmark the generated Flask and Django services against bare framework baselines.

    python bench/run.py [--duration 10] [--rounds 3] [--boots 5] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/run.py

One run renders each framework's default project with the local template, installs it
from its requirements.lock into a venv (uv, --compile-bytecode), runs its static build
and release steps, and sets up two more apps of the same framework in the same venv,
served by the same gunicorn with JSON access logs (bench/baseline/): a bare app, and a
"floor" that adds what the contract's choices cost by themselves (pydantic-settings;
Flask-SQLAlchemy set up on the app, and the secret key and trusted hosts the contract
requires; Django's startproject apps and middleware), which
shows how much of each figure is the template's own code. For each of the six it
measures, with one sync worker and LOG_FORMAT=json: process start to the first 200 on
/healthz, requests/s on /healthz and /readyz with wrk (loopback only), the worker's RSS
after the load, and SIGTERM to exit when idle. It also times rendering the template.

The database is SQLite unless DATABASE_URL names a PostgreSQL server (any database on
it: the bench creates, and afterwards drops, one fresh database per framework).

Prints a table with each app's figures, the floor against the bare app and the
generated app against both, checks the targets (against the floor; SIGTERM against
the bare app), writes bench/results.json and draws bench/results.png. Server and wrk
output go to bench/logs/. The bench's own tools live in bench/.venv, made on first use
from bench/requirements.txt; the rendered projects and their venvs in bench/.work/,
removed at the end unless --keep. Everything it starts is stopped on exit, error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import glob
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV = BENCH / ".venv"
WORK = BENCH / ".work"
LOGS = BENCH / "logs"
RESULTS_JSON = BENCH / "results.json"
RESULTS_PNG = BENCH / "results.png"

FRAMEWORKS = ("flask", "django")
SLUG = "my_service"
PYTHON_VERSION = "3.12"
# The static build step of each framework, as the Dockerfile runs it (tests/conftest.py).
BUILD = {
    "flask": f"flask --app {SLUG}.app digest compile",
    "django": "python manage.py collectstatic --noinput",
}
BARE_MODULE = {"flask": "bare_flask", "django": "bare_django"}
# The bare app plus the imports of the libraries the contract builds on; booted only.
FLOOR_MODULE = {"flask": "floor_flask", "django": "floor_django"}
# "metrics" and "traces": the generated app with METRICS_PORT, or with
# OTEL_EXPORTER_OTLP_ENDPOINT (spans to a sink in this process), set: what each costs.
KINDS = ("bare", "floor", "twelve", "metrics", "traces")
# The targets of issue 15: the generated app against the floor (SIGTERM: the bare
# app) measured in the same run, as a ratio or a difference in MB.
TARGETS = {
    "boot_ms": ("boot to first 200", "floor", "ratio", 1.15, "at most"),
    "healthz_rps": ("requests/s on /healthz", "floor", "ratio", 0.9, "at least"),
    "rss_mb": ("worker RSS after load", "floor", "delta", 6.0, "at most"),
    "sigterm_ms": ("idle SIGTERM to exit", "bare", "ratio", 1.1, "at most"),
}
# The comparisons reported, each app against a lighter one.
PAIRS = (
    ("floor", "bare"),
    ("twelve", "bare"),
    ("twelve", "floor"),
    ("metrics", "twelve"),
    ("traces", "twelve"),
)
WRK_THREADS = 2
WRK_CONNECTIONS = 16


# --- the bench's own venv ---------------------------------------------------------


def bootstrap() -> None:
    """Re-run this script in bench/.venv, creating it from requirements.txt if needed."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    marker = VENV / ".installed"
    requirements = BENCH / "requirements.txt"
    if not marker.exists() or marker.stat().st_mtime < requirements.stat().st_mtime:
        print(f"setting up the bench's tools in {VENV.relative_to(ROOT)} ...", flush=True)
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        with (VENV / "install.log").open("w") as log:
            installed = subprocess.run(
                [VENV / "bin/python", "-m", "pip", "install", "--disable-pip-version-check"]
                + ["--require-hashes", "-r", requirements],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if installed.returncode:
            raise SystemExit(f"installing the bench's tools failed; see {VENV / 'install.log'}")
        marker.touch()
    python = VENV / "bin/python"
    os.execv(python, [str(python), __file__, *sys.argv[1:]])


# --- processes: every one is registered and stopped on the way out ----------------

RUNNING: list[subprocess.Popen] = []


def _die_with_parent() -> None:
    """In the child: get SIGKILL if the bench dies without cleaning up (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def spawn(args: list[str] | str, **kwargs) -> subprocess.Popen:
    """Start a process in its own session, so Ctrl-C reaches only the bench."""
    process = subprocess.Popen(args, start_new_session=True, preexec_fn=_die_with_parent, **kwargs)
    RUNNING.append(process)
    return process


def stop_all() -> None:
    """Stop every process the bench started and is still running, with its children."""
    for process in RUNNING:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in RUNNING:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            # The group too: a worker that outlived its master.
            os.killpg(process.pid, signal.SIGKILL)
        if process.poll() is None:
            process.wait()
    RUNNING.clear()


def run(args: list[str] | str, cwd: Path, env: dict, log: Path, timeout: float = 600) -> float:
    """Run a command to completion with its output in log; return the seconds it took."""
    with log.open("a") as out:
        out.write(f"$ {args if isinstance(args, str) else shlex.join(map(str, args))}\n")
        out.flush()
        started = time.monotonic()
        process = spawn(
            args,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            shell=isinstance(args, str),
        )
        try:
            code = process.wait(timeout=timeout)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            RUNNING.remove(process)
    if code != 0:
        raise SystemExit(f"{args} exited {code}; see {log}")
    return time.monotonic() - started


# --- helpers ------------------------------------------------------------------------


def find_python(version: str) -> str:
    """Return a working interpreter for X.Y, as the template's tests find it."""
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    candidates += [p for p in [shutil.which(f"python{version}")] if p]
    for candidate in candidates:
        probe = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.startswith(f"Python {version}."):
            return candidate
    raise SystemExit(f"Python {version} is not installed")


class _OtlpSink(BaseHTTPRequestHandler):
    """Takes the traced app's spans, as a collector would, and drops them."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


OTLP_SINK = ThreadingHTTPServer(("127.0.0.1", 0), _OtlpSink)
threading.Thread(target=OTLP_SINK.serve_forever, daemon=True).start()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 30) -> int:
    connection = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install -y wrk) ...", flush=True)
        with (LOGS / "apt-wrk.log").open("w") as out:
            quiet = {"stdout": out, "stderr": subprocess.STDOUT}
            if subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet).returncode:
                subprocess.run(["apt-get", "update"], **quiet, check=True)
                subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet, check=True)
        if found := shutil.which("wrk"):
            return found
    raise SystemExit("wrk is missing: install it (Debian: apt-get install -y wrk)")


def median(values: list[float]) -> float:
    return statistics.median(values)


# --- the template: render timing, install, build, release ---------------------------


def time_renders(count: int) -> dict[str, dict]:
    """Time rendering each framework with the API, and with the CLI as a person runs it."""
    from cookiecutter.main import cookiecutter

    results = {}
    for framework in FRAMEWORKS:
        api = []
        for index in range(count + 1):
            target = WORK / "renders" / f"{framework}-api-{index}"
            started = time.perf_counter()
            cookiecutter(
                str(ROOT),
                no_input=True,
                output_dir=str(target),
                extra_context={"framework": framework},
            )
            api.append(time.perf_counter() - started)
        cli = []
        for index in range(3):
            target = WORK / "renders" / f"{framework}-cli-{index}"
            started = time.perf_counter()
            subprocess.run(
                [
                    VENV / "bin/cookiecutter",
                    "--no-input",
                    "-o",
                    target,
                    ROOT,
                    f"framework={framework}",
                ],
                check=True,
                capture_output=True,
            )
            cli.append(time.perf_counter() - started)
        results[framework] = {
            # The first API render also imports Jinja and friends: reported, not counted.
            "api_first_ms": round(api[0] * 1000, 1),
            "api_median_ms": round(median(api[1:]) * 1000, 1),
            "api_renders": count,
            "cli_median_ms": round(median(cli) * 1000, 1),
            "cli_renders": len(cli),
        }
    return results


def platform_env(venv: Path, home: Path, **variables: str) -> dict[str, str]:
    """Nothing but what a platform gives the process (no PYTHONDONTWRITEBYTECODE)."""
    return {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(home),
        **variables,
    }


class Postgres:
    """Fresh databases on the server DATABASE_URL names, dropped at the end."""

    def __init__(self, admin_url: str, python: Path) -> None:
        self.admin_url = admin_url
        self.python = python
        self.created: list[str] = []

    def _sql(self, statement: str) -> None:
        code = (
            "import psycopg, sys\n"
            "with psycopg.connect(sys.argv[1], autocommit=True) as c: c.execute(sys.argv[2])"
        )
        subprocess.run(
            [self.python, "-c", code, self.admin_url, statement],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def fresh(self, name: str) -> str:
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        parts = re.match(r"^(postgres(?:ql)?://[^/]*)/?", self.admin_url)
        return f"{parts.group(1)}/{name}"

    def drop_all(self) -> None:
        for name in self.created:
            with contextlib.suppress(Exception):
                self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


class App:
    """One of the six servers: a generated project, a bare baseline or a floor."""

    def __init__(
        self, framework: str, kind: str, cwd: Path, venv: Path, command: str, env: dict[str, str]
    ) -> None:
        self.framework = framework
        self.kind = kind  # one of KINDS
        self.metrics_port = 0
        self.name = f"{framework}-{kind}"
        self.cwd = cwd
        self.venv = venv
        self.command = command
        self.env = env
        self.results: dict[str, object] = {}

    def start(self, log: Path) -> tuple[subprocess.Popen, int, float]:
        """Start the web process; return it, its port and its monotonic start time."""
        port = free_port()
        if self.kind == "metrics":
            # The worker's own metrics would be on the next port; the web has none.
            self.metrics_port = free_port()
        env = {
            **self.env,
            **({"METRICS_PORT": str(self.metrics_port)} if self.kind == "metrics" else {}),
            "PORT": str(port),
            # Loopback only; gunicorn reads this after gunicorn.conf.py, so it wins.
            "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
        }
        # stdout is the event stream; the contract wants nothing on stderr, kept apart.
        out = log.open("a")
        err = log.with_suffix(".stderr").open("a")
        started = time.monotonic()
        process = spawn(
            ["sh", "-c", f"exec {self.command}"], cwd=self.cwd, env=env, stdout=out, stderr=err
        )
        out.close()
        err.close()
        return process, port, started

    def wait_ready(self, process: subprocess.Popen, port: int, timeout: float = 60) -> float:
        """Wait for the first 200 on /healthz; return when it came (monotonic)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{self.name} exited {process.returncode}; see {LOGS}")
            try:
                if get(port, "/healthz") == 200:
                    return time.monotonic()
            except OSError:
                time.sleep(0.005)
        raise SystemExit(f"{self.name} did not answer /healthz within {timeout}s")

    def terminate(self, process: subprocess.Popen) -> float:
        """SIGTERM the master; return the seconds until it exited."""
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
        elapsed = time.monotonic() - started
        RUNNING.remove(process)
        if code != 0:
            raise SystemExit(f"{self.name} exited {code} on SIGTERM; see {LOGS}")
        return elapsed


def prepare(
    framework: str, python: str, uv: str, secret_key: str, postgres_url: str | None, timings: dict
) -> tuple[App, App, App, App, App, Postgres | None]:
    """Render, install from the lock, build and release one framework; add its baseline."""
    from cookiecutter.main import cookiecutter

    log = LOGS / f"{framework}-setup.log"
    log.unlink(missing_ok=True)
    base = WORK / framework
    rendered = Path(
        cookiecutter(
            str(ROOT),
            no_input=True,
            output_dir=str(base / "rendered"),
            extra_context={"framework": framework},
        )
    )
    project = base / SLUG
    # A deployable copy, as the Dockerfile's context is: no .env.
    shutil.copytree(rendered, project, ignore=shutil.ignore_patterns(".env"))
    venv = base / "venv"
    uv_env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    uv_env.pop("PYTHONDONTWRITEBYTECODE", None)
    run([uv, "venv", "--quiet", "-p", python, venv], cwd=base, env=uv_env, log=log)
    timings["install_s"] = round(
        run(
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--compile-bytecode",
                "-p",
                venv / "bin/python",
                "--require-hashes",
                "-r",
                "requirements.lock",
            ],
            cwd=project,
            env=uv_env,
            log=log,
        ),
        2,
    )

    build_env = platform_env(
        venv, project, SECRET_KEY=secret_key, DEBUG="true", DATABASE_URL="sqlite:///build.sqlite3"
    )
    timings["build_s"] = round(run(BUILD[framework], cwd=project, env=build_env, log=log), 2)

    postgres = None
    if postgres_url:
        postgres = Postgres(postgres_url, venv / "bin/python")
        database_url = postgres.fresh(f"twelve_bench_{framework}")
    else:
        database_url = f"sqlite:///{base / 'app.sqlite3'}"
    env = platform_env(
        venv,
        project,
        SECRET_KEY=secret_key,
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="service.example.com",
        WEB_CONCURRENCY="1",
        LOG_FORMAT="json",
    )
    procfile = dict(
        line.split(":", 1)
        for line in (project / "Procfile").read_text().splitlines()
        if line.strip()
    )
    timings["release_s"] = round(
        run(["sh", "-c", f"exec {procfile['release'].strip()}"], cwd=project, env=env, log=log),
        2,
    )

    bare_dir = base / "bare"
    bare_dir.mkdir()
    for source in (BENCH / "baseline").glob("*.py"):
        shutil.copy(source, bare_dir / source.name)
    # Bytecode for the apps' own modules too, as site-packages has it: boots stay comparable.
    for folder in (project, bare_dir):
        run(
            [venv / "bin/python", "-m", "compileall", "-q", "-x", r"/(tests|migrations)/", "."],
            cwd=folder,
            env=build_env,
            log=log,
        )

    twelve = App(framework, "twelve", project, venv, procfile["web"].strip(), env)
    bare_command = f"gunicorn -c gunicorn_bare.py {BARE_MODULE[framework]}:application"
    bare = App(framework, "bare", bare_dir, venv, bare_command, {**env, "HOME": str(bare_dir)})
    floor_command = f"gunicorn -c gunicorn_bare.py {FLOOR_MODULE[framework]}:application"
    floor = App(framework, "floor", bare_dir, venv, floor_command, bare.env)
    traces = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{OTLP_SINK.server_port}"}
    metrics = App(framework, "metrics", project, venv, twelve.command, env)
    traced = App(framework, "traces", project, venv, twelve.command, {**env, **traces})
    # They must answer as the contract says before they are compared.
    for app in (twelve, bare, floor, metrics, traced):
        process, port, _ = app.start(LOGS / f"{app.name}-check.log")
        app.wait_ready(process, port)
        for path in ("/healthz", "/readyz"):
            status = get(port, path)
            if status != 200:
                raise SystemExit(f"{app.name} answered {status} on {path}")
        if app.kind == "metrics" and get(app.metrics_port, "/metrics") != 200:
            raise SystemExit(f"{app.name} serves no metrics on {app.metrics_port}")
        app.terminate(process)
    return twelve, bare, floor, metrics, traced, postgres


# --- measurements -------------------------------------------------------------------


def measure_boots(apps: list[App], boots: int, idle: float) -> None:
    """Boot each app boots+1 times in turn (the first is a warm-up); SIGTERM it when idle."""
    samples = {app.name: {"boot": [], "term": []} for app in apps}
    for index in range(boots + 1):
        order = apps[index % len(apps) :] + apps[: index % len(apps)]
        for app in order:
            log = LOGS / f"{app.name}-boots.log"
            process, port, started = app.start(log)
            ready = app.wait_ready(process, port)
            time.sleep(idle)
            term = app.terminate(process)
            if index:
                samples[app.name]["boot"].append(ready - started)
                samples[app.name]["term"].append(term)
        print(f"  boots: round {index + 1}/{boots + 1} done", flush=True)
    for app in apps:
        boot, term = samples[app.name]["boot"], samples[app.name]["term"]
        app.results |= {
            "boot_ms": round(median(boot) * 1000, 1),
            "boot_ms_samples": [round(s * 1000, 1) for s in boot],
            "sigterm_ms": round(median(term) * 1000, 1),
            "sigterm_ms_samples": [round(s * 1000, 1) for s in term],
        }


def wrk(wrk_bin: str, port: int, path: str, duration: float, log: Path) -> dict[str, float]:
    args = [
        wrk_bin,
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{duration:g}s",
        "--latency",
        "--timeout",
        "10s",
        f"http://127.0.0.1:{port}{path}",
    ]
    with log.open("w") as out:
        process = spawn(args, stdout=out, stderr=subprocess.STDOUT)
        try:
            process.wait(timeout=duration + 30)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            RUNNING.remove(process)
    text = log.read_text()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if process.returncode or not rps:
        raise SystemExit(f"wrk failed; see {log}")

    def latency(label: str) -> float | None:
        found = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\b", text, re.M)
        if not found:
            return None
        scale = {"us": 0.001, "ms": 1, "s": 1000}[found.group(2)]
        return round(float(found.group(1)) * scale, 2)

    requests = re.search(r"(\d+) requests in", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:.*", text)
    return {
        "rps": float(rps.group(1)),
        "requests": int(requests.group(1)),
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def worker_pid(master: int) -> int:
    """The master's one child: the sync worker."""
    children_file = Path(f"/proc/{master}/task/{master}/children")
    if children_file.exists():
        children = children_file.read_text().split()
    else:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == master:
                    children.append(stat.parent.name)
    if len(children) != 1:
        raise SystemExit(f"expected one worker under gunicorn {master}, found {children}")
    return int(children[0])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid: int, field: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


def check_access_log(app: App, log: Path) -> dict[str, object]:
    """Prove the load was logged as JSON access lines: count them, parse the last."""
    lines = 0
    last = None
    with log.open() as stream:
        for line in stream:
            if '"gunicorn.access"' in line:
                lines += 1
                last = line
    if last is None:
        raise SystemExit(f"{app.name} wrote no JSON access log line; see {log}")
    record = json.loads(last)
    missing = {"method", "path", "status", "duration_ms"} - record.keys()
    if missing:
        raise SystemExit(f"{app.name}'s access lines lack {missing}; see {log}")
    return {"access_lines": lines, "access_line_example": record}


def trim(log: Path, keep: int = 40) -> None:
    """Keep the head and tail of a large server log."""
    with log.open() as stream:
        lines = stream.readlines()
    if len(lines) > 2 * keep:
        cut = len(lines) - 2 * keep
        log.write_text("".join(lines[:keep] + [f"... {cut} lines cut ...\n"] + lines[-keep:]))


def measure_load(apps: list[App], wrk_bin: str, duration: float, rounds: int) -> None:
    """Serve all six at once; wrk each in turn, round after round; then read RSS."""
    servers = {}
    for app in apps:
        log = LOGS / f"{app.name}-serve.log"
        log.unlink(missing_ok=True)
        process, port, _ = app.start(log)
        app.wait_ready(process, port)
        servers[app.name] = (process, port, log)
    for app in apps:  # warm-up: first connections, imports done lazily, caches
        _, port, _ = servers[app.name]
        for path in ("/healthz", "/readyz"):
            wrk(wrk_bin, port, path, 2, LOGS / f"wrk-{app.name}-warmup{path.replace('/', '-')}.txt")
    samples = {app.name: {"/healthz": [], "/readyz": []} for app in apps}
    for index in range(rounds):
        order = apps[index % len(apps) :] + apps[: index % len(apps)]
        for app in order:
            process, port, _ = servers[app.name]
            worker = worker_pid(process.pid)
            for path in ("/healthz", "/readyz"):
                log = LOGS / f"wrk-{app.name}{path.replace('/', '-')}-r{index + 1}.txt"
                before = cpu_seconds(worker)
                result = wrk(wrk_bin, port, path, duration, log)
                # The worker's own CPU per request: steadier than requests/s on a busy machine.
                result["cpu_us"] = (cpu_seconds(worker) - before) / result["requests"] * 1e6
                samples[app.name][path].append(result)
        print(f"  load: round {index + 1}/{rounds} done", flush=True)
    for app in apps:
        process, port, log = servers[app.name]
        worker = worker_pid(process.pid)
        app.results |= {
            "rss_mb": round(status_kb(worker, "VmRSS") / 1024, 1),
            "rss_peak_mb": round(status_kb(worker, "VmHWM") / 1024, 1),
            "master_rss_mb": round(status_kb(process.pid, "VmRSS") / 1024, 1),
        }
        for path, key in (("/healthz", "healthz"), ("/readyz", "readyz")):
            runs = samples[app.name][path]
            app.results |= {
                f"{key}_rps": round(median([r["rps"] for r in runs]), 1),
                f"{key}_rps_samples": [r["rps"] for r in runs],
                f"{key}_cpu_us_per_request": round(median([r["cpu_us"] for r in runs]), 1),
                f"{key}_p50_ms": median([r["p50_ms"] for r in runs if r["p50_ms"] is not None]),
                f"{key}_p99_ms": median([r["p99_ms"] for r in runs if r["p99_ms"] is not None]),
                f"{key}_non_2xx": sum(r["non_2xx"] for r in runs),
                f"{key}_socket_errors": [r["socket_errors"] for r in runs if r["socket_errors"]],
            }
        app.terminate(process)
        app.results |= check_access_log(app, log)
        trim(log)
    for app in apps:
        errors = [p for p in LOGS.glob(f"{app.name}-*.stderr") if p.stat().st_size]
        app.results["stderr_files"] = sorted(p.name for p in errors)


# --- report -------------------------------------------------------------------------


def compare(app: dict, reference: dict) -> dict[str, dict]:
    """Each of an app's figures against a reference app's: ratio and difference."""
    out = {}
    for key in (
        "boot_ms",
        "healthz_rps",
        "healthz_cpu_us_per_request",
        "readyz_rps",
        "rss_mb",
        "sigterm_ms",
    ):
        out[key] = {
            "ratio": round(app[key] / reference[key], 3),
            "delta": round(app[key] - reference[key], 1),
        }
    return out


def check_targets(comparison: dict[str, dict]) -> dict[str, dict]:
    """The generated app's figures against the targets, for one framework."""
    out = {}
    for key, (label, against, kind, limit, sense) in TARGETS.items():
        value = comparison[f"twelve_vs_{against}"][key][kind]
        unit = f"x {against}" if kind == "ratio" else f" MB over {against}"
        out[key] = {
            "label": label,
            "value": value,
            "shown": f"{value:.2f}x {against}" if kind == "ratio" else f"{value:+.1f} MB",
            "target": f"{sense} {limit:g}{unit}",
            "pass": value <= limit if sense == "at most" else value >= limit,
        }
    return out


COLUMNS = [
    ("boot_ms", "boot ms", "{:.0f}"),
    ("healthz_rps", "healthz r/s", "{:.0f}"),
    ("healthz_cpu_us_per_request", "CPU us/healthz", "{:.0f}"),
    ("readyz_rps", "readyz r/s", "{:.0f}"),
    ("rss_mb", "RSS MB", "{:.1f}"),
    ("sigterm_ms", "SIGTERM ms", "{:.0f}"),
]


def note(results: dict, framework: str, pair: tuple[str, str], key: str) -> str:
    """Return a figure's comparison with a lighter app, marked against its target."""
    app, reference = pair
    entry = results["comparison"][framework][f"{app}_vs_{reference}"][key]
    text = f"+{entry['delta']:.1f}" if key == "rss_mb" else f"{entry['ratio']:.2f}x"
    if app == "twelve" and key in TARGETS and TARGETS[key][1] == reference:
        text += " ok" if results["targets"][framework][key]["pass"] else " MISS"
    return text


def table(results: dict) -> str:
    width = 15
    lines = ["".ljust(18) + "".join(title.rjust(width) for _, title, _ in COLUMNS)]
    for framework in FRAMEWORKS:
        apps = results["apps"][framework]
        for kind in KINDS:
            cells = [fmt.format(apps[kind][key]) for key, _, fmt in COLUMNS]
            lines.append(f"{framework} {kind}".ljust(18) + "".join(c.rjust(width) for c in cells))
        for pair in PAIRS:
            cells = [note(results, framework, pair, key) for key, _, _ in COLUMNS]
            label = f"  {pair[0]} vs {pair[1]}"
            lines.append(label.ljust(18) + "".join(c.rjust(width) for c in cells))
    return "\n".join(lines)


def chart(results: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [*COLUMNS, ("render_ms", "render ms (API)", "{:.0f}")]
    fig, axes = plt.subplots(2, 4, figsize=(18, 7))
    for axis in axes.flat[len(panels) :]:
        axis.set_visible(False)
    colours = {
        "flask": {
            "bare": "#c6dbef",
            "floor": "#9ecae1",
            "twelve": "#3182bd",
            "metrics": "#08519c",
            "traces": "#08306b",
        },
        "django": {
            "bare": "#c7e9c0",
            "floor": "#a1d99b",
            "twelve": "#31a354",
            "metrics": "#006d2c",
            "traces": "#00441b",
        },
    }
    for axis, (key, title, fmt) in zip(axes.flat, panels, strict=False):
        labels, values, bar_colours, notes = [], [], [], []
        for framework in FRAMEWORKS:
            if key == "render_ms":
                labels.append(framework)
                values.append(results["render"][framework]["api_median_ms"])
                bar_colours.append(colours[framework]["twelve"])
                notes.append("")
                continue
            for kind in KINDS:
                labels.append(f"{framework}\n{kind}")
                values.append(results["apps"][framework][kind][key])
                bar_colours.append(colours[framework][kind])
                # The floor against bare; the generated app against its target's app.
                if kind == "bare":
                    notes.append("")
                    continue
                reference = {"floor": "bare", "metrics": "twelve", "traces": "twelve"}.get(
                    kind, TARGETS.get(key, (0, "floor"))[1]
                )
                text = note(results, framework, (kind, reference), key)
                notes.append(f"{text.removesuffix(' ok')}\nvs {reference}")
        bars = axis.bar(labels, values, color=bar_colours)
        for bar, value, comparison in zip(bars, values, notes, strict=True):
            text = fmt.format(value) + (f"\n{comparison}" if comparison else "")
            axis.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
        if key in TARGETS:
            _, against, kind, limit, sense = TARGETS[key]
            unit = "x" if kind == "ratio" else " MB over"
            title += f" (target: {sense} {limit:g}{unit} {against})"
        axis.set_title(title, fontsize=10)
        axis.set_ylim(0, max(values) * 1.3)
        axis.tick_params(axis="x", labelsize=8)
    meta = results["meta"]
    fig.suptitle(
        f"twelve: generated apps vs floor and bare apps — 1 sync worker, JSON access logs, "
        f"{meta['database']}, wrk {WRK_THREADS}t/{WRK_CONNECTIONS}c",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(RESULTS_PNG, dpi=110)
    plt.close(fig)


# --- main ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per app and endpoint")
    parser.add_argument("--boots", type=int, default=10, help="timed boots per app")
    parser.add_argument("--renders", type=int, default=5, help="timed renders per framework")
    parser.add_argument("--idle", type=float, default=0.5, help="idle seconds before SIGTERM")
    parser.add_argument("--python", default=None, help=f"interpreter (default: {PYTHON_VERSION})")
    parser.add_argument("--keep", action="store_true", help="keep bench/.work afterwards")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or None
    if database_url and not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (postgres://...)")
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.rmtree(LOGS, ignore_errors=True)
    WORK.mkdir()
    LOGS.mkdir()
    wrk_bin = ensure_wrk()
    python = options.python or find_python(PYTHON_VERSION)
    uv = str(VENV / "bin/uv")
    secret_key = secrets.token_urlsafe(50)
    postgres: list[Postgres] = []
    started = time.monotonic()

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    # Ctrl-C stops the run even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        print(f"rendering the template ({options.renders} times per framework) ...", flush=True)
        render = time_renders(options.renders)
        apps: list[App] = []
        setup: dict[str, dict] = {}
        for framework in FRAMEWORKS:
            print(
                f"{framework}: render, install from requirements.lock, build, release ...",
                flush=True,
            )
            setup[framework] = {}
            *prepared, pg = prepare(
                framework, python, uv, secret_key, database_url, setup[framework]
            )
            apps += prepared
            if pg:
                postgres.append(pg)
        print(f"boot and idle SIGTERM ({options.boots} timed boots each) ...", flush=True)
        measure_boots(apps, options.boots, options.idle)
        print(
            f"load: wrk {WRK_THREADS} threads, {WRK_CONNECTIONS} connections, "
            f"{options.duration:g} s per run, {options.rounds} rounds ...",
            flush=True,
        )
        measure_load(apps, wrk_bin, options.duration, options.rounds)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping everything", file=sys.stderr)
        return 130
    finally:
        stop_all()
        for pg in postgres:
            pg.drop_all()
        if not options.keep:
            shutil.rmtree(WORK, ignore_errors=True)

    by_name = {app.name: app for app in apps}
    results = {
        "meta": {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "python": subprocess.run(
                [python, "--version"], capture_output=True, text=True
            ).stdout.strip(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.release()}",
            "database": "PostgreSQL" if database_url else "SQLite",
            "workers": "1 sync worker (WEB_CONCURRENCY=1), LOG_FORMAT=json",
            "baseline_gunicorn_config": (
                "bench/baseline/gunicorn_bare.py: the generated gunicorn.conf.py's values and "
                "JSON access logger (python-json-logger), without the project's pydantic "
                "settings"
            ),
            "bind": "127.0.0.1 (GUNICORN_CMD_ARGS overrides the config's 0.0.0.0)",
            "wrk": f"{WRK_THREADS} threads, {WRK_CONNECTIONS} connections, "
            f"{options.duration:g} s, median of {options.rounds} rounds",
            "boots": f"median of {options.boots} after a warm-up, {options.idle:g} s idle "
            "before SIGTERM",
            "seconds": round(time.monotonic() - started),
        },
        "render": render,
        "setup": setup,
        "apps": {
            framework: {kind: by_name[f"{framework}-{kind}"].results for kind in KINDS}
            for framework in FRAMEWORKS
        },
    }
    results["comparison"] = {
        framework: {
            f"{app}_vs_{reference}": compare(
                results["apps"][framework][app], results["apps"][framework][reference]
            )
            for app, reference in PAIRS
        }
        for framework in FRAMEWORKS
    }
    results["targets"] = {
        framework: check_targets(results["comparison"][framework]) for framework in FRAMEWORKS
    }
    RESULTS_JSON.write_text(json.dumps(results, indent=2) + "\n")
    chart(results)

    meta = results["meta"]
    print()
    print(f"{meta['python']}, {meta['machine']}, {meta['database']}, {meta['workers']}")
    print(f"wrk: {meta['wrk']}; boots: {meta['boots']}")
    print(f"baselines' gunicorn config: {meta['baseline_gunicorn_config']}")
    print()
    print(table(results))
    print(
        "floor: the bare app plus pydantic-settings, and Flask-SQLAlchemy on the app with"
        " SECRET_KEY and TRUSTED_HOSTS set (Flask) or startproject's apps and middleware"
        " (Django)"
    )
    print()
    for framework in FRAMEWORKS:
        r = render[framework]
        s = setup[framework]
        print(
            f"{framework}: render {r['api_median_ms']:.0f} ms (API, median of "
            f"{r['api_renders']}; first {r['api_first_ms']:.0f} ms), "
            f"{r['cli_median_ms']:.0f} ms (CLI); install {s['install_s']} s, "
            f"build {s['build_s']} s, release {s['release_s']} s"
        )
    print()
    missed = []
    for framework in FRAMEWORKS:
        for entry in results["targets"][framework].values():
            verdict = "pass" if entry["pass"] else "MISS"
            print(
                f"  {verdict:4}  {framework:6} {entry['label']}: {entry['shown']}"
                f" (target {entry['target']})"
            )
            if not entry["pass"]:
                missed.append(f"{framework} {entry['label']}")
    print(
        f"\nwrote {RESULTS_JSON.relative_to(ROOT)} and {RESULTS_PNG.relative_to(ROOT)}; "
        f"logs in {LOGS.relative_to(ROOT)}/ ({meta['seconds']} s)"
    )
    return 1 if options.check and missed else 0


if __name__ == "__main__":
    bootstrap()
    sys.exit(main())
