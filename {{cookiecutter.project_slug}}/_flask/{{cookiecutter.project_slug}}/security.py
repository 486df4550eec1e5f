"""HTTPS, security headers and allowed hosts, as the settings say (factor III)."""

from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIEnvironment

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host
from whitenoise import WhiteNoise

from {{cookiecutter.project_slug}}.extensions import talisman

# `flask digest compile` names its copies like style-<md5>.css; their content never
# changes, so browsers may cache them for good.
HASHED_NAME = r"-[0-9a-f]{32}\.\w+$"


def init_app(app: Flask) -> None:
    """Send the security headers, and serve static files to allowed hosts only.

    Talisman also makes the session cookie HTTPS-only, unless DEBUG is on.
    """
    config = app.config
    talisman.init_app(
        app,
        force_https=config["SECURE_SSL_REDIRECT"],
        # Sent on HTTPS responses only, and only once a max-age is set.
        strict_transport_security=config["SECURE_HSTS_SECONDS"] > 0,
        strict_transport_security_max_age=config["SECURE_HSTS_SECONDS"],
        strict_transport_security_include_subdomains=(
            config["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
        ),
        strict_transport_security_preload=config["SECURE_HSTS_PRELOAD"],
        frame_options="DENY",
        # Only this site's own resources (such as its stylesheet) may load, and no
        # site may frame its pages (the CSP form of X-Frame-Options).
        content_security_policy={
            "default-src": "'self'",
            "object-src": "'none'",
            "frame-ancestors": "'none'",
        },
    )
    flask_app = app.wsgi_app
    static_files = WhiteNoise(
        flask_app,
        root=app.static_folder,
        prefix=app.static_url_path,
        autorefresh=app.debug,
        immutable_file_test=HASHED_NAME,
    )

    def wsgi_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        # gunicorn has already set the request's scheme from this header when it
        # came from a FORWARDED_ALLOW_IPS address; Talisman would trust it from anyone.
        environ.pop("HTTP_X_FORWARDED_PROTO", None)
        # WhiteNoise answers before Flask checks TRUSTED_HOSTS: other hosts skip it,
        # and get Flask's 400 with the request id and security headers.
        try:
            get_host(environ, config["TRUSTED_HOSTS"])
        except SecurityError:
            return flask_app(environ, start_response)
        return static_files(environ, start_response)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]  # Flask's way to add middleware
