"""The Dockerfile builds the same process the Procfile runs, safely (factor V)."""

import json
import re
import shlex

import pytest

from conftest import BIN, BUILD, FRAMEWORKS, procfile, run


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_dockerfile_passes_hadolint(baked, framework):
    """hadolint reports nothing at warning level or above."""
    run([BIN / "hadolint", "--failure-threshold", "warning", "Dockerfile"], cwd=baked[framework])


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_dockerfile_runs_the_procfile_web_line(baked, framework):
    """CMD is exec form and equal to the Procfile's web command."""
    project = baked[framework]
    dockerfile = (project / "Dockerfile").read_text()
    cmd = re.findall(r"^CMD (\[.*\])$", dockerfile, flags=re.MULTILINE)
    assert len(cmd) == 1
    assert json.loads(cmd[0]) == shlex.split(procfile(project)["web"])


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_dockerfile_is_multistage_nonroot_and_healthchecked(baked, framework):
    """Two stages, a non-root user, a HEALTHCHECK on /healthz, and the build step."""
    dockerfile = (baked[framework] / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, flags=re.MULTILINE)) >= 2
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*/healthz", dockerfile, flags=re.MULTILINE | re.DOTALL)
    assert BUILD[framework] in dockerfile
    for line in re.findall(r"^ENV .*", dockerfile, flags=re.MULTILINE):
        assert not re.search(r"SECRET|PASSWORD|TOKEN|DATABASE_URL", line), line


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_dockerignore_keeps_local_state_out(baked, framework):
    """.env files, SQLite databases, git history and caches stay out of the image."""
    ignored = (baked[framework] / ".dockerignore").read_text().splitlines()
    for pattern in (".env", "*.sqlite3", ".git", ".venv", "**/__pycache__"):
        assert pattern in ignored
