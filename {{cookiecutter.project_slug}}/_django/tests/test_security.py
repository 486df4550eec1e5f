"""HTTPS redirects, HSTS, security headers, secure cookies and allowed hosts."""

import pytest


def test_https_redirect_applies_to_pages(client, settings):
    """With SECURE_SSL_REDIRECT on, a plain HTTP page request goes to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_https_redirect_spares_health_endpoints(client, settings, path):
    """With SECURE_SSL_REDIRECT on, the health endpoints still answer plain HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_https_redirect_skips_secure_requests(client, settings):
    """A request that arrived over HTTPS is served, with HSTS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert (
        response["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "host"),
    [
        ("/", "testserver"),
        ("/healthz", "testserver"),
        ("/no-such-page", "testserver"),
        ("/healthz", "evil.example.org"),
    ],
    ids=["page", "json", "404", "400"],
)
def test_security_headers_are_set(client, path, host):
    """Pages, JSON and errors forbid sniffing and framing, and limit referrers."""
    response = client.get(path, headers={"Host": host})
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_hsts_is_sent_over_https_only(client, settings):
    """HSTS goes on HTTPS responses; X-Forwarded-Proto alone is not HTTPS."""
    settings.SECURE_HSTS_SECONDS = 3600
    assert client.get("/healthz", secure=True)["Strict-Transport-Security"] == (
        "max-age=3600"
    )
    # Only gunicorn may trust the header, and only from FORWARDED_ALLOW_IPS.
    forged = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged


@pytest.mark.django_db
def test_cookies_are_secure_over_https(client, admin_user):
    """Signing in over HTTPS sets the session and CSRF cookies as Secure."""
    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": "password"},
        secure=True,
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["csrftoken"]["secure"] is True


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/readyz", "/admin/", "/static/style.css", "/nothing"]
)
def test_unknown_host_gets_400_on_every_url(client, path):
    """A Host not in ALLOWED_HOSTS is refused before any view or static file."""
    response = client.get(path, headers={"Host": "evil.example.org"})
    assert response.status_code == 400


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "testserver"])
def test_allowed_and_loopback_hosts_are_served(client, host):
    """The hosts in ALLOWED_HOSTS are served, and loopback ones always."""
    assert client.get("/healthz", headers={"Host": host}).status_code == 200
