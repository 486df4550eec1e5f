"""Every supported combination renders a clean, complete, lint-free project."""

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, FRAMEWORKS, PYTHON_VERSIONS, ROOT, SLUG, bake, need, run

COMBINATIONS = list(itertools.product(FRAMEWORKS, PYTHON_VERSIONS))
SHARED = [
    "Procfile",
    "gunicorn.conf.py",
    "Dockerfile",
    ".dockerignore",
    ".env.example",
    ".gitignore",
    "Makefile",
    "README.md",
    "pyproject.toml",
    "requirements.lock",
    "requirements-dev.lock",
    f"{SLUG}/config.py",
    f"{SLUG}/logs.py",
    f"{SLUG}/wsgi.py",
    f"{SLUG}/static/style.css",
    "tests/test_config.py",
]
# Files only one framework may have.
OWN = {
    "flask": [f"{SLUG}/app.py", "migrations/env.py", "migrations/alembic.ini"],
    "django": ["manage.py", f"{SLUG}/settings.py", f"{SLUG}/urls.py"],
}


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every framework and Python version, rendered once."""
    return {
        (framework, version): bake(
            tmp_path_factory.mktemp(f"{framework}-{version}"),
            framework=framework,
            python_version=version,
        )
        for framework, version in COMBINATIONS
    }


def files(project: Path) -> list[Path]:
    return [path for path in project.rglob("*") if path.is_file()]


@pytest.mark.parametrize("combination", COMBINATIONS, ids="-".join)
def test_render_leaves_no_template_syntax(renders, combination):
    """No `{{`, `{%` or `{#` of cookiecutter's survives in a generated file."""
    leftovers = [
        str(path)
        for path in files(renders[combination])
        if re.search(r"\{\{\s*cookiecutter|\{%|\{#", path.read_text(errors="replace"))
        and "/templates/" not in str(path)
    ]
    assert leftovers == []


@pytest.mark.parametrize("combination", COMBINATIONS, ids="-".join)
def test_render_has_contract_files_and_no_other_framework(renders, combination):
    """The shared files and the framework's own are there; the other's and the overlays are not."""
    framework, version = combination
    project = renders[combination]
    other = next(name for name in FRAMEWORKS if name != framework)
    assert [name for name in SHARED + OWN[framework] if not (project / name).is_file()] == []
    assert [name for name in OWN[other] if (project / name).exists()] == []
    assert not (project / "_flask").exists()
    assert not (project / "_django").exists()
    text = "".join(p.read_text(errors="replace") for p in files(project) if p.suffix == ".py")
    assert other not in text.lower()


@pytest.mark.parametrize("combination", COMBINATIONS, ids="-".join)
def test_render_pins_python_version(renders, combination):
    """The chosen Python version reaches pyproject, ruff and the Dockerfile."""
    _, version = combination
    project = renders[combination]
    assert f'requires-python = ">={version}"' in (project / "pyproject.toml").read_text()
    assert (
        f'target-version = "py{version.replace(".", "")}"'
        in (project / "pyproject.toml").read_text()
    )
    assert f"FROM python:{version}-slim" in (project / "Dockerfile").read_text()


@pytest.mark.parametrize("combination", COMBINATIONS, ids="-".join)
def test_render_passes_ruff(renders, combination):
    """Generated code passes `ruff check` and `ruff format --check` with its own config."""
    project = renders[combination]
    for args in (["check", "--no-cache", "."], ["format", "--no-cache", "--check", "."]):
        result = subprocess.run([BIN / "ruff", *args], cwd=project, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_render_writes_a_fresh_local_dotenv(tmp_path, framework):
    """Each render writes a git-ignored `.env` for development with its own random key."""
    keys = []
    for attempt in ("one", "two"):
        project = bake(tmp_path / attempt, framework=framework)
        dotenv = dict(
            line.split("=", 1)
            for line in (project / ".env").read_text().splitlines()
            if line and not line.startswith("#")
        )
        assert dotenv["DEBUG"] == "true"
        assert dotenv["DATABASE_URL"] == "sqlite:///db.sqlite3"
        assert dotenv["LOG_FORMAT"] == "console"
        assert len(dotenv["SECRET_KEY"]) >= 50
        keys.append(dotenv["SECRET_KEY"])
        assert ".env" in (project / ".gitignore").read_text().splitlines()
    assert keys[0] != keys[1]


def test_render_needs_no_network(tmp_path):
    """`cookiecutter --no-input` works with every network route gone."""
    need(shutil.which("unshare") is not None, "unshare (util-linux) is not installed")
    result = run(
        ["unshare", "--net", BIN / "cookiecutter", "--no-input", str(ROOT), "-o", tmp_path],
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / SLUG / "Procfile").is_file()


def test_template_python_has_no_jinja_blocks():
    """Template `.py` files use cookiecutter variables only, never `{% ... %}` blocks."""
    template = ROOT / "{{cookiecutter.project_slug}}"
    offenders = [str(p) for p in template.rglob("*.py") if "{%" in p.read_text()]
    assert offenders == []


def test_env_example_documents_every_setting(renders):
    """Each variable the settings read appears in `.env.example` with a comment above it."""
    project = renders[("flask", "3.12")]
    example = (project / ".env.example").read_text()
    config = (project / SLUG / "config.py").read_text()
    fields = re.findall(r"^    ([a-z_]+): ", config, flags=re.MULTILINE)
    assert "secret_key" in fields
    for name in fields:
        assert re.search(rf"^#.*\n{name.upper()}=", example, flags=re.MULTILINE), name
