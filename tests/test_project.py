"""Each generated project's own test suite passes out of the box."""

import re

from conftest import run


def test_project_own_tests_pass(deployed):
    """The project's pytest suite passes, with nothing skipped, in a bare environment."""
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


def test_project_lints_clean_in_its_own_venv(deployed):
    """`ruff check` and `ruff format --check` pass with the project's locked ruff."""
    for args in (
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--no-cache", "--check", "."],
    ):
        run(args, cwd=deployed.path, env=deployed.env())
