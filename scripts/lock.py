"""Regenerate each framework overlay's lock files from its pyproject.toml.

Renders the template for each framework, with and without the worker, resolves
the dependencies with uv for every supported Python (3.11 and up, any platform),
and writes `requirements.lock` and `requirements-dev.lock` back into the overlay.
Packages only the worker needs are wrapped in `{% if cookiecutter.worker %}`
blocks. Needs network access to the package index; rendering a project never does.

    python scripts/lock.py [flask] [django]
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jinja2
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
OVERLAYS = ROOT / "{{cookiecutter.project_slug}}"
PROBE = "twelve_lock_probe"
# uv writes the project's name normalized, with hyphens.
DISTRIBUTION_NAME = "{{ cookiecutter.project_slug | replace('_', '-') }}"
COMPILE = [
    "uv",
    "pip",
    "compile",
    "--quiet",
    "pyproject.toml",
    "--universal",
    "--generate-hashes",
    "--python-version",
    "3.11",
]


def compile_locks(framework: str, worker: bool) -> dict[str, str]:
    """Return the lock files' text for one framework and worker choice."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(
            cookiecutter(
                str(ROOT),
                no_input=True,
                output_dir=tmp,
                extra_context={
                    "project_slug": PROBE,
                    "framework": framework,
                    "python_version": "3.11",
                    "worker": worker,
                },
            )
        )
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        run = dict(cwd=project, env=env, check=True)
        subprocess.run([*COMPILE, "-o", "requirements.lock"], **run)
        subprocess.run(
            [*COMPILE, "--group", "dev", "-c", "requirements.lock", "-o", "requirements-dev.lock"],
            **run,
        )
        return {
            name: (project / name).read_text().replace(PROBE.replace("_", "-"), DISTRIBUTION_NAME)
            for name in ("requirements.lock", "requirements-dev.lock")
        }


def blocks(text: str) -> tuple[str, dict[str, str]]:
    """Split a lock file into its header and one block of lines per package."""
    header, *entries = re.split(r"\n(?=[a-z0-9])", text.rstrip("\n"))
    return header, {entry.split("==", 1)[0]: entry for entry in entries}


def merge(with_worker: str, without: str) -> str:
    """Return one lock file that renders as either, by `cookiecutter.worker`."""
    header, on = blocks(with_worker)
    _, off = blocks(without)
    lines = [header]
    for name in sorted(on.keys() | off.keys()):
        if on.get(name) == off.get(name):
            lines.append(on[name])
            continue
        lines.append("{%- if cookiecutter.worker %}")
        if name in on:
            lines.append(on[name])
        if name in off:
            lines.append("{%- else %}")
            lines.append(off[name])
        lines.append("{%- endif %}")
    return "\n".join(lines) + "\n"


def lock(framework: str) -> None:
    """Write fresh lock files into one framework's overlay."""
    on, off = compile_locks(framework, True), compile_locks(framework, False)
    for name in on:
        merged = merge(on[name], off[name])
        for worker, expected in ((True, on[name]), (False, off[name])):
            rendered = jinja2.Template(merged, keep_trailing_newline=True).render(
                cookiecutter={"worker": worker, "project_slug": PROBE}
            )
            assert rendered == jinja2.Template(expected, keep_trailing_newline=True).render(
                cookiecutter={"project_slug": PROBE}
            ), f"{framework} {name}: the merged lock does not render back (worker={worker})"
        (OVERLAYS / f"_{framework}" / name).write_text(merged)
        print(f"wrote _{framework}/{name}")


if __name__ == "__main__":
    for framework in sys.argv[1:] or ["flask", "django"]:
        lock(framework)
