"""Each generated `docs/twelve-factor.md` names real files and its exercises work as written.

The test reads the doc by these conventions, which the doc's authors follow:

- Files are named with relative Markdown links, `[gunicorn.conf.py](../gunicorn.conf.py)`;
  each target must exist in the rendered project (a folder if it ends with `/`).
- Every fenced ```sh block is an exercise. It runs as ONE `sh -e` script, blocks in the
  order of the doc, in a copy of the deployed project that has the generator's `.env` and
  the virtualenv's `bin` first on PATH (as after `make install` and activating `.venv`),
  and must exit 0.
- An HTML comment on the line right before a block changes that: `<!-- exit N -->` expects
  exit status N (an exercise that shows a failure); `<!-- not run: reason -->` skips the
  block (it needs Docker, PostgreSQL, the package index, or is setup for people only).
- Ports 8000 and 8001 in a block become free ports, and PORT is set to the first (the
  default the web process binds), so the exercises collide with nothing else listening.
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import FRAMEWORKS, SLUG, free_port

DOC = Path("docs") / "twelve-factor.md"
FACTORS = [
    "I. Codebase",
    "II. Dependencies",
    "III. Config",
    "IV. Backing services",
    "V. Build, release, run",
    "VI. Processes",
    "VII. Port binding",
    "VIII. Concurrency",
    "IX. Disposability",
    "X. Dev/prod parity",
    "XI. Logs",
    "XII. Admin processes",
]
BLOCK = re.compile(r"(?:^<!-- *([^\n]*?) *-->\n)?^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")
PORTS = ("8000", "8001")
BLOCK_TIMEOUT = 180


def exercises(text: str) -> list[tuple[str, str]]:
    """Return (note, script) for each ```sh block, the note from the comment before it."""
    return [(note, body) for note, body in BLOCK.findall(text)]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_factor_map_covers_every_factor(baked, framework):
    """The doc has a section for each factor and for credentials in files."""
    text = (baked[framework] / DOC).read_text()
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert [h for h in headings if h in FACTORS] == FACTORS
    assert "_FILE" in text
    assert "requirements.lock" in text


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_factor_map_links_name_existing_files(baked, framework):
    """Every relative link in the doc points at a file or folder of the project."""
    project = baked[framework]
    doc = project / DOC
    targets = [
        target.split("#")[0]
        for target in LINK.findall(doc.read_text())
        if "://" not in target and not target.startswith("#")
    ]
    assert len(targets) >= 20
    missing = []
    for target in targets:
        path = (doc.parent / target).resolve()
        exists = path.is_dir() if target.endswith("/") else path.is_file()
        if not exists or project.resolve() not in path.parents:
            missing.append(target)
    assert missing == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_factor_map_marks_blocks_it_does_not_run(baked, framework):
    """Each comment before a block is a known convention, and skips give a reason."""
    blocks = exercises((baked[framework] / DOC).read_text())
    for note, _ in blocks:
        assert note == "" or re.fullmatch(r"exit \d+|not run: \S.*", note), note
    assert sum(not note.startswith("not run") for note, _ in blocks) >= 12


def run_block(script: str, cwd: Path, env: dict[str, str], log: Path) -> tuple[int, str]:
    """Run one exercise; kill whatever it left behind; return its status and output."""
    # Output goes to a file: a server left running would hold a pipe open.
    with open(log, "w") as output:
        process = subprocess.Popen(
            ["sh", "-ec", script],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            status = process.wait(timeout=BLOCK_TIMEOUT)
        except subprocess.TimeoutExpired:
            status = -1
        # A server the block started in the background and did not stop.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return status, log.read_text()


def test_factor_map_exercises_run_as_written(deployed, baked, tmp_path):
    """Each runnable block exits as the doc says, in a workshop-like checkout."""
    project = tmp_path / SLUG
    shutil.copytree(deployed.path, project, symlinks=True)
    shutil.copy(baked[deployed.framework] / ".env", project / ".env")
    ports = {port: str(free_port()) for port in PORTS}
    env = {
        "PATH": f"{deployed.venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PORT": ports["8000"],
    }
    failures = []
    for number, (note, script) in enumerate(exercises((project / DOC).read_text()), 1):
        if note.startswith("not run"):
            continue
        expected = int(note.removeprefix("exit ")) if note.startswith("exit ") else 0
        for port, replacement in ports.items():
            script = re.sub(rf"\b{port}\b", replacement, script)
        status, output = run_block(script, project, env, tmp_path / f"block-{number}.log")
        if status != expected:
            failures.append(
                f"block {number} exited {status} (-1: timed out), not {expected}:\n"
                f"{script}\n{output}"
            )
    assert failures == [], "\n\n".join(failures)
