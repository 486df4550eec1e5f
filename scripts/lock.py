"""Regenerate each framework overlay's lock files from its pyproject.toml.

Renders the template for each framework, resolves the dependencies with uv for
every supported Python (3.11 and up, any platform), and writes
`requirements.lock` and `requirements-dev.lock` back into the overlay. Needs
network access to the package index; rendering a project never does.

    python scripts/lock.py [flask] [django]
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

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


def lock(framework: str) -> None:
    """Write fresh lock files into one framework's overlay."""
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
        for name in ("requirements.lock", "requirements-dev.lock"):
            text = (project / name).read_text()
            text = text.replace(PROBE.replace("_", "-"), DISTRIBUTION_NAME)
            (OVERLAYS / f"_{framework}" / name).write_text(text)
            print(f"wrote _{framework}/{name}")


if __name__ == "__main__":
    for framework in sys.argv[1:] or ["flask", "django"]:
        lock(framework)
