"""Dependencies are declared in pyproject.toml and locked with hashes (factor II)."""

import re
import tomllib

import pytest

from conftest import FRAMEWORKS


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return normalize(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0))


def pins(lock: str) -> dict[str, str]:
    """Return {package: version} for each pinned line of a lock file."""
    found = {}
    for block in re.split(r"\n(?=[a-z0-9])", lock):
        match = re.match(r"([a-z0-9][a-z0-9_.-]*)==([^ ;\\\n]+)", block)
        if match:
            assert "--hash=sha256:" in block, f"{match.group(1)} has no hash"
            found[normalize(match.group(1))] = match.group(2)
    return found


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_locks_pin_every_declared_dependency(baked, framework):
    """Every runtime and dev dependency is pinned exactly, with hashes, in the locks."""
    project = baked[framework]
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    runtime = {requirement_name(r) for r in pyproject["project"]["dependencies"]}
    dev = {requirement_name(r) for r in pyproject["dependency-groups"]["dev"]}
    runtime_pins = pins((project / "requirements.lock").read_text())
    dev_pins = pins((project / "requirements-dev.lock").read_text())
    assert runtime - runtime_pins.keys() == set()
    assert (runtime | dev) - dev_pins.keys() == set()
    assert dev - runtime_pins.keys() == dev, "dev tools leak into the runtime lock"
    for name, version in runtime_pins.items():
        assert dev_pins.get(name) == version, f"{name} differs between the locks"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_installs_use_the_locks(baked, framework):
    """The Dockerfile installs from requirements.lock, the Makefile from the dev lock."""
    project = baked[framework]
    dockerfile = (project / "Dockerfile").read_text().replace("\\\n", " ")
    assert re.search(r"pip .*install .*--require-hashes.*-r \S*requirements\.lock", dockerfile)
    makefile = (project / "Makefile").read_text()
    assert re.search(r"pip install .*--require-hashes -r requirements-dev\.lock", makefile)
    assert "make install" in (project / "README.md").read_text()
