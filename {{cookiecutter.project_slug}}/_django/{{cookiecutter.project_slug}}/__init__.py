"""The {{ cookiecutter.project_slug }} web service, built as one Django app."""
