"""The project's own files, as the twelve-factor audit reads them (`audit.py`).

The lock files against pyproject.toml, `.env`, `.gitignore` and the Procfile.
"""

import re
import tomllib
from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path

from dotenv import dotenv_values
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# A lock file line that pins a package: `name==version`, maybe with a marker.
PIN = re.compile(r"^([\w.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def lock_problems(root: Path, lock: str, groups: Iterable[str]) -> list[str]:
    """Return how an existing lock file disagrees with pyproject.toml."""
    try:
        pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        return [f"pyproject.toml cannot be read ({type(error).__name__})"]
    declared = list(pyproject.get("project", {}).get("dependencies", []))
    for group in groups:
        # Only plain requirements: `{include-group = ...}` tables are not followed.
        items = pyproject.get("dependency-groups", {}).get(group, [])
        declared += [item for item in items if isinstance(item, str)]
    pins: dict[str, list[str]] = {}
    for name, version in PIN.findall((root / lock).read_text()):
        pins.setdefault(canonicalize_name(name), []).append(version)
    problems = []
    for line in declared:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            problems.append(f"pyproject.toml declares an invalid requirement {line!r}")
            continue
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name} is not pinned")
        problems += [
            f"{requirement.name}=={version} is outside {requirement.specifier}"
            for version in pins.get(name, [])
            if not requirement.specifier.contains(version, prereleases=True)
        ]
    return problems


def dotenv(root: Path) -> dict[str, str]:
    """Return the settings written in the project's `.env`, by variable name."""
    path = root / ".env"
    values = dotenv_values(path, encoding="utf-8") if path.is_file() else {}
    # Upper-case names only, as the settings read them; empty is unset.
    return {name: value for name, value in values.items() if value and name.isupper()}


def is_git_ignored(root: Path, name: str) -> bool:
    """Return whether the top-level .gitignore ignores a file at the root."""
    gitignore = root / ".gitignore"
    ignored = False
    for line in gitignore.read_text().splitlines() if gitignore.is_file() else []:
        pattern = line.strip()
        if pattern and not pattern.startswith("#"):
            # As in git, the last pattern that matches decides.
            bare = pattern.removeprefix("!").removeprefix("/").removeprefix("**/")
            if fnmatch(name, bare):
                ignored = not pattern.startswith("!")
    return ignored


def procfile(root: Path) -> dict[str, str] | None:
    """Return the Procfile's process types and commands, or None without one."""
    path = root / "Procfile"
    if not path.is_file():
        return None
    processes = {}
    for line in path.read_text().splitlines():
        name, colon, command = line.partition(":")
        if colon and not name.lstrip().startswith("#"):
            processes[name.strip()] = command.strip()
    return processes
