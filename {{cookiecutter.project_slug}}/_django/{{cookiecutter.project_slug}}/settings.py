"""Django settings, each value read from the environment by config.py (factor III).

https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from pathlib import Path
from typing import Any

from {{ cookiecutter.project_slug }} import mail
from {{ cookiecutter.project_slug }}.config import load_settings
from {{ cookiecutter.project_slug }}.limits import REDIS_TIMEOUT
from {{ cookiecutter.project_slug }}.logs import logging_config
{%- if cookiecutter.worker %}
from {{ cookiecutter.project_slug }}.worker import redis_broker_options
{%- endif %}

settings = load_settings()

BASE_DIR = Path(__file__).resolve().parent.parent


# Security
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = settings.SECRET_KEY.get_secret_value()

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = settings.DEBUG

ALLOWED_HOSTS = settings.hosts

SECURE_SSL_REDIRECT = settings.SECURE_SSL_REDIRECT
# Platforms probe these over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = settings.SECURE_HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_INCLUDE_SUBDOMAINS
SECURE_HSTS_PRELOAD = settings.SECURE_HSTS_PRELOAD
# Local development runs over plain HTTP, where secure cookies are never sent back.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
# Sent by content_security_policy_middleware: the pages load nothing from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# Larger bodies get 413 from refuse_bad_requests_middleware before any view runs;
# Django's own check answers 400, and only once a view reads the body.
DATA_UPLOAD_MAX_MEMORY_SIZE = settings.MAX_REQUEST_BYTES


# Application definition

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The project's own commands, templates and static files.
    "{{ cookiecutter.project_slug }}",
    "visits",
]

MIDDLEWARE = [
    # First, so every response and every log line of the request carries its id.
    "{{ cookiecutter.project_slug }}.middleware.request_id_middleware",
    # The security headers go on every response, refusals and static files too.
    "django.middleware.security.SecurityMiddleware",
    "{{ cookiecutter.project_slug }}.middleware.content_security_policy_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before WhiteNoise, so that static files are refused to other hosts too.
    "{{ cookiecutter.project_slug }}.middleware.refuse_bad_requests_middleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "{{ cookiecutter.project_slug }}.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "{{ cookiecutter.project_slug }}.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "{{ cookiecutter.project_slug }}.wsgi.application"


# Database: DATABASE_URL, read by dj-database-url (database.py)
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases

DATABASES = {"default": settings.DATABASE_URL}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Cache: in Redis with REDIS_URL, else in each process's memory
# https://docs.djangoproject.com/en/5.2/topics/cache/

REDIS_URL = settings.REDIS_URL

CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Short timeouts, so that a dead Redis cannot hang a request.
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT,
            "socket_timeout": REDIS_TIMEOUT,
        },
    }


# Email: EMAIL_URL, read by mail.py; the SMTP backend sends it
# https://docs.djangoproject.com/en/5.2/topics/email/

EMAIL_BACKEND = mail.backend(
    settings.EMAIL_URL, DEBUG, smtp="django.core.mail.backends.smtp.EmailBackend"
)
smtp = mail.smtp_options(settings.EMAIL_URL or "") or {}
EMAIL_HOST = smtp.get("server", "localhost")
EMAIL_PORT = smtp.get("port", 25)
EMAIL_HOST_USER = smtp.get("username", "")
EMAIL_HOST_PASSWORD = smtp.get("password", "")
EMAIL_USE_TLS = smtp.get("use_tls", False)
EMAIL_USE_SSL = smtp.get("use_ssl", False)
EMAIL_TIMEOUT = smtp.get("timeout")
DEFAULT_FROM_EMAIL = settings.DEFAULT_FROM_EMAIL
{%- if cookiecutter.worker %}
REPORTS_MAIL_TO = settings.REPORTS_MAIL_TO
{%- endif %}


# Password validation
# https://docs.djangoproject.com/en/5.2/ref/settings/#auth-password-validators

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]


# Internationalization
# https://docs.djangoproject.com/en/5.2/topics/i18n/

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True


# Static files (CSS, JavaScript, Images)
# https://docs.djangoproject.com/en/5.2/howto/static-files/
# https://whitenoise.readthedocs.io/en/stable/django.html

STATIC_URL = "static/"
# Filled by `manage.py collectstatic` at build time, with content-hashed names.
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# Pages link the hashed copies only: the others would double the image's static
# files and the time each worker takes to list them as it starts.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True


# Logging
# https://docs.djangoproject.com/en/5.2/topics/logging/

LOGGING = logging_config(settings.LOG_LEVEL, settings.LOG_FORMAT)
# Django's own handlers write to stderr and mail admins; send their records to
# the root handler on stdout instead.
LOGGING["loggers"] |= {
    name: {"handlers": [], "level": settings.LOG_LEVEL, "propagate": True}
    for name in ("django", "django.server")
}


# Telemetry: requests counted by view with METRICS_PORT (gunicorn.conf.py serves
# them), traced with OTEL_EXPORTER_OTLP_ENDPOINT (apps.py starts it)
# https://github.com/django-commons/django-prometheus

METRICS_PORT = settings.METRICS_PORT
if METRICS_PORT:
    INSTALLED_APPS += ["django_prometheus"]
    MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
OTEL_EXPORTER_OTLP_ENDPOINT = settings.OTEL_EXPORTER_OTLP_ENDPOINT
{%- if cookiecutter.worker %}


# Jobs: Dramatiq actors in each app's `tasks.py` (factor VIII: concurrency)
# https://github.com/Bogdanp/django_dramatiq#installation

INSTALLED_APPS += ["django_dramatiq", "reports"]

DRAMATIQ_BROKER: dict[str, Any] = {
    # Without REDIS_URL, jobs wait in memory for a worker thread of the web
    # process that sent them (wsgi.py).
    "BROKER": "dramatiq.brokers.stub.StubBroker",
    "MIDDLEWARE": [
        # Dramatiq's defaults, then the request id and Django's connections.
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.ShutdownNotifications",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Pipelines",
        "dramatiq.middleware.Retries",
        "{{ cookiecutter.project_slug }}.worker.RequestIdMiddleware",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
    ],
}
if OTEL_EXPORTER_OTLP_ENDPOINT:
    DRAMATIQ_BROKER["MIDDLEWARE"] += [
        "{{ cookiecutter.project_slug }}.job_tracing.TraceContext",
    ]
if REDIS_URL:
    DRAMATIQ_BROKER["BROKER"] = "dramatiq.brokers.redis.RedisBroker"
    DRAMATIQ_BROKER["OPTIONS"] = redis_broker_options(
        REDIS_URL, settings.WORKER_HEARTBEAT_TIMEOUT
    )
    if METRICS_PORT:  # counted where the worker process serves them
        DRAMATIQ_BROKER["MIDDLEWARE"] += ["dramatiq.middleware.prometheus.Prometheus"]
{%- endif %}
