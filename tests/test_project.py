"""Each generated project's own test suite passes out of the box."""

import itertools
import re

import pytest

from conftest import DEFAULT_PYTHON, FRAMEWORKS, PYTHON_VERSIONS, bake, deploy, run

OTHER_PYTHONS = [version for version in PYTHON_VERSIONS if version != DEFAULT_PYTHON]


def assert_own_tests_pass(deployed) -> None:
    result = run(
        ["pytest", "-q", "-p", "no:cacheprovider"],
        cwd=deployed.path,
        env=deployed.env(),
        timeout=600,
    )
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary), summary
    assert "skipped" not in summary
    assert "failed" not in summary


def test_project_own_tests_pass(deployed):
    """The project's pytest suite passes, with nothing skipped, in a bare environment."""
    assert_own_tests_pass(deployed)


@pytest.mark.parametrize(
    ("framework", "version"),
    [
        pytest.param(framework, version, id=f"{framework}-{version}")
        for framework, version in itertools.product(FRAMEWORKS, OTHER_PYTHONS)
    ],
)
def test_project_own_tests_pass_on_other_pythons(tmp_path, framework, version):
    """Rendered for each other supported Python, the project installs and its tests pass."""
    baked = bake(tmp_path / "baked", framework=framework, python_version=version)
    work = tmp_path / "work"
    work.mkdir()
    assert_own_tests_pass(deploy(baked, work, framework, version))


def test_project_lints_clean_in_its_own_venv(deployed):
    """`ruff check` and `ruff format --check` pass with the project's locked ruff."""
    for args in (
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--no-cache", "--check", "."],
    ):
        run(args, cwd=deployed.path, env=deployed.env())


def test_project_contract_tests_are_selectable_by_marker(deployed):
    """`pytest -m contract` selects the contract tests of `tests/test_contract.py` only."""
    result = run(
        ["pytest", "-q", "-p", "no:cacheprovider", "--collect-only", "-m", "contract"],
        cwd=deployed.path,
        env=deployed.env(),
    )
    selected = [line for line in result.stdout.splitlines() if "::" in line]
    assert len(selected) >= 6, result.stdout
    assert all(line.startswith("tests/test_contract.py::") for line in selected)
