"""The web process: check the settings, then serve the app with gunicorn (factor VII).

gunicorn reads WEB_CONCURRENCY itself as it starts, with its own error on a bad
value; checking the settings first gives the one message naming every bad variable.
Arguments are gunicorn's: `python -m {{ cookiecutter.project_slug }}.web --reload`.
"""

import os
import sys

from {{cookiecutter.project_slug}}.config import load_settings


def main() -> None:
    """Check the settings, then run gunicorn on the app, as its own command does."""
    settings = load_settings()
    # gunicorn reads it as it is imported, with int(): give it the checked value.
    os.environ["WEB_CONCURRENCY"] = str(settings.WEB_CONCURRENCY)
    from gunicorn.app.wsgiapp import run

    sys.argv[1:] = ["{{ cookiecutter.project_slug }}.wsgi", *sys.argv[1:]]
    run(prog="gunicorn")


if __name__ == "__main__":
    main()
