"""Keep the chosen options' files and write a local `.env` for development.

The template holds one overlay folder per framework (`_flask/`, `_django/`) and,
for the worker process type, one shared (`_worker/`) and one per framework
(`_flask_worker/`, `_django_worker/`). The chosen ones are merged into the
project root and all are removed, so the project carries no code for an option
it does not use.
"""

import secrets
import shutil
from pathlib import Path

FRAMEWORK = "{{ cookiecutter.framework }}"
WORKER = "{{ cookiecutter.worker }}" == "True"
OVERLAYS = ("_flask", "_django", "_worker", "_flask_worker", "_django_worker")

DOTENV = f"""\
# Local development settings; git-ignored, never used in production.
# Real environment variables always win over this file. See .env.example.
SECRET_KEY={secrets.token_urlsafe(50)}
DEBUG=true
DATABASE_URL=sqlite:///db.sqlite3
LOG_FORMAT=console
"""


def merge(source: Path, target: Path) -> None:
    """Move every file under source to the same place under target."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            path.replace(destination)


if __name__ == "__main__":
    root = Path.cwd()
    merge(root / f"_{FRAMEWORK}", root)
    if WORKER:
        merge(root / "_worker", root)
        merge(root / f"_{FRAMEWORK}_worker", root)
    for overlay in OVERLAYS:
        shutil.rmtree(root / overlay)
    (root / ".env").write_text(DOTENV)
