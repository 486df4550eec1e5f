"""Bad template input is refused with a clear message and leaves nothing behind.

The command line is run as a person would; cookiecutter's API, as cruft and other
tools call it, through pytest-cookies' `cookies` fixture (its own cookiecutter user
config, so a developer's ~/.cookiecutterrc cannot change what is rendered).
"""

import subprocess

import pytest
from cookiecutter.exceptions import FailedHookException

from conftest import BIN, ROOT, SLUG
from local_extensions import check_input

BAD_INPUTS = {
    "empty-name": ({"project_name": "   "}, "project_name is empty"),
    "leading-digit": ({"project_slug": "3d_printer"}, "'3d_printer' is not a valid package"),
    "dash": ({"project_slug": "my-service"}, "'my-service' is not a valid package"),
    "uppercase": ({"project_slug": "MyService"}, "'MyService' is not a valid package"),
    "non-ascii": ({"project_slug": "café"}, "'café' is not a valid package"),
    "empty-slug": ({"project_slug": ""}, "'' is not a valid package"),
    "too-long": ({"project_slug": "s" * 33}, "longer than 32 characters"),
    "keyword": ({"project_slug": "class"}, "'class' is reserved"),
    "stdlib": ({"project_slug": "logging"}, "'logging' is reserved"),
    "framework-name": ({"project_slug": "django"}, "'django' is reserved"),
    "flask-name": ({"project_slug": "flask"}, "'flask' is reserved"),
    "test": ({"project_slug": "test"}, "'test' is reserved"),
    "dependency": ({"project_slug": "gunicorn"}, "'gunicorn' is reserved"),
    "dependency-of-dependency": ({"project_slug": "markupsafe"}, "'markupsafe' is reserved"),
    "removed-from-stdlib": ({"project_slug": "distutils"}, "'distutils' is reserved"),
    "template-syntax": ({"project_name": "My {{ Service }}"}, "project_name contains template"),
    # cookiecutter would run these as Jinja: a traceback, a value computed, a value gone.
    "jinja-error": ({"project_name": "0{{0"}, "project_name contains template syntax"),
    "jinja-expression": ({"author_name": "{{ 7*7 }}"}, "author_name contains template syntax"),
    "jinja-comment": ({"description": "{##}"}, "description contains template syntax"),
    "newline": ({"description": "one\ntwo"}, "description contains a control character"),
    "delete": ({"author_name": "Ann\x7f"}, "author_name contains a control character"),
    "c1-control": ({"project_name": "My\x85Service"}, "project_name contains a control"),
    # Bytes that are not UTF-8 on the command line reach Python as lone surrogates.
    "not-utf-8": ({"description": "Caf\udce9"}, "description is not valid Unicode"),
}


def render(tmp_path, context: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the cookiecutter command line as a person would."""
    options = [f"{key}={value}" for key, value in context.items()]
    return subprocess.run(
        [BIN / "cookiecutter", "--no-input", str(ROOT), "-o", tmp_path, *options],
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(("context", "expected"), BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_hook_rejects_bad_input(tmp_path, context, expected):
    """It exits non-zero, says what is wrong in one line, and writes no project."""
    result = render(tmp_path, context)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"framework": "pyramid"}, "pyramid provided for choice variable framework"),
        ({"python_version": "3.9"}, "3.9 provided for choice variable python_version"),
    ],
    ids=["framework", "python"],
)
def test_choices_reject_unsupported_values(tmp_path, context, expected):
    """Choice variables are checked by cookiecutter itself, before anything is written.

    Its message is clear but comes with cookiecutter's own traceback; the checks in
    the pre-gen hook cover the same values for contexts that bypass the choices.
    """
    result = render(tmp_path, context)
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"framework": "pyramid"}, "framework 'pyramid' is not supported"),
        ({"python_version": "3.9"}, "python_version '3.9' is not supported"),
    ],
    ids=["framework", "python"],
)
def test_hook_checks_choices_too(change, expected):
    """The shared check refuses unsupported choices that reach it another way."""
    context = {
        "project_name": "x",
        "project_slug": "x",
        "description": "",
        "author_name": "",
        "framework": "flask",
        "python_version": "3.12",
    }
    with pytest.raises(FailedHookException, match=expected):
        check_input({**context, **change})


def test_hook_names_every_problem_at_once(tmp_path):
    """Several bad values are reported together, one line each."""
    result = render(tmp_path, {"project_slug": "import", "project_name": "", "author_name": "a\tb"})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    problems = [line for line in output.splitlines() if line.startswith("  - ")]
    assert len(problems) == 3, output
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("context", "expected"), BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_api_rejects_bad_input(cookies, context, expected):
    """Through cookiecutter's API the same check raises FailedHookException, same message."""
    result = cookies.bake(extra_context=context, template=str(ROOT))
    assert result.exit_code == -1
    assert isinstance(result.exception, FailedHookException)
    assert expected in str(result.exception)
    assert result.project_path is None


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Café Übersicht", "cafe_ubersicht"),
        ("billing-API v2", "billing_api_v2"),
        ("  Spaced   Out  ", "spaced_out"),
    ],
)
def test_hook_derives_a_valid_slug_from_any_name(cookies, name, slug):
    """Names with accents, punctuation and spaces still give a valid package name."""
    result = cookies.bake(extra_context={"project_name": name}, template=str(ROOT))
    assert result.exit_code == 0, result.exception
    assert result.project_path.name == slug
    assert (result.project_path / slug / "config.py").is_file()


def test_hook_default_slug(cookies):
    """The default name renders the documented slug."""
    result = cookies.bake(template=str(ROOT))
    assert result.exit_code == 0, result.exception
    assert result.project_path.name == SLUG
