"""HTTPS, host checking and security headers come from the settings (factor III)."""

import pytest
from flask import session


@pytest.mark.parametrize("path", ["/", "/healthz", "/nowhere", "/static/style.css"])
def test_security_headers_set(client, path):
    """Pages, JSON, errors and static files forbid sniffing and framing, with a CSP."""
    with client.get(path) as response:
        headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = headers["Content-Security-Policy"].split("; ")
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_https_redirect_for_pages(make_app):
    """With SECURE_SSL_REDIRECT, a plain HTTP page request is sent to HTTPS."""
    client = make_app(SECURE_SSL_REDIRECT=True).test_client()
    response = client.get("/", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 302
    assert response.location == "https://localhost/"
    assert response.headers["X-Request-ID"] == "req-1"
    assert client.get("/", base_url="https://localhost").status_code == 200


def test_https_redirect_ignores_forwarded_proto_header(make_app):
    """An X-Forwarded-Proto header alone does not count as HTTPS: gunicorn decides."""
    client = make_app(SECURE_SSL_REDIRECT=True).test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 302


def test_https_redirect_skips_health_endpoints(make_app):
    """Health endpoints answer over plain HTTP even with SECURE_SSL_REDIRECT."""
    client = make_app(SECURE_SSL_REDIRECT=True).test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_https_redirect_off_by_default(client):
    """Without SECURE_SSL_REDIRECT, plain HTTP is served."""
    assert client.get("/").status_code == 200


def test_hsts_sent_over_https(make_app):
    """HSTS follows the SECURE_HSTS_* settings, on HTTPS responses only."""
    client = make_app(
        SECURE_HSTS_SECONDS=3600,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
    ).test_client()
    secure = client.get("/healthz", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == (
        "max-age=3600; includeSubDomains; preload"
    )
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_hsts_off_by_default(client):
    """With SECURE_HSTS_SECONDS=0 no HSTS header is sent, even over HTTPS."""
    response = client.get("/healthz", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers


def test_allowed_hosts_served(client):
    """ALLOWED_HOSTS and loopback names are served."""
    for host in ("example.com", "localhost:8000", "127.0.0.1"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/readyz", "/nowhere", "/static/style.css"]
)
def test_unknown_host_rejected(client, path):
    """Any other Host header gets 400, whatever the URL."""
    with client.get(path, headers={"Host": "attacker.example"}) as response:
        assert response.status_code == 400


def test_unknown_host_not_redirected(make_app):
    """With SECURE_SSL_REDIRECT, an unknown host gets 400, not a redirect to itself."""
    client = make_app(SECURE_SSL_REDIRECT=True).test_client()
    response = client.get("/", headers={"Host": "attacker.example"})
    assert response.status_code == 400


@pytest.fixture
def signing_app(make_app):
    """An app with a sign-in route that writes the session, and one that reads it."""
    app = make_app()

    @app.post("/sign-in")
    def sign_in():
        session["user"] = "ada"
        return "signed in"

    @app.get("/whoami")
    def whoami():
        return session.get("user", "nobody")

    return app


def test_session_cookie_https_only(signing_app):
    """The session cookie is sent back over HTTPS only, and hidden from scripts."""
    client = signing_app.test_client()
    client.post("/sign-in", base_url="https://localhost")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.secure
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_session_read_back_from_its_cookie(signing_app):
    """A session written on one request is there on the next; a forged one is not."""
    client = signing_app.test_client()
    assert client.get("/whoami", base_url="https://localhost").text == "nobody"
    client.post("/sign-in", base_url="https://localhost")
    assert client.get("/whoami", base_url="https://localhost").text == "ada"
    client.set_cookie("session", "forged", domain="localhost", secure=True)
    assert client.get("/whoami", base_url="https://localhost").text == "nobody"
