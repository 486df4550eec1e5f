"""Every request has an id, echoed to the caller and found in its log lines (XI)."""

import json
import re

import pytest

from {{cookiecutter.project_slug}}.app import create_app
from {{cookiecutter.project_slug}}.logs import request_id

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def test_request_id_generated(client):
    """A request without an id gets a new one in the response header."""
    response = client.get("/")
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_request_id_kept(client):
    """A sane incoming id is echoed unchanged."""
    response = client.get("/", headers={"X-Request-ID": "edge-42:abc/DEF"})
    assert response.headers["X-Request-ID"] == "edge-42:abc/DEF"


def test_request_id_cleared_after_request(client):
    """Once the response is made, later log lines carry no request id."""
    client.get("/healthz", headers={"X-Request-ID": "req-1"})
    assert request_id.get() is None


def test_request_id_on_static_files(client):
    """Static files, served before Flask, echo the request id too."""
    with client.get("/static/style.css", headers={"X-Request-ID": "css-1"}) as response:
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "css-1"


@pytest.mark.parametrize("incoming", ["has spaces", "x" * 129, "<script>"])
def test_request_id_replaced_when_invalid(client, incoming):
    """An id with unsafe characters, or too long, is replaced by a new one."""
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_unhandled_exception_logged_once_as_json(make_settings, capsys):
    """An exception becomes one JSON log line with the traceback and request id."""
    app = create_app(make_settings())

    @app.get("/fail")
    def fail():
        raise RuntimeError("something broke")

    response = app.test_client().get("/fail", headers={"X-Request-ID": "req-1"})

    assert response.status_code == 500
    assert "something broke" not in response.text
    assert response.headers["X-Request-ID"] == "req-1"
    captured = capsys.readouterr()
    assert captured.err == ""
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [record["level"] for record in records] == ["ERROR"]
    assert records[0]["request_id"] == "req-1"
    assert "Traceback" in records[0]["exc_info"]
    assert "RuntimeError: something broke" in records[0]["exc_info"]
