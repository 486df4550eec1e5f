"""Keep the chosen framework's files and write a local `.env` for development.

The template holds one overlay folder per framework (`_flask/`, `_django/`); the
chosen one is merged into the project root and both are removed, so the project
carries no code for the framework it does not use.
"""

import secrets
import shutil
from pathlib import Path

FRAMEWORK = "{{ cookiecutter.framework }}"
OVERLAYS = ("_flask", "_django")

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
    for overlay in OVERLAYS:
        shutil.rmtree(root / overlay)
    (root / ".env").write_text(DOTENV)
