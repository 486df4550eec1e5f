"""Django settings, every value read from the environment (factor III: config).

One module serves every environment: the differences live in environment
variables, validated by `load_settings()` before Django starts.
https://docs.djangoproject.com/en/5.2/topics/settings/
https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from pathlib import Path

import dj_database_url

from .config import load_settings
from .logs import logging_config

settings = load_settings()

BASE_DIR = Path(__file__).resolve().parent.parent


# Security
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = settings.secret_key.get_secret_value()

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = settings.debug

ALLOWED_HOSTS = settings.hosts

SECURE_SSL_REDIRECT = settings.secure_ssl_redirect
# Platforms probe these over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = settings.secure_hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.secure_hsts_include_subdomains
SECURE_HSTS_PRELOAD = settings.secure_hsts_preload
# Local development runs over plain HTTP, where secure cookies are never sent back.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
# Sent by content_security_policy_middleware: the pages load nothing from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# Larger bodies get 413 from refuse_bad_requests_middleware before any view runs;
# Django's own check answers 400, and only once a view reads the body.
DATA_UPLOAD_MAX_MEMORY_SIZE = settings.max_request_bytes


# Application definition

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "{{ cookiecutter.project_slug }}",
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
        "DIRS": [],
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


# Database
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases

DATABASES = {
    # Keep connections open across requests, and check them before reuse.
    "default": dj_database_url.parse(
        settings.database_url, conn_max_age=600, conn_health_checks=True
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Give up on an unreachable server after a few seconds, so that /readyz
    # answers 503 instead of hanging; `?connect_timeout=` in the URL overrides it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Cache
# https://docs.djangoproject.com/en/5.2/topics/cache/

# Optional: without it, each process caches in its own memory.
REDIS_URL = settings.redis_url

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Short timeouts, so that a dead Redis cannot hang a request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


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


# Logging
# https://docs.djangoproject.com/en/5.2/topics/logging/

LOGGING = logging_config(settings.log_level, settings.log_format)
# Django's own handlers write to stderr and mail admins; send their records to
# the root handler on stdout instead.
LOGGING["loggers"] |= {
    "django": {"handlers": [], "level": settings.log_level, "propagate": True},
    "django.server": {"handlers": [], "level": settings.log_level, "propagate": True},
}
