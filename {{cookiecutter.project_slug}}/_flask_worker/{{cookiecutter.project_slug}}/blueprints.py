"""The app's features, one blueprint each, registered in this order by `create_app`."""

from {{cookiecutter.project_slug}} import health, reports, views

BLUEPRINTS = [health.bp, views.bp, reports.bp]
