"""WSGI entry point of the web process, exposing `application` (factor VII).

Gunicorn serves it, with gunicorn.conf.py, as
`gunicorn {{ cookiecutter.project_slug }}.wsgi`.
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

import dramatiq
from django.core.wsgi import get_wsgi_application

from {{ cookiecutter.project_slug }} import worker

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE",
    "{{ cookiecutter.project_slug }}.settings",
)

application = get_wsgi_application()

# Without REDIS_URL there is no queue to share: this process runs its own jobs.
worker.run_in_process(dramatiq.get_broker())
