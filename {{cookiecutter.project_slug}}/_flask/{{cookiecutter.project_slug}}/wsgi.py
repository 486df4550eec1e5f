"""WSGI entry point: `application` is the app that gunicorn serves (factor VII)."""

from {{cookiecutter.project_slug}}.app import create_app

application = create_app(migrations=False)
