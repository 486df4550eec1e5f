"""Build, release, run: each framework's Dockerfile is built and run for real (factor V).

Images are built with podman on a local stand-in for the official `python:X.Y-slim`
base image (see docs/base-image.md). Image storage, the base image's archive and the
build cache live under ~/.cache/twelve (or $TWELVE_CACHE), kept between runs.
"""

import json
import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest

from conftest import DEFAULT_PYTHON, SECRET_KEY, SLUG, free_port, need, procfile
from images import Podman, ensure_base_image, missing_tools
from services import fresh_redis_url, postgres_database, postgres_url

pytestmark = pytest.mark.container

CACHE = Path(os.environ.get("TWELVE_CACHE", Path.home() / ".cache" / "twelve"))
# Inside a slirp4netns network, the host's loopback is this address.
HOST = "10.0.2.2"
NETWORK = "slirp4netns:allow_host_loopback=true"


@pytest.fixture(scope="session")
def podman() -> Podman:
    missing = missing_tools()
    need(not missing, f"container tools missing: {', '.join(missing)}")
    return Podman(CACHE / "containers")


@pytest.fixture(scope="session")
def base_image(podman) -> str:
    return ensure_base_image(podman, DEFAULT_PYTHON)


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    """A fresh PostgreSQL database on the host, as the container reaches it."""
    with postgres_database() as name:
        yield postgres_url(name, host=HOST)


class Image:
    """One framework's built image and what it was built from."""

    def __init__(self, podman: Podman, framework: str, tag: str, context: Path):
        self.podman = podman
        self.framework = framework
        self.tag = tag
        self.context = context

    def command(self, process: str) -> list[str]:
        return shlex.split(procfile(self.context)[process])

    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        check: bool = True,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess:
        """`podman run --rm` the image with only the given environment."""
        options = [f"--env={name}={value}" for name, value in (env or {}).items()]
        return self.podman.run(
            "run",
            "--rm",
            "--network",
            NETWORK,
            *options,
            *args,
            check=check,
            timeout=timeout,
        )


@pytest.fixture(scope="session")
def image(podman, base_image, framework, baked, tmp_path_factory, figures) -> Image:
    """Build the project's image from a context holding local state it must ignore."""
    context = tmp_path_factory.mktemp(f"context-{framework}") / SLUG
    shutil.copytree(baked[framework], context)  # includes the local .env
    (context / "db.sqlite3").write_text("local data")
    (context / ".git").mkdir()
    (context / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    tag = f"localhost/twelve-{framework}:test"
    started = time.monotonic()
    podman.build(context, tag)
    figures[f"{framework} image build (s)"] = round(time.monotonic() - started, 1)
    size = podman.image_size(tag) - podman.image_size(base_image)
    figures[f"{framework} image size over base (MB)"] = round(size / 1e6, 1)
    return Image(podman, framework, tag, context)


def container_env(database: str, **extra: str) -> dict[str, str]:
    return {
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database,
        "ALLOWED_HOSTS": "service.example.com",
        **extra,
    }


@pytest.fixture(scope="session")
def migrated(image, database, figures) -> str:
    """Run the Procfile's release command in a container against the host's PostgreSQL."""
    started = time.monotonic()
    result = image.run(image.tag, *image.command("release"), env=container_env(database))
    figures[f"{image.framework} release in container (s)"] = round(time.monotonic() - started, 1)
    assert "Traceback" not in result.stdout + result.stderr
    return database


def http_get(port: int, path: str) -> int:
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def start_container(
    image: Image, database: str, *command: str, wait: bool = True, **env: str
) -> tuple[str, int, float]:
    """Start the image detached, by default its CMD, and wait for /healthz.

    Returns the container's name, its published port and the seconds it took.
    """
    name = f"twelve-{image.framework}-{uuid.uuid4().hex[:8]}"
    port = free_port()
    options = [f"--env={k}={v}" for k, v in container_env(database, **env).items()]
    started = time.monotonic()
    image.podman.run(
        "run",
        "--detach",
        "--name",
        name,
        "--network",
        NETWORK,
        "--publish",
        f"127.0.0.1:{port}:8000",
        *options,
        image.tag,
        *command,
    )
    if not wait:
        return name, port, 0.0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if http_get(port, "/healthz") == 200:
                return name, port, time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    logs = image.podman.run("logs", name, check=False)
    image.podman.remove(name)
    pytest.fail(f"container did not become healthy:\n{logs.stdout}{logs.stderr}")


@pytest.fixture(scope="session")
def web(image, migrated, figures):
    """The web container with config from environment variables only: (name, port)."""
    name, port, seconds = start_container(image, migrated)
    figures[f"{image.framework} container start to healthy (s)"] = round(seconds, 2)
    yield name, port
    image.podman.remove(name)


def test_container_answers_health_and_readiness(web):
    """/healthz and /readyz answer 200 from the container, on the host's PostgreSQL."""
    _, port = web
    assert http_get(port, "/healthz") == 200
    assert http_get(port, "/readyz") == 200


def test_container_logs_json_lines(image, web):
    """Everything the container wrote is JSON lines, gunicorn's included."""
    name, port = web
    http_get(port, "/healthz")
    time.sleep(0.3)
    logs = image.podman.run("logs", name).stdout + image.podman.run("logs", name).stderr
    lines = [json.loads(line) for line in logs.splitlines()]
    assert {"gunicorn.error", "gunicorn.access"} <= {line["logger"] for line in lines}


def test_container_healthcheck_succeeds(image, web):
    """The image's HEALTHCHECK command passes in the running container."""
    name, _ = web
    config = image.podman.run("image", "inspect", image.tag).stdout
    assert "/healthz" in json.dumps(json.loads(config)[0].get("Healthcheck"))
    result = image.podman.run("healthcheck", "run", name, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_container_stops_on_sigterm_with_status_zero(image, migrated, figures):
    """`podman stop` (SIGTERM to PID 1) ends the container with status 0 within seconds."""
    name, _, _ = start_container(image, migrated)
    try:
        started = time.monotonic()
        image.podman.run("stop", "--time", "10", name)
        seconds = time.monotonic() - started
        figures[f"{image.framework} podman stop (s)"] = round(seconds, 2)
        code = image.podman.run("inspect", "--format", "{{.State.ExitCode}}", name).stdout
        assert code.strip() == "0"
        assert seconds < 5
    finally:
        image.podman.remove(name)


def test_container_refuses_to_start_without_secret_key(image):
    """Without SECRET_KEY the container exits non-zero with the one clear message."""
    result = image.run(
        image.tag, env={"DATABASE_URL": "nonsense", "ALLOWED_HOSTS": "x"}, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "SECRET_KEY: required" in output
    assert "DATABASE_URL: must be a database URL" in output
    assert "Traceback" not in output


def test_image_keeps_local_state_and_secrets_out(image):
    """No .env, SQLite file or .git in the image, and no ENV line carries a secret."""
    found = image.run(
        "--user",
        "0",
        "--entrypoint",
        "sh",
        image.tag,
        "-c",
        "find / -xdev \\( -name .env -o -name '*.sqlite3' -o -name .git \\) -print",
    ).stdout
    assert found.strip() == ""
    env = json.loads(
        image.podman.run("image", "inspect", "--format", "{{json .Config.Env}}", image.tag).stdout
    )
    assert not [
        line
        for line in env
        if any(word in line.split("=")[0] for word in ("SECRET", "PASSWORD", "TOKEN", "DATABASE"))
    ]


def test_image_runs_as_non_root_without_build_tools(image):
    """The app runs as a non-root user; no compiler or pip cache is in the final stage."""
    result = image.run(
        "--entrypoint",
        "sh",
        image.tag,
        "-c",
        "id -u; command -v gcc cc make || true; ls -A /root/.cache 2>/dev/null || true",
    )
    lines = result.stdout.split()
    assert lines[0] != "0"
    assert lines[1:] == []


def test_image_has_static_files_collected_at_build(image):
    """The content-hashed static files and their manifest were made at build time."""
    manifest = {
        "flask": f"/app/{SLUG}/static/cache_manifest.json",
        "django": "/app/staticfiles/staticfiles.json",
    }[image.framework]
    result = image.run("--entrypoint", "cat", image.tag, manifest)
    assert "style" in result.stdout


def test_worker_container_runs_a_job_enqueued_by_the_web_container(image, migrated):
    """The same image with the Procfile's worker command runs a job from the web one."""
    redis_url = fresh_redis_url(host=HOST)
    web_name, port, _ = start_container(image, migrated, REDIS_URL=redis_url)
    worker_name, _, _ = start_container(
        image, migrated, *image.command("worker"), wait=False, REDIS_URL=redis_url
    )
    try:
        connection = HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/reports", headers={"X-Request-ID": "container-job-1"})
        response = connection.getresponse()
        report = json.loads(response.read())
        assert response.status == 202, report
        deadline = time.monotonic() + 60
        while report["status"] != "done":
            assert time.monotonic() < deadline, f"the job was not done: {report}"
            time.sleep(0.2)
            connection.request("GET", f"/reports/{report['id']}")
            report = json.loads(connection.getresponse().read())
        connection.close()
        assert report["runs"] == 1
        logs = image.podman.run("logs", worker_name).stdout
        lines = [json.loads(line) for line in logs.splitlines()]
        done = [line for line in lines if f"report {report['id']} done" in line["message"]]
        assert [line["request_id"] for line in done] == ["container-job-1"]
        image.podman.run("stop", "--time", "10", worker_name)
        code = image.podman.run("inspect", "--format", "{{.State.ExitCode}}", worker_name)
        assert code.stdout.strip() == "0"
    finally:
        image.podman.remove(worker_name)
        image.podman.remove(web_name)
