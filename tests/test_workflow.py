"""The generated GitHub Actions workflow lints, tests on PostgreSQL and builds the image."""

import re

import pytest
import yaml

from conftest import FRAMEWORKS, bake

WORKFLOW = ".github/workflows/ci.yml"
# Well-known actions only; anything else is a supply-chain decision for the project.
ACTIONS = {"actions/checkout@v4", "actions/setup-python@v5"}


def load(project) -> dict:
    workflow = yaml.safe_load((project / WORKFLOW).read_text())
    # YAML 1.1 reads the key `on` as true.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def runs(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def python_versions(job: dict) -> list[str]:
    return [
        step["with"]["python-version"]
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/setup-python@")
    ]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_workflow_is_valid_yaml_without_template_syntax(baked, framework):
    """It parses, runs on push and pull request, and keeps only GitHub's `${{ }}`."""
    text = (baked[framework] / WORKFLOW).read_text()
    assert not re.search(r"\{\{\s*cookiecutter|\{%|\{#|%\}", text)
    for expression in re.findall(r"\$\{\{(.*?)\}\}", text):
        assert re.fullmatch(r"\s*github\.\w+\s*", expression), expression
    workflow = load(baked[framework])
    assert {"push", "pull_request"} <= workflow["on"].keys()
    assert {"lint", "test", "docker"} <= workflow["jobs"].keys()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_workflow_uses_only_well_known_actions(baked, framework):
    """Every `uses:` is actions/checkout@v4 or actions/setup-python@v5."""
    jobs = load(baked[framework])["jobs"].values()
    used = {step["uses"] for job in jobs for step in job["steps"] if "uses" in step}
    assert used <= ACTIONS


def test_workflow_lints_with_the_chosen_python_from_the_lock(tmp_path):
    """The lint job installs requirements-dev.lock on the chosen Python, then runs ruff."""
    project = bake(tmp_path, python_version="3.13")
    lint = load(project)["jobs"]["lint"]
    assert python_versions(lint) == ["3.13"]
    commands = runs(lint)
    assert any(
        re.search(r"pip install --require-hashes -r requirements-dev\.lock", c) for c in commands
    )
    assert "ruff check ." in commands
    assert "ruff format --check ." in commands


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_workflow_tests_on_postgresql_after_the_release_step(baked, framework):
    """The test job has PostgreSQL and Redis, installs from the lock, releases, then tests."""
    project = baked[framework]
    test = load(project)["jobs"]["test"]
    services = test["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "5432:5432" in services["postgres"]["ports"]
    assert re.fullmatch(r"postgres://\w+:\w+@localhost:5432/\w+", test["env"]["DATABASE_URL"])
    assert python_versions(test) == ["3.12"]
    commands = "\n".join(runs(test))
    # `make install` is the lock install, as test_dependencies checks in the Makefile.
    makefile = (project / "Makefile").read_text()
    install = re.search(r"^install:\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE).group(1)
    assert "pip install --require-hashes -r requirements-dev.lock" in install
    order = [commands.find(step) for step in ("make install", "honcho start release", "pytest")]
    assert -1 not in order and order == sorted(order), commands
    assert "release:" in (project / "Procfile").read_text()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_workflow_builds_and_lints_the_image(baked, framework):
    """The docker job runs hadolint on the Dockerfile and builds the image."""
    commands = "\n".join(runs(load(baked[framework])["jobs"]["docker"]))
    assert "hadolint --failure-threshold warning" in commands
    assert re.search(r"^docker build .*\.$", commands, flags=re.MULTILINE)
