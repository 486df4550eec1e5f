"""The application factory: one app built from the validated settings (factor III)."""

import logging
import logging.config
from collections.abc import Iterable
from pathlib import Path
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from flask import Flask
from sqlalchemy.engine import make_url
from whitenoise import WhiteNoise

from {{cookiecutter.project_slug}} import commands, health, request_ids, views
from {{cookiecutter.project_slug}}.config import Settings, load_settings
from {{cookiecutter.project_slug}}.extensions import db, static_digest, talisman
from {{cookiecutter.project_slug}}.logs import logging_config

# `flask digest compile` names its copies like style-<md5>.css; their content never
# changes, so browsers may cache them for good.
HASHED_NAME = r"-[0-9a-f]{32}\.\w+$"


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
        SESSION_COOKIE_SECURE=not settings.debug,
    )

    # First, so that redirects and error pages carry the request id too.
    request_ids.init_app(app)
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
        # Only this site's own resources (such as its stylesheet) may load.
        content_security_policy={"default-src": "'self'", "object-src": "'none'"},
    )
    static_digest.init_app(app)
    commands.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(views.bp)

    app.wsgi_app = hide_forwarded_proto(app.wsgi_app)
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=app.static_folder,
        prefix=app.static_url_path,
        autorefresh=settings.debug,
        immutable_file_test=HASHED_NAME,
    )
    return app


def hide_forwarded_proto(wsgi_app: WSGIApplication) -> WSGIApplication:
    """Remove X-Forwarded-Proto before the app sees it."""

    # gunicorn has already set the request's scheme from it when it came from a
    # FORWARDED_ALLOW_IPS address; Talisman would trust it from anyone.
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ.pop("HTTP_X_FORWARDED_PROTO", None)
        return wsgi_app(environ, start_response)

    return app


def sqlalchemy_url(database_url: str) -> str:
    """Return DATABASE_URL as SQLAlchemy expects it."""
    url = make_url(database_url)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    elif url.database:
        # Flask-SQLAlchemy would put a relative SQLite path in the instance folder;
        # keep it relative to the working directory, like every other process.
        url = url.set(database=str(Path(url.database).absolute()))
    return url.render_as_string(hide_password=False)
