"""The Procfile's web process, booted as a platform would, honours the contract.

Factors VII (port binding), IX (disposability) and XI (logs), plus health checks,
HTTPS handling and static files, over real HTTP against gunicorn.
"""

import dataclasses
import json
import re
import shutil
import time

import pytest

from conftest import SECRET_KEY, platform_env, run, start_server

HTTPS = {"X-Forwarded-Proto": "https", "Host": "service.example.com"}


def json_lines(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines]


def test_server_healthz_answers_ok(server):
    """/healthz answers 200 with {"status": "ok"} over plain HTTP."""
    response, body = server.request("/healthz")
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("application/json")
    assert json.loads(body) == {"status": "ok"}


def test_server_readyz_checks_the_database(server):
    """/readyz answers 200 naming the database check over plain HTTP."""
    response, body = server.request("/readyz")
    assert response.status == 200
    assert json.loads(body) == {"status": "ok", "checks": {"database": "ok"}}


def test_server_readyz_reports_an_unreachable_database(deployed, tmp_path):
    """With the database gone, /readyz answers 503 naming it and /healthz stays 200."""
    missing = tmp_path / "no-such-dir" / "app.sqlite3"
    server = start_server(deployed, platform_env(deployed, f"sqlite:///{missing}"))
    try:
        response, body = server.request("/readyz")
        assert response.status == 503
        assert json.loads(body) == {
            "status": "unavailable",
            "checks": {"database": "unavailable"},
        }
        assert server.request("/healthz")[0].status == 200
    finally:
        server.stop()


def test_server_redirects_plain_http_pages_to_https(server):
    """With SECURE_SSL_REDIRECT on, a page over plain HTTP redirects to HTTPS."""
    response, _ = server.request("/", headers={"Host": "service.example.com"})
    assert response.status in (301, 302, 307, 308)
    assert response.getheader("Location") == "https://service.example.com/"


def test_server_serves_pages_behind_a_trusted_tls_proxy(server):
    """X-Forwarded-Proto: https from a trusted address is served, not redirected."""
    response, body = server.request("/", headers=HTTPS)
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/html")
    page = body.decode()
    assert "My Service" in page
    assert 'href="/healthz"' in page
    assert 'href="/readyz"' in page
    assert response.getheader("Strict-Transport-Security") is None  # 0 by default
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_server_home_page_counts_visits(server):
    """Each visit to / is stored in the database and the count goes up."""

    def count() -> int:
        page = server.request("/", headers=HTTPS)[1].decode()
        return int(re.search(r"(\d+) visits?", page).group(1))

    first = count()
    assert count() == first + 1


def test_server_runs_its_own_jobs_without_redis(server):
    """Without REDIS_URL, a job the web process sends runs a moment later, in it (X)."""
    response, body = server.request("/reports", headers=HTTPS, method="POST")
    assert response.status == 202, body
    location = f"/reports/{json.loads(body)['id']}"
    deadline = time.monotonic() + 10
    while (report := json.loads(server.request(location, headers=HTTPS)[1]))["status"] != "done":
        assert time.monotonic() < deadline, report
        time.sleep(0.1)
    assert report["runs"] == 1


def test_server_static_stylesheet_has_hashed_name_and_long_cache(server):
    """The page links a content-hashed stylesheet served with far-future caching."""
    page = server.request("/", headers=HTTPS)[1].decode()
    href = re.search(r'<link[^>]+href="([^"]+\.css)"', page).group(1)
    assert re.fullmatch(r"/static/style[.-][0-9a-f]{8,}\.css", href), href
    response, body = server.request(href, headers=HTTPS)
    assert response.status == 200
    assert b"font-family" in body
    assert response.getheader("Cache-Control") == "max-age=315360000, public, immutable"


def test_server_rejects_unknown_hosts(server):
    """A Host outside ALLOWED_HOSTS and loopback gets 400."""
    response, _ = server.request("/", headers={**HTTPS, "Host": "evil.example.net"})
    assert response.status == 400


def test_server_keeps_and_echoes_request_id(server):
    """An incoming X-Request-ID is echoed and appears in the app and access log lines."""
    request_id = f"test-{time.monotonic_ns()}"
    response, _ = server.request("/", headers={**HTTPS, "X-Request-ID": request_id})
    assert response.getheader("X-Request-ID") == request_id
    access = json.loads(
        server.wait_for_line(lambda line: request_id in line and '"status"' in line)
    )
    assert access["method"] == "GET"
    assert access["path"] == "/"
    assert access["status"] == 200
    assert access["duration_ms"] >= 0
    assert access["request_id"] == request_id
    app_line = json.loads(
        server.wait_for_line(lambda line: request_id in line and '"visit' in line)
    )
    assert app_line["request_id"] == request_id
    assert app_line["level"] == "INFO"


def test_server_makes_request_id_when_missing_or_bad(server):
    """Without a usable X-Request-ID the server makes one and logs it."""
    for headers in ({}, {"X-Request-ID": "bad id with spaces\u00e9"}):
        response, _ = server.request("/healthz", headers=headers)
        made = response.getheader("X-Request-ID")
        assert made and re.fullmatch(r"[0-9a-f]{32}", made)
        server.wait_for_line(lambda line, made=made: made in line)


def test_server_logs_only_json_lines_on_stdout(server):
    """Every stdout line is one JSON object; gunicorn's own lines included; stderr is empty."""
    server.request("/healthz")
    server.wait_for_line(lambda line: "/healthz" in line)
    lines = json_lines(server.stdout)
    assert all({"level", "logger", "message", "time"} <= line.keys() for line in lines)
    loggers = {line["logger"] for line in lines}
    assert {"gunicorn.error", "gunicorn.access"} <= loggers
    assert "".join(server.stderr) == ""


# Django's WhiteNoise is the one that warns about a missing static directory.
@pytest.mark.parametrize("framework", ["django"], indirect=True)
def test_server_logs_warnings_as_json(deployed, released, tmp_path):
    """A Python warning is a JSON line on stdout: WhiteNoise's, before collectstatic."""
    project = tmp_path / deployed.path.name
    shutil.copytree(deployed.path, project, ignore=shutil.ignore_patterns("staticfiles"))
    unbuilt = dataclasses.replace(deployed, path=project)
    server = start_server(unbuilt, platform_env(unbuilt, released, WEB_CONCURRENCY="1"))
    server.stop()
    warnings = [line for line in json_lines(server.stdout) if line["logger"] == "py.warnings"]
    assert warnings, "".join(server.stdout)
    assert all(line["level"] == "WARNING" for line in warnings)
    assert "No directory at" in warnings[0]["message"]
    assert "".join(server.stderr) == ""


def test_server_stops_on_sigterm_quickly_with_status_zero(deployed, released):
    """SIGTERM makes an idle web process exit 0 within 5 seconds, logging as JSON."""
    server = start_server(deployed, platform_env(deployed, released))
    server.request("/healthz")
    code, seconds = server.stop()
    assert code == 0
    assert seconds < 5
    time.sleep(0.2)
    json_lines(server.stdout)
    assert "".join(server.stderr) == ""


def test_server_binds_port_and_worker_count_from_environment(deployed, released):
    """PORT picks the port and WEB_CONCURRENCY the number of workers."""
    server = start_server(deployed, platform_env(deployed, released, WEB_CONCURRENCY="3"))
    try:
        booted = server.wait_for_line(lambda line: "Booting worker" in line)
        assert booted
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            workers = [line for line in server.stdout if "Booting worker" in line]
            if len(workers) == 3:
                break
            time.sleep(0.1)
        assert len(workers) == 3
        assert any(f"0.0.0.0:{server.port}" in line for line in server.stdout)
    finally:
        server.stop()


def test_server_refuses_bad_config_with_one_message(deployed):
    """No SECRET_KEY, bad DATABASE_URL and WEB_CONCURRENCY: web, release, check-config stop."""
    env = deployed.env(
        DATABASE_URL="nonsense", ALLOWED_HOSTS="example.com", PORT="8000", WEB_CONCURRENCY="abc"
    )
    commands = [
        deployed.process("web"),
        deployed.process("release"),
        deployed.admin("check-config"),
    ]
    for command in commands:
        result = run(
            ["sh", "-c", f"exec {command}"], cwd=deployed.path, env=env, check=False, timeout=30
        )
        assert result.returncode != 0, command
        assert "Traceback" not in result.stdout + result.stderr, command
        assert result.stderr.count("Configuration error") == 1, result.stderr
        assert "SECRET_KEY: required" in result.stderr
        assert "DATABASE_URL: must be a database URL" in result.stderr
        assert "WEB_CONCURRENCY: input should be a valid integer" in result.stderr
        assert SECRET_KEY not in result.stdout + result.stderr
