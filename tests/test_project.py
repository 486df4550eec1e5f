"""Each generated project's own test suite passes out of the box."""

import itertools
import re

import pytest

from conftest import (
    DEFAULT_PYTHON,
    FRAMEWORKS,
    PYTHON_VERSIONS,
    bake,
    deploy,
    platform_env,
    run,
    start_server,
)
from services import fresh_redis_url

# Every combination but the default one, which the `deployed` fixture covers.
OTHER_COMBINATIONS = [
    (framework, version, worker)
    for framework, version, worker in itertools.product(FRAMEWORKS, PYTHON_VERSIONS, ("yes", "no"))
    if (version, worker) != (DEFAULT_PYTHON, "yes")
]


def assert_own_tests_pass(deployed) -> None:
    """Run the project's tests, with Redis for those that need it; none may skip."""
    result = run(
        ["pytest", "-q", "-p", "no:cacheprovider"],
        cwd=deployed.path,
        env=deployed.env(REDIS_URL=fresh_redis_url()),
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
    ("framework", "version", "worker"),
    [pytest.param(*combination, id="-".join(combination)) for combination in OTHER_COMBINATIONS],
)
def test_project_installs_passes_its_tests_and_boots(tmp_path, framework, version, worker):
    """Every other combination installs, passes its own tests, releases and serves."""
    baked = bake(tmp_path / "baked", framework=framework, python_version=version, worker=worker)
    work = tmp_path / "work"
    work.mkdir()
    deployed = deploy(baked, work, framework, version)
    assert_own_tests_pass(deployed)

    env = platform_env(deployed, f"sqlite:///{tmp_path / 'app.sqlite3'}")
    run(["sh", "-c", f"exec {deployed.process('release')}"], cwd=deployed.path, env=env)
    server = start_server(deployed, env)
    try:
        assert server.request("/readyz")[0].status == 200
        https = {"X-Forwarded-Proto": "https", "Host": "service.example.com"}
        reports = server.request("/reports", headers=https, method="POST")[0].status
        assert reports == (202 if worker == "yes" else 404)
    finally:
        assert server.stop()[0] == 0


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
