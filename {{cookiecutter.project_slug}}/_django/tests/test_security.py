"""HTTPS redirects, HSTS, security headers and secure cookies."""

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


def test_security_headers_are_set(client):
    """Responses forbid sniffing and framing, limit referrers and carry a CSP."""
    response = client.get("/healthz")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_cookies_are_secure_when_debug_is_off(client):
    """With DEBUG off, the cookies Django sets are marked Secure."""
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response.cookies["csrftoken"]["secure"] is True


@pytest.mark.django_db
def test_admin_lists_visits(admin_client):
    """A superuser sees the visits in Django's admin site."""
    admin_client.get("/")
    response = admin_client.get("/admin/{{ cookiecutter.project_slug }}/visit/")
    assert response.status_code == 200
    assert "1 visit" in response.text
