"""Reject template input that would render a broken project, naming every problem.

`local_extensions.py` runs the same check while cookiecutter reads the input, so a
person sees the message before anything is written; this hook repeats it as the
last word before files are generated (cookiecutter then removes the output folder).
"""

import json
import keyword
import re
import sys
import unicodedata

FRAMEWORKS = ("flask", "django")
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
# Names that would shadow a dependency or a tool the project uses.
TAKEN = {
    "alembic",
    "app",
    "config",
    "conftest",
    "dj_database_url",
    "django",
    "flask",
    "flask_migrate",
    "flask_sqlalchemy",
    "flask_talisman",
    "gunicorn",
    "honcho",
    "manage",
    "migrations",
    "psycopg",
    "pydantic",
    "pydantic_settings",
    "pytest",
    "pythonjsonlogger",
    "settings",
    "site",
    "sqlalchemy",
    "static",
    "templates",
    "test",
    "tests",
    "werkzeug",
    "whitenoise",
    "wsgi",
}
MAX_SLUG_LENGTH = 60
# Jinja or Django tag delimiters; written with escapes since this file is itself a template.
TEMPLATE_SYNTAX = re.compile(r"\x7b[\x7b%#]|[%#\x7d]\x7d")


def problems(context: dict) -> list[str]:
    """Return one line for each thing wrong with the template input."""
    found = []
    name = context["project_name"].strip()
    slug = context["project_slug"]
    if not name:
        found.append("project_name is empty: give the service a name")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", slug):
        found.append(
            f"project_slug {slug!r} is not a valid package name: use lowercase ASCII"
            " letters, digits and underscores, starting with a letter"
        )
    elif len(slug) > MAX_SLUG_LENGTH:
        found.append(f"project_slug is longer than {MAX_SLUG_LENGTH} characters")
    elif keyword.iskeyword(slug) or slug in sys.stdlib_module_names or slug in TAKEN:
        found.append(
            f"project_slug {slug!r} is reserved (a Python keyword, a standard library"
            " module or a name the project depends on): choose another"
        )
    if context["framework"] not in FRAMEWORKS:
        found.append(
            f"framework {context['framework']!r} is not supported: choose one of"
            f" {', '.join(FRAMEWORKS)}"
        )
    if context["python_version"] not in PYTHON_VERSIONS:
        found.append(
            f"python_version {context['python_version']!r} is not supported: choose"
            f" one of {', '.join(PYTHON_VERSIONS)}"
        )
    for key in ("project_name", "description", "author_name"):
        if any(unicodedata.category(char) == "Cc" for char in context[key]):
            found.append(f"{key} contains a control character or a line break")
        if TEMPLATE_SYNTAX.search(context[key]):
            found.append(f"{key} contains template syntax, which the project's HTML would run")
    return found


def message(found: list[str]) -> str:
    """Return the one message that lists every problem."""
    return "\n".join(["twelve cannot render this project:", *(f"  - {p}" for p in found)])


if __name__ == "__main__":
    if found := problems(json.loads({{cookiecutter | tojson | tojson}})):
        sys.exit(message(found))
