"""The application factory: one app built from the validated settings (factor III)."""

import logging
import logging.config
from collections.abc import Iterable
from pathlib import Path
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import redis
from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host
from whitenoise import WhiteNoise

from {{cookiecutter.project_slug}} import (
    commands,
    errors,
    health,
{%- if cookiecutter.worker %}
    jobs,
    reports,
{%- endif %}
    request_ids,
    views,
)
from {{cookiecutter.project_slug}}.config import Settings, load_settings
from {{cookiecutter.project_slug}}.extensions import (
    cache,
    db,
    static_digest,
    talisman,
)
from {{cookiecutter.project_slug}}.logs import logging_config

# `flask digest compile` names its copies like style-<md5>.css; their content never
# changes, so browsers may cache them for good.
HASHED_NAME = r"-[0-9a-f]{32}\.\w+$"
# A dead Redis must not hang a request: give up connecting or waiting after 1 s.
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}
# Seconds to wait for a PostgreSQL connection, unless DATABASE_URL sets its own.
DATABASE_CONNECT_TIMEOUT = 5


def create_app(settings: Settings | None = None, *, migrations: bool = True) -> Flask:
    """Create the app; settings are read from the environment unless given.

    The web process passes `migrations=False`: only the release step and other admin
    commands need Flask-Migrate, and importing Alembic would slow every worker's boot.
    """
    settings = settings or load_settings()
    # Before Flask makes its logger: it then finds our stdout handler and adds
    # none of its own on stderr.
    logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))

    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key.get_secret_value(),
        DEBUG=settings.debug,
        SQLALCHEMY_DATABASE_URI=sqlalchemy_url(settings.database_url),
        # A pooled connection may have been closed by a database restart.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        # Any other Host header gets 400 Bad Request.
        TRUSTED_HOSTS=settings.hosts,
        # Enforced when a body is read; `errors` refuses larger ones up front.
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_SECURE=not settings.debug,
        **cache_config(settings.redis_url),
    )
    if settings.redis_url:
        # For the readiness check: one client per process, made here, not per probe.
        app.extensions["redis"] = redis.Redis.from_url(
            settings.redis_url, **REDIS_TIMEOUTS
        )

    # First, so that redirects and error pages carry the request id too.
    request_ids.init_app(app)
    # Before Talisman's HTTPS redirect: an oversized body gets 413 whatever the URL.
    errors.init_app(app)
    db.init_app(app)
    if migrations:
        # Alembic announces each of its plugins at INFO when it is imported.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        from flask_migrate import Migrate

        # Batch mode lets migrations alter tables on SQLite as well.
        Migrate(app, db, render_as_batch=True)
    talisman.init_app(
        app,
        force_https=settings.secure_ssl_redirect,
        # Sent on HTTPS responses only, and only once a max-age is set.
        strict_transport_security=settings.secure_hsts_seconds > 0,
        strict_transport_security_max_age=settings.secure_hsts_seconds,
        strict_transport_security_include_subdomains=(
            settings.secure_hsts_include_subdomains
        ),
        strict_transport_security_preload=settings.secure_hsts_preload,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        frame_options="DENY",
        # Only this site's own resources (such as its stylesheet) may load, and no
        # site may frame its pages (the CSP form of X-Frame-Options).
        content_security_policy={
            "default-src": "'self'",
            "object-src": "'none'",
            "frame-ancestors": "'none'",
        },
    )
    static_digest.init_app(app)
    cache.init_app(app)
    commands.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(views.bp)
{%- if cookiecutter.worker %}
    jobs.init_app(app, settings)
    app.register_blueprint(reports.bp)
{%- endif %}

    app.wsgi_app = hide_forwarded_proto(app.wsgi_app)
    static_files = WhiteNoise(
        app.wsgi_app,
        root=app.static_folder,
        prefix=app.static_url_path,
        autorefresh=settings.debug,
        immutable_file_test=HASHED_NAME,
    )
    app.wsgi_app = static_for_allowed_hosts(static_files, app.wsgi_app, settings.hosts)
    return app


def static_for_allowed_hosts(
    static_files: WSGIApplication, flask_app: WSGIApplication, hosts: list[str]
) -> WSGIApplication:
    """Serve static files to the allowed hosts only; Flask answers the others 400."""

    # WhiteNoise answers before Flask checks TRUSTED_HOSTS: other hosts skip it, and
    # get Flask's 400 with the request id and security headers.
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            get_host(environ, hosts)
        except SecurityError:
            return flask_app(environ, start_response)
        return static_files(environ, start_response)

    return app


def hide_forwarded_proto(wsgi_app: WSGIApplication) -> WSGIApplication:
    """Remove X-Forwarded-Proto before the app sees it."""

    # gunicorn has already set the request's scheme from it when it came from a
    # FORWARDED_ALLOW_IPS address; Talisman would trust it from anyone.
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ.pop("HTTP_X_FORWARDED_PROTO", None)
        return wsgi_app(environ, start_response)

    return app


def cache_config(redis_url: str | None) -> dict[str, object]:
    """Return Flask-Caching's settings: on Redis if given, else in process memory."""
    if redis_url is None:
        return {"CACHE_TYPE": "SimpleCache"}
    return {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_OPTIONS": REDIS_TIMEOUTS,
    }


def sqlalchemy_url(database_url: str) -> str:
    """Return DATABASE_URL as SQLAlchemy expects it."""
    url = make_url(database_url)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
        # Without a timeout, connecting to an unreachable server hangs the request
        # (and /readyz) until the operating system gives up, minutes later.
        if "connect_timeout" not in url.query:
            url = url.update_query_dict(
                {"connect_timeout": str(DATABASE_CONNECT_TIMEOUT)}
            )
    elif url.database and url.database != ":memory:":
        # Flask-SQLAlchemy would put a relative SQLite path in the instance folder;
        # keep it relative to the working directory, like every other process.
        url = url.set(database=str(Path(url.database).absolute()))
    return url.render_as_string(hide_password=False)
