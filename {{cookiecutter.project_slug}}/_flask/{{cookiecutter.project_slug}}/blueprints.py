"""The app's features, one blueprint each, registered in this order by `create_app`."""

from {{cookiecutter.project_slug}} import health, views

BLUEPRINTS = [health.bp, views.bp]
