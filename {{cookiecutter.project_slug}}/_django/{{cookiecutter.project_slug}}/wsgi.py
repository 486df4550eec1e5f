"""WSGI entry point of the web process, exposing `application` (factor VII).

Gunicorn serves it, with gunicorn.conf.py, as
`gunicorn {{ cookiecutter.project_slug }}.wsgi`.
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE",
    "{{ cookiecutter.project_slug }}.settings",
)

application = get_wsgi_application()
