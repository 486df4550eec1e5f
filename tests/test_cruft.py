"""A project made with cruft takes later template changes, and keeps its own `.env`."""

import json
import shutil
from pathlib import Path

import pytest

from conftest import BIN, FRAMEWORKS, ROOT, SLUG, need, run

EXAMPLE = Path("{{cookiecutter.project_slug}}") / ".env.example"
FIRST_LINE = "# Every setting this service reads, with its meaning and default (factor III).\n"
REWORDED = "# Each setting this service reads, its meaning and its default (factor III).\n"


def git(cwd: Path, *args: str) -> str:
    identity = ["-c", "user.name=twelve tests", "-c", "user.email=tests@example.com"]
    return run(["git", *identity, *args], cwd=cwd).stdout


def cruft(cwd: Path, *args: str, check: bool = True):
    return run([BIN / "cruft", *args], cwd=cwd, check=check, timeout=120)


@pytest.fixture
def template_repo(tmp_path) -> Path:
    """A git repository of the template's working tree, as it would be committed."""
    need(shutil.which("git") is not None, "git is not installed")
    need((ROOT / ".git").exists(), "the template is not a git checkout")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    repo = tmp_path / "twelve"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "twelve as it is")
    return repo


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_cruft_update_brings_template_changes(template_repo, tmp_path, framework, monkeypatch):
    """`cruft check` notices a new template commit, `cruft update` applies it, `.env` stays."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert (template_repo / EXAMPLE).read_text().startswith(FIRST_LINE)
    out = tmp_path / "out"
    context = json.dumps({"framework": framework})
    cruft(
        tmp_path,
        *("create", str(template_repo), "--no-input", "--output-dir", str(out)),
        *("--extra-context", context),
    )
    project = out / SLUG
    assert (project / "Procfile").is_file()
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "Generated")
    dotenv = (project / ".env").read_text()
    assert cruft(project, "check").returncode == 0

    example = template_repo / EXAMPLE
    example.write_text(example.read_text().replace(FIRST_LINE, REWORDED, 1))
    git(template_repo, "commit", "--quiet", "--all", "--message", "Reword .env.example")

    assert cruft(project, "check", check=False).returncode == 1
    cruft(project, "update", "--skip-apply-ask")
    assert (project / ".env.example").read_text().startswith(REWORDED)
    assert (project / ".env").read_text() == dotenv
    assert list(project.rglob("*.rej")) == []
    changed = git(project, "status", "--porcelain").splitlines()
    assert sorted(line[3:] for line in changed) == [".cruft.json", ".env.example"]
    assert cruft(project, "check").returncode == 0
