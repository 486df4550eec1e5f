"""HTTPS, security headers and allowed hosts, as the settings say (factor III).

All of it is worked out once, when the app is made; a request then costs a list
of headers added to its response, whether Flask or WhiteNoise answers it.
"""

from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from flask import Config, Flask, Request, redirect, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host
from whitenoise import WhiteNoise

# Sent with every response; a view that sets one of them sends it twice, so
# change them here.
HEADERS = [
    # Only this site's own resources (such as its stylesheet) may load, and no
    # site may frame its pages (X-Frame-Options says so to older browsers).
    (
        "Content-Security-Policy",
        "default-src 'self'; object-src 'none'; frame-ancestors 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "browsing-topics=()"),
]
# Platforms probe these over plain HTTP: never redirected to HTTPS.
PLAIN_HTTP_PATHS = {"/healthz", "/readyz"}
# `flask digest compile` names its copies like style-<md5>.css; their content never
# changes, so browsers may cache them for good.
HASHED_NAME = r"-[0-9a-f]{32}\.\w+$"


def init_app(app: Flask) -> None:
    """Secure every response and the session cookie; serve static files."""
    config = app.config
    # Local development runs over plain HTTP, where a secure cookie never comes
    # back. Scripts cannot read the cookie either (Flask's default).
    config.update(SESSION_COOKIE_SECURE=not app.debug, SESSION_COOKIE_SAMESITE="Lax")
    app.session_interface = CookieSessions()
    if config["SECURE_SSL_REDIRECT"] and not app.debug:
        app.before_request(redirect_to_https)
    https_headers = HEADERS + strict_transport_security(config)

    flask_app = app.wsgi_app
    static_files = WhiteNoise(
        flask_app,
        root=app.static_folder,
        prefix=app.static_url_path,
        autorefresh=app.debug,
        immutable_file_test=HASHED_NAME,
    )
    static_prefix = f"{app.static_url_path}/"
    trusted_hosts = config["TRUSTED_HOSTS"]

    def wsgi_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        https = environ["wsgi.url_scheme"] == "https"
        added = https_headers if https else HEADERS

        def start_secured(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            headers.extend(added)
            return start_response(status, headers, exc_info)

        # WhiteNoise answers before Flask checks TRUSTED_HOSTS: other hosts skip
        # it, and get Flask's 400.
        if environ["PATH_INFO"].startswith(static_prefix):
            try:
                get_host(environ, trusted_hosts)
            except SecurityError:
                return flask_app(environ, start_secured)
            return static_files(environ, start_secured)
        return flask_app(environ, start_secured)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]  # Flask's way to add middleware


def strict_transport_security(config: Config) -> list[tuple[str, str]]:
    """Return the HSTS header the SECURE_HSTS_* settings ask for, if any.

    It goes on HTTPS responses only: browsers ignore it over plain HTTP.
    """
    if not config["SECURE_HSTS_SECONDS"]:
        return []
    value = f"max-age={config['SECURE_HSTS_SECONDS']}"
    if config["SECURE_HSTS_INCLUDE_SUBDOMAINS"]:
        value += "; includeSubDomains"
    if config["SECURE_HSTS_PRELOAD"]:
        value += "; preload"
    return [("Strict-Transport-Security", value)]


def redirect_to_https() -> ResponseReturnValue | None:
    """Send a plain HTTP request to the same URL over HTTPS.

    gunicorn sets the scheme from X-Forwarded-Proto only for the proxies in
    FORWARDED_ALLOW_IPS; from anyone else the header counts for nothing.
    """
    if request.is_secure or request.path in PLAIN_HTTP_PATHS:
        return None
    return redirect(request.url.replace("http://", "https://", 1))


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, minus work Flask does on every request.

    Flask makes a new signer for each request, and parses the cookies of requests
    that have none; here the signer is made once, and no cookie means a new session.
    """

    signer: URLSafeTimedSerializer | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if self.signer is None:
            self.signer = super().get_signing_serializer(app)
        return self.signer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        return super().open_session(app, request)
