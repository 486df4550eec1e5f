"""The twelvefactor admin command audits a deployed project's config and tree (II to XI)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from conftest import SECRET_KEY, platform_env, run

# Never connected to: the audit reads DATABASE_URL, it does not open it.
DATABASE_URL = "postgres://app:hunter2@db.internal:5432/app"
# A developer's key, left behind in `.env`.
DOTENV_KEY = "d" + "0123456789abcdef" * 4


def twelvefactor(deployed, cwd: Path, env: dict[str, str], *options: str):
    """Run the audit command as an admin process would, from cwd."""
    command = " ".join([deployed.admin("twelvefactor"), *options])
    return run(["sh", "-c", f"exec {command}"], cwd=cwd, env=env, check=False)


def statuses(result: subprocess.CompletedProcess) -> dict[str, str]:
    """Return the status of each check from the command's JSON output."""
    return {finding["check"]: finding["status"] for finding in json.loads(result.stdout)}


def save_sample(deployed, name: str, result: subprocess.CompletedProcess) -> None:
    """Keep the human output for the release notes when TWELVE_AUDIT_SAMPLES is set."""
    if os.environ.get("TWELVE_AUDIT_SAMPLES"):
        sample = Path(f"/tmp/audit-{name}-{deployed.framework}.txt")
        command = deployed.admin("twelvefactor")
        sample.write_text(f"$ {command}\n{result.stdout}(exit status {result.returncode})\n")


def test_twelvefactor_passes_a_production_deploy(deployed):
    """With a platform's environment and no `.env`, nothing fails: exit 0, warnings listed."""
    env = platform_env(deployed, DATABASE_URL)
    text = twelvefactor(deployed, deployed.path, env)
    save_sample(deployed, "good", text)
    output = text.stdout + text.stderr
    assert text.returncode == 0, output
    assert text.stderr == "", output
    lines = text.stdout.splitlines()
    assert len(lines) == 13, output
    assert lines[-1] == "12 checks: 11 pass, 1 warn, 0 fail", output
    assert re.search(r"^VII +Port binding +WARN  no HSTS", text.stdout, re.MULTILINE), output
    assert SECRET_KEY not in output
    assert "hunter2" not in output

    machine = twelvefactor(deployed, deployed.path, env, "--json")
    assert machine.returncode == 0, machine.stdout + machine.stderr
    found = statuses(machine)
    assert found.pop("https") == "warn"
    assert set(found.values()) == {"pass"}, found


def test_twelvefactor_names_each_failure(deployed, tmp_path):
    """A stale lock, no release step, a leftover `.env` and DEBUG on: exit 1, each named."""
    broken = tmp_path / deployed.path.name
    shutil.copytree(deployed.path, broken)
    procfile = broken / "Procfile"
    kept = [line for line in procfile.read_text().splitlines() if not line.startswith("release:")]
    procfile.write_text("\n".join(kept) + "\n")
    pyproject = broken / "pyproject.toml"
    added = 'dependencies = [\n    "httpx>=0.28,<1",'
    pyproject.write_text(pyproject.read_text().replace("dependencies = [", added, 1))
    (broken / ".env").write_text(f"SECRET_KEY={DOTENV_KEY}\nDEBUG=true\n")
    env = platform_env(
        deployed,
        f"sqlite:///{tmp_path / 'app.sqlite3'}",
        DEBUG="true",
        LOG_FORMAT="console",
    )

    text = twelvefactor(deployed, broken, env)
    save_sample(deployed, "broken", text)
    output = text.stdout + text.stderr
    assert text.returncode == 1, output
    assert text.stdout.splitlines()[-1] == "12 checks: 5 pass, 3 warn, 4 fail", output
    for expected in (
        r"^II +Dependencies +FAIL  requirements\.lock is out of date .*httpx is not pinned",
        r"^II +Dependencies +FAIL  requirements-dev\.lock is out of date .*httpx is not pinned",
        r"^V +Build, release, run +FAIL  the Procfile has no release step.*; fix: add `release: ",
        r"^X +Dev/prod parity +FAIL  DEBUG is on",
        r"^III +Config +WARN  SECRET_KEY set both in the environment and in \.env",
        r"^VI +Processes +WARN  SQLite with WEB_CONCURRENCY=2",
        r"^XI +Logs +WARN  LOG_FORMAT=console but stdout is not a terminal",
    ):
        assert re.search(expected, text.stdout, re.MULTILINE), f"{expected}\n{output}"
    assert SECRET_KEY not in output
    assert DOTENV_KEY not in output

    machine = twelvefactor(deployed, broken, env, "--json")
    assert machine.returncode == 1, machine.stdout + machine.stderr
    found = statuses(machine)
    failed = {check for check, status in found.items() if status == "fail"}
    assert failed == {"requirements", "requirements-dev", "release", "debug"}, found
