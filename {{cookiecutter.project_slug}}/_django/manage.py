#!/usr/bin/env python
"""Django's command-line utility for admin processes (factor XII: admin processes)."""

import os
import sys


def main() -> None:
    """Run an administrative task with the same settings as the web process."""
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE",
        "{{ cookiecutter.project_slug }}.settings",
    )
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Run `make install` and use .venv/bin/python, or"
            " activate the virtual environment with `. .venv/bin/activate`."
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
