"""The Django floor: what `django-admin startproject` gives, plus pydantic-settings.

The generated project is a Django project with startproject's apps and middleware
(the admin needs them) and settings read through pydantic-settings. Here are those,
with the bare baseline's two views. What the generated app costs beyond this is the
template's own code.
"""

import os

import pydantic_settings  # noqa: F401
from django.conf import settings
from django.urls import path

import django_views as views

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ["SECRET_KEY"],
    ALLOWED_HOSTS=["localhost", "127.0.0.1", "[::1]"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
    ],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    TEMPLATES=[
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
    ],
    DATABASES={"default": {**views.database(os.environ["DATABASE_URL"]), "CONN_MAX_AGE": 600}},
    STATIC_URL="static/",
    USE_TZ=True,
)

from django.contrib import admin  # noqa: E402  (after settings)
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
urlpatterns = [
    path("healthz", views.healthz),
    path("readyz", views.readyz),
    path("admin/", admin.site.urls),
]
