"""Check the template input as soon as it is known, before anything is written.

cookiecutter loads this module (see `_extensions` in cookiecutter.json) and renders
`__input_check` after every answer is in. A failed check stops cookiecutter with the
hook's message and no traceback; the checks themselves live in
`hooks/pre_gen_project.py`, which runs them again as the pre-generation hook.
"""

import importlib.util
from pathlib import Path

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

_spec = importlib.util.spec_from_file_location(
    "pre_gen_project", Path(__file__).parent / "hooks" / "pre_gen_project.py"
)
pre_gen_project = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pre_gen_project)


def check_input(context: dict) -> str:
    """Return "ok", or stop cookiecutter with every problem named."""
    if found := pre_gen_project.problems(dict(context)):
        raise FailedHookException(pre_gen_project.message(found))
    return "ok"


class InputCheck(Extension):
    """Provide the `twelve_check_input` filter."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["twelve_check_input"] = check_input
