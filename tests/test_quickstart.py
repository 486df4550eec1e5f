"""The README's first command renders a project and runs it on SQLite, as written."""

import os
import re
import signal
import subprocess
import time
from http.client import HTTPConnection
from pathlib import Path

from conftest import BIN, DEFAULT_PYTHON, ROOT, find_python, free_port


def readme_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    return block.group(1).strip().splitlines()


def test_readme_test_command_is_what_ci_runs():
    """The README's second command is the one `.ci/run` runs."""
    assert readme_commands()[1] == "make test"
    assert "\nmake test\n" in (ROOT / ".ci" / "run").read_text()


def test_readme_quickstart_serves_the_home_page(tmp_path):
    """Rendering with the defaults and `make run` serves / and /readyz on SQLite."""
    command = readme_commands()[0]
    assert command.startswith("pipx run cookiecutter gh:org/twelve --no-input && ")
    # Run it against this checkout rather than the published template.
    command = command.replace("pipx run cookiecutter", str(BIN / "cookiecutter"))
    command = command.replace("gh:org/twelve", str(ROOT))
    port = free_port()
    env = {
        "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PORT": str(port),
        "PYTHON": find_python(DEFAULT_PYTHON),
    }
    process = subprocess.Popen(
        ["sh", "-c", command],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        status = {}
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            try:
                for path in ("/", "/readyz"):
                    connection = HTTPConnection("127.0.0.1", port, timeout=5)
                    connection.request("GET", path)
                    status[path] = connection.getresponse().status
                    connection.close()
                break
            except OSError:
                time.sleep(0.5)
        assert status == {"/": 200, "/readyz": 200}
        assert (tmp_path / "my_service" / "db.sqlite3").is_file()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert "Traceback" not in output, output
    assert processes_in(tmp_path) == [], "a process of the project outlived `make run`"


def processes_in(directory) -> list[str]:
    """Return the command lines of the processes working in the directory or below."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")).is_relative_to(directory):
                found.append((entry / "cmdline").read_text().replace("\0", " "))
        except OSError:
            pass  # ended meanwhile, or not ours to read
    return found
