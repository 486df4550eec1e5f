"""WSGI entry point: `application` is the app that gunicorn serves (factor VII)."""

from {{cookiecutter.project_slug}} import worker
from {{cookiecutter.project_slug}}.app import create_app
from {{cookiecutter.project_slug}}.broker import broker

application = create_app(migrations=False)
# Without REDIS_URL there is no worker process: this one runs its own jobs.
worker.run_in_process(broker)
