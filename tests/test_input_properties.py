"""Any template input renders a clean project, or is refused with one clear message.

Property-based tests (hypothesis) over project names and slugs (unicode, spaces,
punctuation, leading digits, very long, reserved words, empty, template syntax), and over
descriptions and author names, for both frameworks with and without the worker. Each
input either renders a project that passes `ruff check` and `ruff format --check` with
its own configuration, compiles, and has a valid pyproject.toml holding the text as given,
or cookiecutter stops with the input check's message, no traceback and no output folder.
Whether an input is refused is checked against a plain statement of the rules below.
A few inputs of each framework are also imported in a virtualenv made from the lock,
and a few go through the real `cookiecutter` command line.

The runs are derandomized, so CI tries the same cases each time; the number of cases each
property tried is printed among the figures. TWELVE_HYPOTHESIS_SCALE=10 tries ten times
as many, with a random seed, for a longer local search.
"""

import json
import keyword
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
import unicodedata
import warnings
from collections import Counter
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from slugify import slugify

from conftest import (
    BIN,
    FRAMEWORKS,
    ROOT,
    SECRET_KEY,
    SLUG,
    bake,
    find_python,
    run,
    shared_deployment,
)
from local_extensions import DEFAULTS, pre_gen_project

MAX = pre_gen_project.MAX_SLUG_LENGTH
RESERVED = pre_gen_project.TAKEN | pre_gen_project.STDLIB | set(keyword.kwlist)
SCALE = int(os.environ.get("TWELVE_HYPOTHESIS_SCALE", "1"))
HEADER = "twelve cannot render this project:"


def budget(examples: int) -> settings:
    """Settings for a property: repeatable in CI, bigger and random when scaled up."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=SCALE == 1,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# Pieces that have broken, or could break, a rendered project: reserved words, markup,
# quotes, template syntax, line breaks, control characters, surrogates, wide characters.
FRAGMENTS = [
    "",
    " ",
    "My Service",
    "  Spaced   Out  ",
    "3d printer",
    "billing-API v2",
    "Café Übersicht",
    "日本語のサービス",
    "Служба",
    "😀",
    "🐍 Snake",
    "ß",
    "ǅ",
    "İ",
    "ﬁ",
    "—",
    "class",
    "Import",
    "None",
    "test",
    "Django",
    "redis",
    "click",
    "logging",
    "site",
    "app",
    "'",
    '"',
    "\\",
    "\\u00e9",
    "<b>",
    "&amp;",
    "$HOME",
    "`id`",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{{ 7*7 }}",
    "0{{0",
    "{##}",
    "{% raw %}",
    "{% endraw %}",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x7f",
    "\x85",
    "\u2028",
    "\u200b",
    "\u202e",
    "\ud800",
    "\udcff",
]
ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates included
pieces = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(ANY_CHARACTER, max_size=6),
    # Controls, surrogates, line and paragraph separators, format characters.
    st.characters(categories=["Cc", "Cs", "Zl", "Zp", "Cf"]),
)
free_text = st.one_of(
    st.lists(pieces, max_size=5).map("".join),
    st.text(ANY_CHARACTER, max_size=30),
    # Mostly text the check accepts: of any script, with symbols, marks and emoji.
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=90, max_size=300),
)
slugs = st.one_of(
    st.none(),  # derived from the name
    st.from_regex(rf"[a-z][a-z0-9_]{{0,{MAX - 1}}}", fullmatch=True),
    st.sampled_from(sorted(name for name in RESERVED if re.fullmatch("[a-z][a-z0-9_]*", name))),
    st.sampled_from(["a" * MAX, "b" * (MAX + 1), "a" + "_" * (MAX - 1), "x1_" * 20]),
    st.from_regex(r"[a-zA-Z0-9_\-. é]{0,40}", fullmatch=True),
    st.text(ANY_CHARACTER, max_size=12),
)
frameworks = st.sampled_from(FRAMEWORKS)
workers = st.sampled_from(["yes", "no"])
versions = st.sampled_from(["3.11", "3.12", "3.13"])


def problems(context: dict[str, str]) -> list[str]:
    """The rules, stated plainly: what the input check must refuse, nothing else."""
    found = []
    slug = context.get("project_slug", slugify(context["project_name"], separator="_"))
    if not context["project_name"].strip():
        found.append("empty name")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", slug) or len(slug) > MAX or slug in RESERVED:
        found.append(f"slug {slug!r}")
    for key in ("project_name", "description", "author_name"):
        text = context.get(key, "text")
        if any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
            found.append(f"{key}: a control character or a surrogate")
        if any(tag in text for tag in ("{{", "{%", "{#", "}}", "%}", "#}")):
            found.append(f"{key}: template syntax")
    return found


# Text the input check accepts: wide, quoted and marked-up, never a control character.
accepted_text = st.lists(
    st.sampled_from(
        [
            piece
            for piece in FRAGMENTS
            if piece and not problems({"project_name": piece, "project_slug": "ok"})
        ]
    ),
    min_size=1,
    max_size=4,
).map(" ".join)
accepted_slugs = st.from_regex(rf"[a-z][a-z0-9_]{{0,{MAX - 1}}}", fullmatch=True).filter(
    lambda slug: slug not in RESERVED
)


def attempt(context: dict[str, str], work: Path) -> Path | None:
    """Render in-process; return the project, or None when the input check refused it."""
    out = Path(tempfile.mkdtemp(dir=work))
    try:
        project = bake(out, **context)
    except FailedHookException as refusal:
        lines = str(refusal).splitlines()
        assert lines[0] == HEADER
        assert len(lines) > 1
        assert all(line.startswith("  - ") for line in lines[1:]), lines
        assert list(out.iterdir()) == []
        shutil.rmtree(out)
        return None
    assert [path.name for path in out.iterdir()] == [project.name]
    return project


def check_clean(project: Path, context: dict[str, str]) -> None:
    """The project passes ruff, compiles, and carries the text exactly as given."""
    for args in (["check", "--no-cache", "."], ["format", "--no-cache", "--check", "."]):
        result = subprocess.run([BIN / "ruff", *args], cwd=project, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path in project.rglob("*.py"):
            compile(path.read_bytes(), str(path), "exec")
    slug = context.get("project_slug", slugify(context["project_name"], separator="_"))
    assert project.name == slug
    assert (project / slug / "__init__.py").is_file()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == slug
    assert pyproject["project"]["description"] == context["description"]
    assert pyproject["project"]["authors"] == [{"name": context["author_name"]}]
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert readme.split("\n", 1)[0] == f"# {context['project_name']}"
    pages = "".join(path.read_text(encoding="utf-8") for path in project.rglob("*.html"))
    for key in ("project_name", "description"):
        assert str(escape(context[key])) in pages


def record(figures: dict, name: str, counts: Counter) -> None:
    figures[f"input property, {name}: cases tried"] = (
        f"{counts['rendered'] + counts['refused']}"
        f" ({counts['rendered']} rendered, {counts['refused']} refused)"
    )


def test_any_name_and_slug_renders_clean_or_is_refused(tmp_path_factory, figures):
    """Names and slugs of every kind: a clean project, or the check's message and no files."""
    work = tmp_path_factory.mktemp("names")
    counts = Counter()

    @budget(200)
    @given(name=free_text, slug=slugs, framework=frameworks, worker=workers, version=versions)
    # The longest slug, for each framework and worker choice: every line must still fit.
    @example(name="Longest", slug="w" * MAX, framework="flask", worker="yes", version="3.12")
    @example(name="Longest", slug="w" * MAX, framework="flask", worker="no", version="3.11")
    @example(name="Longest", slug="w" * MAX, framework="django", worker="yes", version="3.13")
    @example(name="Longest", slug="w" * MAX, framework="django", worker="no", version="3.12")
    @example(name="Emoji 😀", slug=None, framework="django", worker="yes", version="3.12")
    @example(name="A long name, " * 9, slug="long", framework="django", worker="no", version="3.12")
    @example(name="", slug=None, framework="flask", worker="yes", version="3.12")
    @example(name="Redis", slug=None, framework="flask", worker="yes", version="3.12")
    def check(name, slug, framework, worker, version):
        context = {
            "project_name": name,
            "framework": framework,
            "worker": worker,
            "python_version": version,
        }
        if slug is not None:
            context["project_slug"] = slug
        project = attempt(context, work)
        assert (project is None) == bool(problems(context)), problems(context)
        if project is not None:
            defaults = {key: DEFAULTS[key] for key in ("description", "author_name")}
            check_clean(project, {**defaults, **context})
            shutil.rmtree(project.parent)
        counts["rendered" if project else "refused"] += 1

    check()
    record(figures, "names and slugs", counts)
    assert counts["rendered"] >= 20 and counts["refused"] >= 20, counts


def test_any_description_and_author_renders_clean_or_is_refused(tmp_path_factory, figures):
    """Free text of every kind in the description and author name, the name included."""
    work = tmp_path_factory.mktemp("free-text")
    counts = Counter()

    @budget(150)
    @given(
        name=st.one_of(st.sampled_from(["My Service", "Émoji 😀 «Service»", "x"]), free_text),
        description=st.one_of(accepted_text, free_text),
        author=st.one_of(accepted_text, free_text),
        framework=frameworks,
        worker=workers,
    )
    @example(
        name="Q", description='😀 "quoted" \\ <b>&', author="Zoë 🐍", framework="flask", worker="no"
    )
    @example(name="Q", description="{##}", author="{{ 7*7 }}", framework="django", worker="no")
    @example(name="Q", description="a\u2028b", author="\x85", framework="django", worker="yes")
    @example(name="Q", description="Caf\udce9", author="", framework="flask", worker="yes")
    def check(name, description, author, framework, worker):
        context = {
            "project_name": name,
            "description": description,
            "author_name": author,
            "framework": framework,
            "worker": worker,
        }
        project = attempt(context, work)
        assert (project is None) == bool(problems(context)), problems(context)
        if project is not None:
            check_clean(project, context)
            shutil.rmtree(project.parent)
        counts["rendered" if project else "refused"] += 1

    check()
    record(figures, "descriptions and authors", counts)
    assert counts["rendered"] >= 15 and counts["refused"] >= 15, counts


def cli(out: Path, context: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the cookiecutter command line with key=value arguments, as a person would."""
    options = [os.fsencode(f"{key}={value}") for key, value in context.items()]
    return subprocess.run(
        [BIN / "cookiecutter", "--no-input", str(ROOT), "-o", out, *options],
        capture_output=True,
        timeout=60,
    )


def on_command_line(text: str) -> bool:
    """Whether text can be a command-line argument: no NUL, and encodable as bytes."""
    try:
        return b"\0" not in os.fsencode(text)
    except UnicodeEncodeError:
        return False


def test_command_line_renders_or_refuses_cleanly(tmp_path_factory, figures):
    """The real command line: exit status, no traceback, nothing left after a refusal."""
    work = tmp_path_factory.mktemp("cli")
    counts = Counter()
    arguments = free_text.filter(on_command_line)

    @budget(5)
    @given(name=arguments, description=arguments, framework=frameworks, worker=workers)
    # Values cookiecutter would otherwise run as Jinja: a traceback, a dump of the
    # context, a value gone, a value computed.
    @example(name="0{{0", description="", framework="flask", worker="no")
    @example(name="{{ y }}", description="", framework="django", worker="no")
    @example(name="Fine", description="{##}", framework="flask", worker="yes")
    @example(name="{{ 7*7 }}", description="", framework="django", worker="yes")
    @example(name="a{% endraw %}{{", description="", framework="flask", worker="no")
    # Bytes that are not UTF-8 reach Python as lone surrogates.
    @example(name="Caf\udce9", description="", framework="flask", worker="no")
    @example(name="Émoji 😀", description="🐍 «quoted» \\", framework="django", worker="no")
    def check(name, description, framework, worker):
        context = {
            "project_name": name,
            "description": description,
            "framework": framework,
            "worker": worker,
        }
        out = Path(tempfile.mkdtemp(dir=work))
        result = cli(out, context)
        output = (result.stdout + result.stderr).decode("utf-8", "replace")
        assert "Traceback" not in output
        if problems(context):
            assert result.returncode != 0, output
            assert HEADER in output
            assert list(out.iterdir()) == []
            counts["refused"] += 1
        else:
            assert result.returncode == 0, output
            (project,) = out.iterdir()
            pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
            assert pyproject["project"]["description"] == description
            counts["rendered"] += 1
        shutil.rmtree(out)

    check()
    record(figures, "command line", counts)
    assert counts["rendered"] >= 1 and counts["refused"] >= 6, counts


@pytest.fixture(scope="session")
def lock_venvs(shared_tmp) -> dict[str, Path]:
    """Per framework, a virtualenv with the default project's dev lock (worker included).

    The run's shared deployment of the default project is that: its virtualenv, beside
    `baked/<slug>`, the project it was installed from.
    """
    venvs = {}
    for framework in FRAMEWORKS:
        deployment = shared_deployment(shared_tmp, framework)
        assert (deployment.path / SLUG / "worker.py").is_file(), "the default has no worker"
        venvs[framework] = deployment.venv
    return venvs


# Imports every module of the package, the project's root scripts and its test modules
# (their top level only); Django after its setup, Flask by making the app too.
IMPORT_ALL = """
import importlib, os, pathlib, pkgutil, runpy, sys
slug, framework = sys.argv[1:]
sys.path[:0] = [os.getcwd(), os.path.join(os.getcwd(), "tests")]
if framework == "django":
    os.environ["DJANGO_SETTINGS_MODULE"] = f"{slug}.settings"
    import django
    django.setup()
package = importlib.import_module(slug)
modules = [m.name for m in pkgutil.walk_packages(package.__path__, f"{slug}.")]
for name in modules:
    importlib.import_module(name)
if framework == "flask":
    importlib.import_module(f"{slug}.app").create_app()
scripts = ["gunicorn.conf.py", *(["manage.py"] if framework == "django" else [])]
scripts += sorted(str(path) for path in pathlib.Path("tests").glob("*.py"))
for script in scripts:
    runpy.run_path(script, run_name="imported")
print(len(modules) + len(scripts))
"""


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_accepted_input_renders_a_project_that_imports(
    framework, lock_venvs, tmp_path_factory, figures
):
    """Some accepted inputs per framework: every module imports, the app is made."""
    work = tmp_path_factory.mktemp(f"imports-{framework}")
    counts = Counter()

    @budget(2)
    @given(name=accepted_text, slug=accepted_slugs, description=accepted_text, worker=workers)
    @example(name="Émoji 😀 «Service»", slug="i" * MAX, description='"\\"', worker="yes")
    def check(name, slug, description, worker):
        context = {
            "project_name": name,
            "project_slug": slug,
            "description": description,
            "author_name": description,
            "framework": framework,
            "worker": worker,
        }
        project = attempt(context, work)
        assert project is not None, problems(context)
        venv = lock_venvs[framework]
        env = {
            "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(project),
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"sqlite:///{project / 'import.sqlite3'}",
            "DEBUG": "true",
        }
        python = venv / "bin" / "python"
        result = subprocess.run(
            [python, "-c", IMPORT_ALL, slug, framework],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert int(result.stdout.split()[-1]) > 10, result.stdout
        if framework == "django":
            # The project's own test that its home page shows the name, whatever it is.
            page = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            page += ["visits/tests/test_views.py", "-k", "names_the_service"]
            result = subprocess.run(
                page, cwd=project, env=env, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, result.stdout + result.stderr
            assert "1 passed" in result.stdout, result.stdout
        shutil.rmtree(project.parent)
        counts["imported"] += 1

    check()
    figures[f"input property, imports ({framework}): cases tried"] = counts["imported"]
    assert counts["imported"] >= 2, counts


# Locked packages this platform does not install (their markers exclude it), with the
# names they are imported by.
NOT_INSTALLED_HERE = {
    "async-timeout": ["async_timeout"],  # Python < 3.11.3
    "colorama": ["colorama"],  # Windows
    "tzdata": ["tzdata"],  # Windows
}
# Each installed distribution's normalized name, with its top-level import names.
TOP_LEVEL = """
import collections, importlib.metadata, json, re
names = collections.defaultdict(list)
for top, dists in importlib.metadata.packages_distributions().items():
    for dist in dists:
        names[re.sub(r"[-_.]+", "-", dist).lower()].append(top)
print(json.dumps(names))
"""


def test_every_dependency_import_name_is_reserved(lock_venvs):
    """The hook's DEPENDENCIES are exactly the import names of every locked package.

    Each framework's dev lock (worker included: a superset of every other lock) is
    installed; each installed package's top-level names are read from its metadata.
    """
    expected = set()
    for framework, venv in lock_venvs.items():
        result = run([venv / "bin" / "python", "-c", TOP_LEVEL], cwd=venv)
        installed = json.loads(result.stdout)
        project = venv.parent / "baked" / "my_service"
        locked = set()
        for lock in ("requirements.lock", "requirements-dev.lock"):
            text = (project / lock).read_text()
            locked |= set(re.findall(r"^([a-z0-9][a-z0-9._-]*)==", text, flags=re.MULTILINE))
        missing = locked - installed.keys()
        assert missing <= NOT_INSTALLED_HERE.keys(), f"{framework}: name the imports of {missing}"
        for package in locked:
            expected |= set(installed.get(package) or NOT_INSTALLED_HERE[package])
    expected = {name for name in expected if re.fullmatch("[a-z][a-z0-9_]*", name)}
    assert sorted(expected - pre_gen_project.DEPENDENCIES) == [], "missing from DEPENDENCIES"
    assert sorted(pre_gen_project.DEPENDENCIES - expected) == [], "no longer locked"


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_reserved_standard_library_does_not_depend_on_the_running_python(version):
    """Every supported Python's standard library modules are refused as slugs."""
    python = find_python(version)
    code = "import json, sys; print(json.dumps(sorted(sys.stdlib_module_names)))"
    names = json.loads(run([python, "-c", code], cwd=ROOT).stdout)
    public = {name for name in names if re.fullmatch("[a-z][a-z0-9_]*", name)}
    assert sorted(public - pre_gen_project.STDLIB) == []
