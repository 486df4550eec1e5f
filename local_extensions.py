"""Check the template input as soon as it is known, before anything is written.

cookiecutter loads this module (see `_extensions` in cookiecutter.json) and renders
`__input_check` after every answer is in. A failed check stops cookiecutter with the
hook's message and no traceback; the checks themselves live in
`hooks/pre_gen_project.py`, which runs them again as the pre-generation hook.
"""

import importlib.util
import json
import sys
from pathlib import Path

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location(
    "pre_gen_project", HERE / "hooks" / "pre_gen_project.py"
)
pre_gen_project = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pre_gen_project)

# The template's own Jinja sources among the variables, by name: cookiecutter.json's values.
DEFAULTS = json.loads((HERE / "cookiecutter.json").read_text(encoding="utf-8"))
# What starts a Jinja tag; a source without any renders as itself.
OPENERS = ("{{", "{%", "{#")


def check_input(context: dict) -> str:
    """Return "ok", or stop cookiecutter with every problem named."""
    if found := pre_gen_project.problems(dict(context)):
        raise FailedHookException(pre_gen_project.message(found))
    return "ok"


def own_sources(key: str | None) -> set[str]:
    """Return cookiecutter.json's values for the variable key (for any, if key is None)."""
    values = [DEFAULTS.get(key)] if key is not None else list(DEFAULTS.values())
    flat = [item for value in values for item in (value if isinstance(value, list) else [value])]
    return {item for item in flat if isinstance(item, str)}


def variable_being_rendered() -> tuple[bool, str | None]:
    """Say whether cookiecutter is rendering a variable's value, and which variable.

    cookiecutter renders each value of the context as a template, in
    `cookiecutter.prompt.render_variable`, whether it comes from cookiecutter.json or
    from the person (`key=value` on the command line, extra_context, a user config).
    The name comes from the loop that called it; None if it cannot be found.
    """
    frame = sys._getframe(1)
    rendering = False
    while frame is not None:
        if frame.f_globals.get("__name__") == "cookiecutter.prompt":
            if frame.f_code.co_name == "render_variable":
                rendering = True
            elif rendering and isinstance(frame.f_locals.get("key"), str):
                return True, frame.f_locals["key"]
        frame = frame.f_back
    return rendering, None


def literal(value: str) -> str:
    """Return a Jinja source that renders exactly as value: a string expression.

    Unlike `{% raw %}`, it holds any text, one containing `endraw` or a carriage
    return included (Jinja unescapes string literals with Python's unicode-escape).
    """
    escaped = value.encode("unicode-escape").decode("ascii").replace('"', "\\x22")
    return '{{ "' + escaped + '" }}'


class InputCheck(Extension):
    """Provide the `twelve_check_input` filter, and keep the person's input literal.

    Values given with `key=value` or extra_context reach Jinja as templates: `{{ 7*7 }}`
    would become 49, `{##}` nothing, and `0{{0` a traceback. Here each such value renders
    as itself, so the input check sees it and refuses it with the other problems. The
    template's own Jinja (cookiecutter.json's defaults, hooks, file names) is untouched.
    """

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["twelve_check_input"] = check_input
        # Non-ASCII text as itself, not as \u escapes: an emoji would otherwise become a
        # surrogate pair of escapes, which TOML (pyproject.toml) does not accept.
        environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is not None or not any(opener in source for opener in OPENERS):
            return source
        rendering, key = variable_being_rendered()
        if rendering and source not in own_sources(key):
            return literal(source)
        return source
