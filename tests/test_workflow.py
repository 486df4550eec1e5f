"""The generated GitHub Actions workflow lints, tests on PostgreSQL and builds the image.

Its supply chain is checked too: zizmor finds nothing in it, and it and the Dependabot
configuration validate against their published schemas (as check-jsonschema vendors them).
"""

import json
import os
import re

import pytest
import yaml

from conftest import BIN, FRAMEWORKS, bake, run

WORKFLOW = ".github/workflows/ci.yml"
DEPENDABOT = ".github/dependabot.yml"
# Well-known actions only; anything else is a supply-chain decision for the project.
ACTIONS = {"actions/checkout", "actions/setup-python"}
# `uses: owner/name@<full commit SHA> # vX.Y.Z`: the SHA pins, the comment says which release.
PINNED = re.compile(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)")


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


def steps_using(workflow: dict, action: str) -> list[dict]:
    return [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith(f"{action}@")
    ]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_workflow_pins_well_known_actions_to_commits(baked, framework):
    """Every `uses:` is checkout or setup-python, at a full commit SHA with its release."""
    text = (baked[framework] / WORKFLOW).read_text()
    lines = [line.strip().removeprefix("- ") for line in text.splitlines() if "uses:" in line]
    pins = [PINNED.fullmatch(line) for line in lines]
    assert lines and all(pins), lines
    assert {pin.group(1) for pin in pins} == ACTIONS
    # One action, one pin: the same commit and release everywhere it is used.
    assert len({pin.groups() for pin in pins}) == len(ACTIONS)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_workflow_token_is_least_privilege(baked, framework):
    """No permission by default, read-only contents per job, no credentials left in .git."""
    workflow = load(baked[framework])
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name
    checkouts = steps_using(workflow, "actions/checkout")
    assert len(checkouts) == len(workflow["jobs"])
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_workflow_and_dependabot_pass_zizmor_offline(baked):
    """zizmor's default audits, offline, find nothing in either framework's .github/."""
    env = {k: v for k, v in os.environ.items() if "GITHUB_TOKEN" not in k and k != "GH_TOKEN"}
    projects = [baked[framework] for framework in FRAMEWORKS]
    result = run(
        [BIN / "zizmor", "--offline", "--no-progress", "--format", "json", *projects],
        cwd=projects[0].parent,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []
    # It audited both files of both projects, not an empty selection.
    audited = re.findall(r"completed (\S+)$", result.stderr, flags=re.MULTILINE)
    assert sorted(audited) == sorted(
        str(project / path) for project in projects for path in (WORKFLOW, DEPENDABOT)
    )


@pytest.mark.parametrize(
    ("path", "schema"), [(WORKFLOW, "github-workflows"), (DEPENDABOT, "dependabot")]
)
def test_github_files_validate_against_their_schemas(baked, path, schema):
    """ci.yml and dependabot.yml validate against SchemaStore's published schemas."""
    files = [baked[framework] / path for framework in FRAMEWORKS]
    command = [BIN / "check-jsonschema", "--builtin-schema", f"vendor.{schema}", *files]
    result = run(command, cwd=files[0].parent, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_dependabot_updates_what_the_project_pins(baked, framework):
    """Weekly updates for pyproject.toml, the workflow's actions and the base image."""
    project = baked[framework]
    config = yaml.safe_load((project / DEPENDABOT).read_text())
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert updates.keys() == {"pip", "github-actions", "docker"}
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] == "weekly"
        assert update["cooldown"]["default-days"] >= 7
    # What each ecosystem reads is where it looks.
    assert "[project]" in (project / "pyproject.toml").read_text()
    assert re.search(r"^FROM python:\S+-slim", (project / "Dockerfile").read_text(), re.M)
    assert (project / WORKFLOW).is_file()
    # The lock files' regeneration, which Dependabot does not do, is written down.
    assert "uv pip compile" in (project / DEPENDABOT).read_text()


def test_workflow_lints_with_the_chosen_python_from_the_lock(tmp_path):
    """The lint job installs requirements-dev.lock on the chosen Python, then ruff and mypy."""
    project = bake(tmp_path, python_version="3.13")
    lint = load(project)["jobs"]["lint"]
    assert python_versions(lint) == ["3.13"]
    commands = runs(lint)
    assert any(
        re.search(r"pip install --require-hashes -r requirements-dev\.lock", c) for c in commands
    )
    assert "ruff check ." in commands
    assert "ruff format --check ." in commands
    assert "mypy" in commands


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
