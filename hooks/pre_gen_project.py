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
# The top-level import names of every package in the generated projects' lock files
# (both frameworks, with the worker, dev included, on any platform): a package of the
# same name would shadow it. tests/test_input_properties.py proves the list complete.
DEPENDENCIES = {
    "alembic",
    "annotated_types",
    "asgiref",
    "ast_serialize",
    "async_timeout",
    "blinker",
    "cachelib",
    "certifi",
    "charset_normalizer",
    "click",
    "colorama",
    "dj_database_url",
    "django",
    "django_dramatiq",
    "django_prometheus",
    "django_stubs_ext",
    "dotenv",
    "dramatiq",
    "flask",
    "flask_caching",
    "flask_mailman",
    "flask_migrate",
    "flask_sqlalchemy",
    "flask_static_digest",
    "google",
    "greenlet",
    "gunicorn",
    "honcho",
    "idna",
    "iniconfig",
    "itsdangerous",
    "jinja2",
    "librt",
    "mako",
    "markupsafe",
    "mypy",
    "mypy_django_plugin",
    "mypy_extensions",
    "mypyc",
    "opentelemetry",
    "packaging",
    "pathspec",
    "pluggy",
    "prometheus_client",
    "prometheus_flask_exporter",
    "psycopg",
    "psycopg_binary",
    "py",
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "pygments",
    "pytest",
    "pytest_django",
    "pytest_env",
    "pythonjsonlogger",
    "redis",
    "requests",
    "ruff",
    "sqlalchemy",
    "sqlparse",
    "typing_extensions",
    "typing_inspection",
    "tzdata",
    "urllib3",
    "werkzeug",
    "whitenoise",
    "wrapt",
}
# Names the project's own layout, its tools or Python itself give a meaning to.
LAYOUT = {
    "app",
    "config",
    "conftest",
    "manage",
    "migrations",
    "reports",
    "settings",
    "site",
    "static",
    "templates",
    "test",
    "tests",
    "visits",
    "wsgi",
}
TAKEN = DEPENDENCIES | LAYOUT
# sys.stdlib_module_names is the running Python's, and the project may run on another:
# add the modules that the supported versions (3.11 to 3.13) or 3.14 have and it may lack,
# so the answer does not depend on the Python that runs cookiecutter.
STDLIB = sys.stdlib_module_names | {
    # Removed in 3.12 or 3.13, still there on 3.11.
    "aifc",
    "asynchat",
    "asyncore",
    "audioop",
    "cgi",
    "cgitb",
    "chunk",
    "crypt",
    "distutils",
    "imghdr",
    "imp",
    "lib2to3",
    "mailcap",
    "msilib",
    "nis",
    "nntplib",
    "ossaudiodev",
    "pipes",
    "smtpd",
    "sndhdr",
    "spwd",
    "sunau",
    "telnetlib",
    "uu",
    "xdrlib",
    # New in 3.14.
    "annotationlib",
    "compression",
}
# Every line of generated code that names the package must fit ruff's 88 columns: the
# longest (imports in audit_command.py and tests/test_config.py, among others) reach 88
# with a 36-character slug. Wrapping them all for longer slugs would make every project's
# imports harder to read; 32 leaves room for small edits, and few package names are longer.
MAX_SLUG_LENGTH = 32
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
    elif keyword.iskeyword(slug) or slug in STDLIB or slug in TAKEN:
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
        categories = {unicodedata.category(char) for char in context[key]}
        if "Cc" in categories:
            found.append(f"{key} contains a control character or a line break")
        if "Cs" in categories:
            found.append(f"{key} is not valid Unicode: were its bytes UTF-8?")
        if TEMPLATE_SYNTAX.search(context[key]):
            found.append(f"{key} contains template syntax, which the project's HTML would run")
    return found


def message(found: list[str]) -> str:
    """Return the one message that lists every problem."""
    return "\n".join(["twelve cannot render this project:", *(f"  - {p}" for p in found)])


if __name__ == "__main__":
    if found := problems(json.loads({{cookiecutter | tojson | tojson}})):
        sys.exit(message(found))
