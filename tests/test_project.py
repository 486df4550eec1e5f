"""Each generated project's own test suite passes out of the box."""

import itertools
import re
import time
from pathlib import Path

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


def check_combination(work: Path, framework: str, version: str, worker: str) -> None:
    """Install one combination, run its own tests, release it and make requests."""
    baked = bake(work / "baked", framework=framework, python_version=version, worker=worker)
    (work / "deploy").mkdir()
    # Its own virtualenv, used by this test alone: bytecode compiled as it is imported.
    deployed = deploy(baked, work / "deploy", framework, version, compile_bytecode=False)
    assert_own_tests_pass(deployed)

    env = platform_env(deployed, f"sqlite:///{work / 'app.sqlite3'}")
    run(["sh", "-c", f"exec {deployed.process('release')}"], cwd=deployed.path, env=env)
    server = start_server(deployed, env)
    try:
        assert server.request("/readyz")[0].status == 200
        https = {"X-Forwarded-Proto": "https", "Host": "service.example.com"}
        reports = server.request("/reports", headers=https, method="POST")[0].status
        assert reports == (202 if worker == "yes" else 404)
    finally:
        assert server.stop()[0] == 0


@pytest.mark.parametrize(
    "combination",
    [pytest.param(combination, id="-".join(combination)) for combination in OTHER_COMBINATIONS],
)
def test_project_installs_passes_its_tests_and_boots(tmp_path, combination, figures):
    """Every other combination installs, passes its own tests, releases and serves.

    The combinations are tests of their own, which the xdist workers run side by side:
    most of a project's test run is spent waiting on processes it starts.
    """
    started = time.monotonic()
    check_combination(tmp_path, *combination)
    figures[f"{'-'.join(combination)}: installed, tested, booted (s)"] = round(
        time.monotonic() - started, 1
    )


def test_project_lints_clean_in_its_own_venv(deployed):
    """`ruff check` and `ruff format --check` pass with the project's locked ruff."""
    for args in (
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--no-cache", "--check", "."],
    ):
        run(args, cwd=deployed.path, env=deployed.env())


def test_project_type_checks_clean_in_its_own_venv(deployed, figures):
    """`make lint`'s mypy, with the framework's stubs and plugins, finds no error.

    Run as the Makefile writes it, with its throwaway BUILD_ENV for Django's plugin
    and without `.env`, as in CI; mypy writes no cache into the deployed copy.
    """
    makefile = (deployed.path / "Makefile").read_text()
    lint = re.search(r"^lint:\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE).group(1)
    command = next(line.strip() for line in lint.splitlines() if "mypy" in line)
    build_env = re.search(r"^BUILD_ENV := ((?:.*\\\n)*.*)$", makefile, flags=re.MULTILINE)
    variables = build_env.group(1).replace("\\\n", " ").split()
    command = command.replace("$(BUILD_ENV)", " ".join(variables))
    command = command.replace(".venv/bin/", "")
    assert command.endswith("mypy"), command
    started = time.monotonic()
    result = run(command, cwd=deployed.path, env=deployed.env(MYPY_CACHE_DIR="/dev/null"))
    figures[f"{deployed.framework}: mypy (s)"] = round(time.monotonic() - started, 1)
    assert re.match(r"Success: no issues found in \d+ source files", result.stdout), result.stdout


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
