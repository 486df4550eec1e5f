"""Check the template input as soon as it is known, and keep the person's input literal.

cookiecutter loads this module (see `_extensions` in cookiecutter.json) and renders
`__input_check` after every answer is in. A failed check stops cookiecutter with the
hook's message and no traceback; the checks themselves live in
`hooks/pre_gen_project.py`, which runs them again as the pre-generation hook.

cookiecutter renders every value of its context as a Jinja template, the person's
(`key=value`, extra_context, a user config) as well as cookiecutter.json's, and offers
no public way to tell which one it is rendering. What it does document is the order:
each value of cookiecutter.json is rendered with the values before it in `cookiecutter`,
and file and folder names (rendered from strings, folders below the top one as absolute
paths) and hooks with all of them. So the extension uses Jinja's public `preprocess`
hook: file contents, rendered with a template name, are the template's; a nameless
source that is one of the template's own (a value of cookiecutter.json, a path of the
template tree, a hook's text) renders as a template only where the template renders
it, and as itself anywhere else; any other nameless source with a Jinja tag in it is
the person's and renders as itself.
"""

import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

HERE = Path(__file__).parent
TEMPLATE = HERE / "{{cookiecutter.project_slug}}"
_spec = importlib.util.spec_from_file_location(
    "pre_gen_project", HERE / "hooks" / "pre_gen_project.py"
)
pre_gen_project = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pre_gen_project)

DEFAULTS = json.loads((HERE / "cookiecutter.json").read_text(encoding="utf-8"))
# What starts a Jinja tag; a source without any renders as itself.
OPENERS = ("{{", "{%", "{#")


def check_input(context: dict) -> str:
    """Return "ok", or stop cookiecutter with every problem named."""
    if found := pre_gen_project.problems(dict(context)):
        raise FailedHookException(pre_gen_project.message(found))
    return "ok"


def strings(value: object) -> Iterator[str]:
    """Yield every string in a cookiecutter.json value, keys of nested objects included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)


def own_sources() -> dict[str, set[str]]:
    """Map each of the template's own nameless sources to the conditions it renders under.

    Read from the files each time an environment is made, not once per process: cruft
    renders two commits of one checkout in the same process.
    """
    defaults = json.loads((HERE / "cookiecutter.json").read_text(encoding="utf-8"))
    names = list(defaults)
    when: dict[str, set[str]] = {}
    for index, value in enumerate(defaults.values()):
        # A value is rendered when the variables before it, and no others, are known;
        # the strings of a choice or a dictionary are the template's wherever they are.
        place = f"(cookiecutter | list) == {json.dumps(names[:index])}"
        for text in strings(value):
            when.setdefault(text, set()).add(place if text == value else "true")
    everything = f"(cookiecutter | length) >= {len(names)}"
    hooks = {hook.read_text(encoding="utf-8") for hook in (HERE / "hooks").glob("*.py")}
    paths = {TEMPLATE.name} | {str(path.relative_to(TEMPLATE)) for path in TEMPLATE.rglob("*")}
    for text in hooks | {path for path in paths if has_tag(path)}:
        when.setdefault(text, set()).add(everything)
    return when


def has_tag(source: str) -> bool:
    """Say whether source holds a Jinja tag opener."""
    return any(opener in source for opener in OPENERS)


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
    template's own Jinja (cookiecutter.json's values, hooks, file names, files) is untouched.
    """

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["twelve_check_input"] = check_input
        # Non-ASCII text as itself, not as \u escapes: an emoji would otherwise become a
        # surrogate pair of escapes, which TOML (pyproject.toml) does not accept.
        environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
        self.when = own_sources()

    def conditions(self, source: str) -> set[str]:
        """Return when a nameless source is the template's own; empty if never."""
        if source in self.when:
            return self.when[source]
        path = os.path.normpath(source)
        if path in self.when:
            return self.when[path]
        # A folder below the top one: the project's folder, then the template's path.
        if os.path.isabs(path):
            for own, conditions in self.when.items():
                if path.endswith(os.sep + own):
                    return conditions
        return set()

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is not None or not has_tag(source):
            return source
        if not (conditions := self.conditions(source)):
            return literal(source)
        if "true" in conditions:
            return source
        test = " or ".join(sorted(conditions))
        return f"{{% if {test} %}}{source}{{% else %}}{literal(source)}{{% endif %}}"
