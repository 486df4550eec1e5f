"""The application factory: one app built from the validated settings (factor III)."""

import logging.config

from flask import Flask

from {{cookiecutter.project_slug}} import (
    blueprints,
    commands,
    errors,
    mail,
    request_ids,
    security,
    telemetry,
)
from {{cookiecutter.project_slug}}.config import Settings, load_settings
from {{cookiecutter.project_slug}}.extensions import (
    cache,
    db,
    mailman,
    static_digest,
)
from {{cookiecutter.project_slug}}.limits import REDIS_TIMEOUT
from {{cookiecutter.project_slug}}.logs import logging_config


def create_app(settings: Settings | None = None, *, migrations: bool = True) -> Flask:
    """Create the app; settings are read from the environment unless given.

    The web process passes `migrations=False`: only the release step and other admin
    commands need Flask-Migrate, and importing Alembic would slow every worker's boot.
    """
    settings = settings or load_settings()
    # Before Flask makes its logger: it then finds our stdout handler and adds
    # none of its own on stderr.
    logging.config.dictConfig(logging_config(settings.LOG_LEVEL, settings.LOG_FORMAT))

    app = Flask(__name__)
    # Every setting under its variable's name, and under the names Flask and its
    # extensions read.
    app.config.from_mapping(
        dict(settings),
        SECRET_KEY=settings.SECRET_KEY.get_secret_value(),
        SQLALCHEMY_DATABASE_URI=settings.DATABASE_URL,
        # A pooled connection may have been closed by a database restart.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        # Any other Host header gets 400 Bad Request.
        TRUSTED_HOSTS=settings.hosts,
        # Enforced when a body is read; `errors` refuses larger ones up front.
        MAX_CONTENT_LENGTH=settings.MAX_REQUEST_BYTES,
        # Without Redis, each process caches in its own memory.
        CACHE_TYPE="SimpleCache",
    )
    if settings.REDIS_URL:
        app.config.update(
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=settings.REDIS_URL,
            CACHE_OPTIONS={
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        )
    smtp = mail.smtp_options(settings.EMAIL_URL or "") or {}
    # Flask-Mailman's settings: MAIL_SERVER, MAIL_PORT, MAIL_USERNAME and so on.
    app.config.update(
        {f"MAIL_{name.upper()}": value for name, value in smtp.items()},
        MAIL_BACKEND=mail.backend(settings.EMAIL_URL, settings.DEBUG, smtp="smtp"),
        MAIL_DEFAULT_SENDER=settings.DEFAULT_FROM_EMAIL,
    )

    # Before the HTTPS redirect: an oversized body gets 413 whatever the URL.
    errors.init_app(app)
    security.init_app(app)
    # Around what security serves, so that static files carry the request id too.
    request_ids.init_app(app)
    telemetry.init_app(app)
    db.init_app(app)
    cache.init_app(app)
    mailman.init_app(app)
    static_digest.init_app(app)
    commands.init_app(app, migrations=migrations)
    for blueprint in blueprints.BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app
