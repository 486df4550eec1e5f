"""Every supported combination renders a clean, complete, lint-free project."""

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, FRAMEWORKS, PYTHON_VERSIONS, ROOT, SLUG, bake, need, procfile, run

WORKER = ("worker", "no-worker")
COMBINATIONS = list(itertools.product(FRAMEWORKS, PYTHON_VERSIONS, WORKER))
SHARED = [
    "Procfile",
    "gunicorn.conf.py",
    "Dockerfile",
    ".dockerignore",
    ".env.example",
    ".gitignore",
    "Makefile",
    "README.md",
    "docs/twelve-factor.md",
    "pyproject.toml",
    "requirements.lock",
    "requirements-dev.lock",
    f"{SLUG}/config.py",
    f"{SLUG}/limits.py",
    f"{SLUG}/audit.py",
    f"{SLUG}/project_files.py",
    f"{SLUG}/database.py",
    f"{SLUG}/logs.py",
    f"{SLUG}/wsgi.py",
    f"{SLUG}/static/style.css",
    "tests/test_config.py",
]
# Written once at the template's top level, for every framework and option.
ONCE = [
    "README.md",
    "docs/twelve-factor.md",
    "Dockerfile",
    "Makefile",
    "Procfile",
    ".gitignore",
    ".dockerignore",
]
# Files only one framework may have.
OWN = {
    "flask": [f"{SLUG}/app.py", "migrations/env.py", "migrations/alembic.ini"],
    "django": ["manage.py", f"{SLUG}/settings.py", f"{SLUG}/urls.py"],
}
# The worker option's shared files, and the names that only it brings.
WORKER_FILES = [f"{SLUG}/worker.py", "docs/jobs.md"]
WORKER_WORDS = ("dramatiq", "worker_heartbeat", "build_report", "/reports")


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every framework, Python version and worker choice, rendered once."""
    return {
        (framework, version, worker): bake(
            tmp_path_factory.mktemp(f"{framework}-{version}-{worker}"),
            framework=framework,
            python_version=version,
            worker="yes" if worker == "worker" else "no",
        )
        for framework, version, worker in COMBINATIONS
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
    framework, version, _ = combination
    project = renders[combination]
    other = next(name for name in FRAMEWORKS if name != framework)
    assert [name for name in SHARED + OWN[framework] if not (project / name).is_file()] == []
    assert [name for name in OWN[other] if (project / name).exists()] == []
    assert [path.name for path in project.iterdir() if path.name.startswith("_")] == []
    text = "".join(p.read_text(errors="replace") for p in files(project) if p.suffix == ".py")
    assert other not in text.lower()


@pytest.mark.parametrize("combination", COMBINATIONS, ids="-".join)
def test_render_keeps_the_worker_only_when_chosen(renders, combination):
    """With the worker: its process type, module and compose service; without: no trace."""
    _, _, worker = combination
    project = renders[combination]
    processes = [line.split(":")[0] for line in (project / "Procfile").read_text().splitlines()]
    compose = (project / "compose.yaml").read_text()
    if worker == "worker":
        assert processes == ["web", "worker", "release"]
        assert [name for name in WORKER_FILES if not (project / name).is_file()] == []
        assert "\n  worker:\n" in compose
        assert "dramatiq==" in (project / "requirements.lock").read_text()
    else:
        assert processes == ["web", "release"]
        leftovers = [
            f"{path.relative_to(project)}: {word}"
            for path in files(project)
            for word in WORKER_WORDS
            if word in path.read_text(errors="replace").lower()
        ]
        assert leftovers == []


@pytest.mark.parametrize("combination", COMBINATIONS, ids="-".join)
def test_render_pins_python_version(renders, combination):
    """The chosen Python version reaches pyproject, ruff and the Dockerfile."""
    _, version, _ = combination
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


def test_template_writes_shared_files_once():
    """The README, factor map, Dockerfile, Makefile, Procfile and ignores are in no overlay."""
    template = ROOT / "{{cookiecutter.project_slug}}"
    overlays = [path for path in template.iterdir() if path.name.startswith("_")]
    assert {path.name for path in overlays} >= {"_flask", "_django", "_worker"}
    assert [name for name in ONCE if not (template / name).is_file()] == []
    copies = [f"{path.name}/{name}" for path in overlays for name in ONCE if (path / name).exists()]
    assert copies == []


def quick_start(readme: str) -> tuple[str, str | None]:
    """Return the first command of a README, and the first localhost port named after it."""
    block = re.search(r"```sh\n(.*?)```", readme, re.DOTALL)
    port = re.search(r"//localhost:(\d+)", readme[block.end() :])
    return block.group(1).splitlines()[0], port and port.group(1)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_readme_quick_start_address_is_the_makefile_port(baked, framework):
    """The address after the first command, here and in the template's README, is PORT's default."""
    project = baked[framework]
    makefile = (project / "Makefile").read_text()
    port = re.search(r"^export PORT \?= (\d+)$", makefile, flags=re.MULTILINE).group(1)
    command, address = quick_start((project / "README.md").read_text())
    assert (command, address) == ("make run", port)
    command, address = quick_start((ROOT / "README.md").read_text())
    assert command.endswith(f"make -C {SLUG} run")
    assert address == port


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_docs_name_the_procfile_commands(baked, framework):
    """The README and the factor map run each process with the Procfile's own command."""
    project = baked[framework]
    for command in procfile(project).values():
        for doc in ("README.md", "docs/twelve-factor.md"):
            assert command.strip() in (project / doc).read_text(), (doc, command)


def test_template_python_has_only_worker_blocks():
    """Template `.py` files use cookiecutter variables, and `{% ... %}` only for the worker."""
    template = ROOT / "{{cookiecutter.project_slug}}"
    allowed = re.compile(r"\{%-? (if cookiecutter\.worker|else|endif) %\}")
    offenders = [
        f"{path.relative_to(template)}: {block}"
        for path in template.rglob("*.py")
        for block in re.findall(r"\{%.*?%\}", path.read_text())
        if not allowed.fullmatch(block)
    ]
    assert offenders == []


def test_env_example_documents_every_setting(renders):
    """Each variable the settings read appears in `.env.example` with a comment above it."""
    project = renders[("flask", "3.12", "worker")]
    example = (project / ".env.example").read_text()
    config = (project / SLUG / "config.py").read_text()
    # The fields: the annotated names of the Settings class, before its methods.
    config = config[config.index("class Settings(") :].split("    @classmethod")[0]
    fields = re.findall(r"^    ([A-Z_]+): ", config, flags=re.MULTILINE)
    assert "SECRET_KEY" in fields
    for name in fields:
        assert re.search(rf"^#.*\n{name}=", example, flags=re.MULTILINE), name
