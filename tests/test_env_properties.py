"""Any environment either means exactly what the docs say, or stops with one message.

Property-based tests (hypothesis) over the config variables of docs/contract.md, for both
frameworks: each variable is missing, empty, valid, of the wrong type, out of range, a
malformed URL or one of an unknown scheme, wrapped in spaces, in another case, or unicode;
secrets may come from `<NAME>_FILE`. A few variables are broken at a time, so that valid
environments are common too.

What an environment should mean is written here from the docs (`oracle`), apart from the
project's code: the URL grammars, the spellings of a flag, how ALLOWED_HOSTS is split.

1. Many environments go through `load_settings()` in one long-lived process in the
   deployed virtualenv, in a clean `os.environ`, the way every process loads them. Each
   either gives settings with exactly the oracle's values, whose URLs the framework's own
   parsers (SQLAlchemy or dj-database-url, redis-py) read as the oracle does, or exits
   with one message naming every invalid variable and no secret. Nothing else. A list of
   notable values (among them the bugs this test once found: `sqlite:db`, `SQLITE:///x`,
   spaces, ports out of range, `redis:` without a host, `secret_key=` in lower case, an
   empty WEB_CONCURRENCY) is tried the same way, each alone in a valid environment.
2. A few go through real processes: the Procfile's `web` line and the check-config admin
   command. Web serves /healthz on the oracle's PORT, or exits non-zero with the very
   message check-config prints; check-config's exit status agrees. The one exception is
   documented: gunicorn reads WEB_CONCURRENCY itself before our settings, so a value it
   cannot take stops it with its own error, while check-config names the variable.

The runs are derandomized, so CI tries the same cases each time; the number of cases each
property tried is printed among the figures. TWELVE_HYPOTHESIS_SCALE=10 tries ten times
as many, with a random seed, for a longer local search.
"""

import ipaddress
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import SLUG, free_port, run

SCALE = int(os.environ.get("TWELVE_HYPOTHESIS_SCALE", "1"))
HEADER = re.compile(r"Configuration error: (\d+) environment variables? to fix\.")
LINE = re.compile(r"  ([A-Z_]+): (.+)")


def budget(examples: int) -> settings:
    """Settings for a property: repeatable in CI, bigger and random when scaled up."""
    return settings(
        max_examples=examples * SCALE,
        derandomize=SCALE == 1,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---------------------------------------------------------------------------------------
# The oracle: what docs/contract.md and .env.example say each variable means.
# ---------------------------------------------------------------------------------------

TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("json", "console")
SECRETS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")
# name: (lowest, highest or None, default)
NUMBERS = {
    "WORKER_HEARTBEAT_TIMEOUT": (2, 3600, 15),
    "PORT": (1, 65535, 8000),
    "WEB_CONCURRENCY": (1, 64, 2),
    "MAX_REQUEST_BYTES": (1024, None, 1_048_576),
    "SECURE_HSTS_SECONDS": (0, None, 0),
}
FLAGS = ("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")

# URL grammars. Userinfo is `user:password@`, each percent-encoded where needed: no
# unencoded @, /, ?, # (nor brackets in the user name); a host is a name or an address.
USERINFO = r"(?:(?P<user>[^:@/?#\[\]]*)(?::(?P<password>[^@/?#\[\]]*))?@)?"
HOST = r"(?P<host>[A-Za-z0-9._-]+|\[(?P<ipv6>[0-9A-Fa-f:.]+)\])(?::(?P<port>[0-9]+))?"
POSTGRES = re.compile(
    rf"(?P<scheme>postgres|postgresql)://{USERINFO}{HOST}/(?P<name>[^/?#]+)(?:\?(?P<query>[^#]*))?"
)
SQLITE = re.compile(r"sqlite:///(?P<path>[^?#%]+)")
REDIS = re.compile(rf"(?P<scheme>redis|rediss)://{USERINFO}{HOST}(?:/(?P<db>[0-9]*))?")
ALLOWED_HOST = re.compile(r"\.?[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\]")


@dataclass
class Expected:
    """What an environment means: the settings, or the names its message must give."""

    settings: dict[str, object]
    invalid: set[str]
    urls: dict[str, dict] = field(default_factory=dict)
    # gunicorn stops on WEB_CONCURRENCY with its own error, before our settings load.
    gunicorn_stops: bool = False


def is_text(value: str) -> bool:
    """Bytes that are not UTF-8 reach os.environ as lone surrogates."""
    return not any("\udc80" <= char <= "\udcff" for char in value)


def plain(value: str) -> bool:
    return all(char.isprintable() and not char.isspace() for char in value)


def number(value: str, lowest: int, highest: int | None) -> int | None:
    if not re.fullmatch(r"[0-9]+", value) or len(value) > 4000:
        return None
    amount = int(value)
    if amount < lowest or (highest is not None and amount > highest):
        return None
    return amount


def flag(value: str) -> bool | None:
    word = value.lower() if value.isascii() else value
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def port_of(match: re.Match) -> int | None | bool:
    """The URL's port, None if it has none, False if it is not one."""
    if match["port"] is None:
        return None
    port = int(match["port"])
    return port if 1 <= port <= 65535 else False


def server_parts(match: re.Match) -> dict | None:
    """The user, password, host and port of a postgres or redis URL, or None."""
    if match["ipv6"] is not None:
        try:
            ipaddress.IPv6Address(match["ipv6"])
        except ValueError:
            return None
    port = port_of(match)
    if port is False:
        return None
    return {
        "host": match["ipv6"] if match["ipv6"] is not None else match["host"],
        "port": port,
        "user": None if match["user"] is None else unquote(match["user"]),
        "password": None if match["password"] is None else unquote(match["password"]),
    }


def database_meaning(url: str) -> dict | None:
    """What DATABASE_URL names, or None if it is not a usable URL."""
    if not plain(url):
        return None
    if match := SQLITE.fullmatch(url):
        path = match["path"]
        if path.endswith("/") or path.rsplit("/", 1)[-1] in (".", ".."):
            return None
        return {"kind": "sqlite", "path": path}
    match = POSTGRES.fullmatch(url)
    if not match:
        return None
    parts = server_parts(match)
    if parts is None:
        return None
    query = {}
    if match["query"] is not None:
        pairs = [pair.partition("=") for pair in match["query"].split("&")]
        if not all(key and equals and value for key, equals, value in pairs):
            return None
        query = dict(parse_qsl(match["query"]))
        if len(query) != len(pairs):  # a name given twice
            return None
    return {"kind": "postgres", "name": unquote(match["name"]), "query": query, **parts}


def redis_meaning(url: str) -> dict | None:
    """What REDIS_URL names, or None if it is not a usable URL."""
    match = REDIS.fullmatch(url) if plain(url) else None
    parts = match and server_parts(match)
    if not parts:
        return None
    return {"db": int(match["db"]) if match["db"] else None, **parts}


def hosts(value: str) -> list[str] | None:
    names = [name.strip() for name in value.split(",") if name.strip()]
    names = [name.lower() if name.isascii() else name for name in names]
    if not all(ALLOWED_HOST.fullmatch(name) for name in names):
        return None
    return names


def oracle(env: dict[str, str], files: dict[str, str | None], worker: bool) -> Expected:
    """Return what the docs say the environment means."""

    def given(name: str) -> str | None:
        return env.get(name) or None  # empty is unset

    meaning: dict[str, object] = {}
    invalid: set[str] = set()
    urls: dict[str, dict] = {}
    raw: dict[str, str | None] = {}
    for name in SECRETS:
        path = given(f"{name}_FILE")
        if path is None:
            raw[name] = given(name)
        elif given(name) is not None:
            invalid.add(f"{name}_FILE")  # both set
        elif not files.get(path):
            invalid.add(f"{name}_FILE")  # unreadable or empty
        else:
            raw[name] = files[path]

    if "SECRET_KEY" in raw:
        key = raw["SECRET_KEY"]
        if key is None or not is_text(key) or len(key) < 50 or len(set(key)) < 5:
            invalid.add("SECRET_KEY")
        else:
            meaning["secret_key"] = key
    if "DATABASE_URL" in raw:
        url = raw["DATABASE_URL"]
        parsed = url and is_text(url) and database_meaning(url)
        if not parsed:
            invalid.add("DATABASE_URL")
        else:
            meaning["database_url"] = url
            urls["database"] = parsed
    if "REDIS_URL" in raw:
        url = raw["REDIS_URL"]
        parsed = url and is_text(url) and redis_meaning(url)
        if url is None:
            meaning["redis_url"] = None
        elif not parsed:
            invalid.add("REDIS_URL")
        else:
            meaning["redis_url"] = url
            urls["redis"] = parsed

    for name in FLAGS:
        value = given(name)
        parsed = False if value is None else flag(value) if is_text(value) else None
        if parsed is None:
            invalid.add(name)
        else:
            meaning[name.lower()] = parsed

    for name, (lowest, highest, default) in NUMBERS.items():
        if name == "WORKER_HEARTBEAT_TIMEOUT" and not worker:
            continue
        value = env.get(name)
        if name != "WEB_CONCURRENCY":  # gunicorn stops on an empty one: not unset
            value = value or None
        parsed = default if value is None else number(value, lowest, highest)
        if parsed is None:
            invalid.add(name)
        else:
            meaning[name.lower()] = parsed

    value = given("LOG_LEVEL")
    level = "INFO" if value is None else value.upper() if value.isascii() else value
    if level in LEVELS:
        meaning["log_level"] = level
    else:
        invalid.add("LOG_LEVEL")
    value = given("LOG_FORMAT")
    style = "json" if value is None else value.lower() if value.isascii() else value
    if style in FORMATS:
        meaning["log_format"] = style
    else:
        invalid.add("LOG_FORMAT")

    value = given("ALLOWED_HOSTS")
    names = [] if value is None else hosts(value) if is_text(value) else None
    if names is None or (not names and meaning.get("debug") is False):
        invalid.add("ALLOWED_HOSTS")
    else:
        meaning["allowed_hosts"] = names

    concurrency = env.get("WEB_CONCURRENCY")
    try:
        gunicorn_stops = concurrency is not None and int(concurrency) < 0
    except ValueError:
        gunicorn_stops = True
    return Expected(meaning, invalid, urls, gunicorn_stops)


def secret_values(env: dict[str, str], files: dict[str, str | None]) -> list[str]:
    """The secrets of an environment that no message may show."""
    found = []
    for name in SECRETS:
        for value in (env.get(name), files.get(env.get(f"{name}_FILE", ""))):
            if not value:
                continue
            if name == "SECRET_KEY":
                found.append(value)
            elif match := re.search(r"://[^:/@]*:([^@]+)@", value):
                found += [match[1], unquote(match[1])]
    others = " ".join(value for name, value in env.items() if name not in SECRETS)
    return [secret for secret in found if len(secret) >= 8 and secret not in others]


def check_message(message: str, expected: Expected, secrets: list[str]) -> None:
    """One message: a header counting the lines, one line per invalid variable."""
    assert "Traceback" not in message, message
    header, *lines = message.rstrip("\n").split("\n")
    count = HEADER.fullmatch(header)
    assert count, message
    assert int(count[1]) == len(lines), message
    named = [LINE.fullmatch(line) for line in lines]
    assert all(named), message
    assert sorted(match[1] for match in named) == sorted(expected.invalid), message
    for secret in secrets:
        assert secret not in message, f"a secret is in the message:\n{message}"


# ---------------------------------------------------------------------------------------
# Strategies.
# ---------------------------------------------------------------------------------------

UNICODE = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))
SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2003"])
# The same letter from another script, digits of other scripts, and zero width.
LOOKALIKES = ["\u0435", "\u0131", "\u0456", "\u0660", "\uff18", "\u200b", "\u017f"]


def wrapped(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value with spaces before, after or both."""
    return st.tuples(SPACES, values, SPACES, st.sampled_from(["<", ">", "<>"])).map(
        lambda t: (t[0] if "<" in t[3] else "") + t[1] + (t[2] if ">" in t[3] else "")
    )


def recased(words: list[str]) -> st.SearchStrategy[str]:
    """The words in upper, lower, title or mixed case."""
    return st.tuples(st.sampled_from(words), st.lists(st.booleans(), min_size=12)).map(
        lambda t: "".join(c.upper() if up else c.lower() for c, up in zip(t[0], t[1], strict=False))
    )


def lookalike(words: list[str]) -> st.SearchStrategy[str]:
    """A word with one character replaced by, or followed by, a unicode lookalike."""

    def spoil(t: tuple[str, int, str, bool]) -> str:
        word, at, char, replace = t
        at %= len(word)
        return word[:at] + char + word[at + replace :]

    return st.tuples(
        st.sampled_from(words), st.integers(0, 50), st.sampled_from(LOOKALIKES), st.booleans()
    ).map(spoil)


def numbers(lowest: int, highest: int | None) -> st.SearchStrategy[str]:
    top = highest if highest is not None else 10**12
    valid = st.integers(lowest, top).map(str)
    return st.one_of(
        valid,
        valid.map(lambda n: "0" + n),
        st.integers(-(10**6), lowest - 1).map(str),
        st.integers(top + 1, top * 10**12).map(str) if highest is not None else valid,
        wrapped(valid),
        valid.map(lambda n: "+" + n),
        valid.map(lambda n: n + ".0"),
        st.integers(1000, 9999).map(lambda n: f"{n // 1000}_{n % 1000:03}"),
        st.sampled_from(["abc", "1.5", "1e3", "0x10", "true", "\u0663", "\uff18", "\u00b2"]),
        UNICODE.filter(lambda text: len(text) < 8),
    )


def flags() -> st.SearchStrategy[str]:
    words = [*TRUE_WORDS, *FALSE_WORDS]
    return st.one_of(
        recased(words),
        wrapped(st.sampled_from(words)),
        lookalike(["true", "false", "yes", "on"]),
        st.sampled_from(["t", "f", "y", "n", "2", "-1", "enable", "disabled", "none", "1.0"]),
        UNICODE.filter(lambda text: len(text) < 8),
    )


def good_flags() -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.just(""), recased([*TRUE_WORDS, *FALSE_WORDS]))


# Characters for user names, passwords and paths, some of which need percent-encoding.
URL_TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), max_codepoint=0x2FF),
    min_size=1,
    max_size=12,
)
SAFE_TEXT = st.text("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-._~", min_size=1, max_size=10)
URL_HOSTS = ["localhost", "db.internal", "127.0.0.1", "[::1]", "db-1.example.com", "my_db"]


@st.composite
def userinfo(draw) -> str:
    """`user:password@` in its forms, or nothing."""
    encode = draw(st.booleans())

    def part(text: str) -> str:
        return quote(text, safe="") if encode else text

    user = part(draw(st.one_of(st.just(""), SAFE_TEXT, URL_TEXT)))
    password = "pw" + part(draw(st.one_of(SAFE_TEXT, URL_TEXT)))
    return draw(st.sampled_from(["", f"{user}@", f"{user}:{password}@", f":{password}@", "@"]))


@st.composite
def host_port(draw) -> str:
    host = draw(st.sampled_from(URL_HOSTS))
    port = draw(st.one_of(st.none(), st.integers(1, 65535).map(str)))
    return host if port is None else f"{host}:{port}"


@st.composite
def postgres_urls(draw) -> str:
    scheme = draw(st.sampled_from(["postgres", "postgresql"]))
    name = draw(st.one_of(SAFE_TEXT, URL_TEXT.map(lambda text: quote(text, safe=""))))
    query = draw(
        st.sampled_from(["", "?sslmode=require", "?connect_timeout=3", "?application_name=x"])
    )
    return f"{scheme}://{draw(userinfo())}{draw(host_port())}/{name}{query}"


@st.composite
def sqlite_urls(draw) -> str:
    segments = draw(st.lists(st.one_of(SAFE_TEXT, URL_TEXT), min_size=1, max_size=3))
    path = "/".join(segments)
    return draw(st.sampled_from([f"sqlite:///{path}", f"sqlite:////tmp/{path}"]))


@st.composite
def redis_urls(draw) -> str:
    scheme = draw(st.sampled_from(["redis", "rediss"]))
    db = draw(st.sampled_from(["", "/", "/0", "/13", "/007"]))
    return f"{scheme}://{draw(userinfo())}{draw(host_port())}{db}"


BAD_URLS = [
    "nonsense", "sqlite:db", "sqlite:/db", "sqlite://db", "sqlite://host/db", "sqlite:///",
    "sqlite:////", "sqlite:///dir/", "sqlite:///.", "sqlite:///a?mode=ro", "sqlite:///a%20b",
    "sqlite:///:memory:", "postgres:///db", "postgres://h", "postgres://h/", "postgres://h:/db",
    "postgres://h:0/db", "postgres://h:99999/db", "postgres://h:abc/db", "postgres://[::1/db",
    "postgres://[1.2.3.4]/db", "postgres://[::1]x/db", "postgres://h/db/extra",
    "postgres://u:p@ss@h/db", "postgres://u:p/ss@h/db", "postgres://u:p#ss@h/db",
    "postgres://h/db?", "postgres://h/db?a", "postgres://h/db?a=1&a=2", "postgres://h/db?a=",
    "postgres://h/db#x", "postgresql+psycopg://h/db", "mysql://u:p@h/db", "http://h/db",
    "redis:", "redis://", "redis:///0", "redis://h/abc", "redis://h/0/1", "redis://h/-1",
    "redis://h:99999/0", "redis://h:0", "redis://h?db=3", "redis://h/0#x", "unix:///tmp/r.sock",
    "redis+sentinel://h/0", "file:///etc/passwd", "//h/db", "://", "",
]  # fmt: skip


def broken_urls(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Malformed URLs, unknown schemes, and valid ones spoiled in one place."""

    def spoil(t: tuple[str, str, int]) -> str:
        url, how, at = t
        at %= len(url) + 1
        scheme, _, rest = url.partition("://")
        return {
            "upper": url.upper(),
            "scheme case": scheme.capitalize() + "://" + rest,
            "space inside": url[:at] + " " + url[at:],
            "drop a character": url[:at] + url[at + 1 :],
            "double a character": url[:at] + url[at : at + 1] + url[at:],
            "unknown scheme": "x" + url,
            "one slash less": url.replace("//", "/", 1),
            "fragment": url + "#top",
            "lookalike": url[:at] + "\u0430" + url[at:],
        }[how]

    hows = ["upper", "scheme case", "space inside", "drop a character", "double a character"]
    hows += ["unknown scheme", "one slash less", "fragment", "lookalike"]
    return st.one_of(
        st.sampled_from(BAD_URLS),
        wrapped(valid),
        st.tuples(valid, st.sampled_from(hows), st.integers(0, 80)).map(spoil),
        UNICODE.filter(lambda text: len(text) < 30),
    )


HOST_NAMES = ["example.com", ".example.org", "127.0.0.1", "[::1]", "Service.Example.COM"]
BAD_HOST_NAMES = ["*", "exa mple.com", "host:8000", "ex_ample.com", "b\u00fccher.de"]
BAD_HOST_NAMES += ["http://example.com", "example.com/", ".", "example..com", "\u0435xample.com"]


def host_lists(names: list[str]) -> st.SearchStrategy[str]:
    separators = st.sampled_from([",", ", ", " , ", ",,", ",\t"])
    return st.lists(st.tuples(st.sampled_from(names), separators), min_size=1, max_size=4).map(
        lambda items: "".join(name + sep for name, sep in items)[: -len(items[-1][1])]
    )


def strong_keys() -> st.SearchStrategy[str]:
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    return st.one_of(
        st.text(letters, min_size=50, max_size=70),
        st.text(
            st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
            min_size=50,
            max_size=60,
        ),
    ).filter(lambda key: len(set(key)) >= 5)


def weak_keys() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(min_size=1, max_size=49).filter(lambda key: "\x00" not in key),
        st.sampled_from(["a" * 60, "ab" * 40, "abcd" * 20, "short-secret"]),
        strong_keys().map(lambda key: key + "\udcff"),  # not UTF-8
        wrapped(st.just("x" * 60)),
    )


def variables(worker: bool, files: dict[str, dict[str, str]]) -> dict[str, tuple]:
    """For each variable: (values that are valid alone, any value), None = missing."""
    level_words = [*LEVELS, "WARN", "TRACE", "FATAL"]
    missing = st.sampled_from([None, ""])
    table = {
        "SECRET_KEY": (strong_keys(), st.one_of(missing, weak_keys(), strong_keys())),
        "DEBUG": (good_flags(), st.one_of(missing, flags())),
        "DATABASE_URL": (
            st.one_of(sqlite_urls(), postgres_urls()),
            st.one_of(missing, broken_urls(st.one_of(sqlite_urls(), postgres_urls()))),
        ),
        "REDIS_URL": (
            st.one_of(missing, redis_urls()),
            st.one_of(missing, redis_urls(), broken_urls(redis_urls())),
        ),
        "ALLOWED_HOSTS": (
            host_lists(HOST_NAMES),
            st.one_of(
                missing,
                host_lists(HOST_NAMES),
                host_lists(HOST_NAMES + BAD_HOST_NAMES),
                st.sampled_from([",", " , ", "*"]),
                UNICODE.filter(lambda text: len(text) < 20),
            ),
        ),
        "LOG_LEVEL": (
            st.one_of(st.none(), recased(list(LEVELS))),
            st.one_of(
                missing,
                recased(level_words),
                wrapped(st.sampled_from(LEVELS)),
                lookalike(["info", "INFO", "DEBUG"]),
                UNICODE.filter(lambda text: len(text) < 10),
            ),
        ),
        "LOG_FORMAT": (
            st.one_of(st.none(), recased(list(FORMATS))),
            st.one_of(
                missing,
                recased([*FORMATS, "xml", "text"]),
                wrapped(st.sampled_from(FORMATS)),
                lookalike(["json", "console"]),
            ),
        ),
    }
    for name, (lowest, highest, _) in NUMBERS.items():
        if name == "WORKER_HEARTBEAT_TIMEOUT" and not worker:
            continue
        valid = st.integers(lowest, highest or 10**9).map(str)
        table[name] = (st.one_of(st.none(), valid), st.one_of(missing, numbers(lowest, highest)))
    for name in FLAGS[1:]:
        table[name] = (good_flags(), st.one_of(missing, flags()))
    for name in SECRETS:
        paths = sorted(files[name])
        table[f"{name}_FILE"] = (st.none(), st.sampled_from([None, "", *paths]))
    return table


@st.composite
def environments(draw, table: dict[str, tuple]) -> dict[str, str]:
    """Every variable valid alone, but for a few, which may be anything."""
    broken = draw(st.sets(st.sampled_from(sorted(table)), max_size=3))
    env = {}
    for name, (good, anything) in table.items():
        value = draw(anything if name in broken else good)
        if value is not None:
            env[name] = value
    return env


# ---------------------------------------------------------------------------------------
# Files holding secrets, for `<NAME>_FILE`.
# ---------------------------------------------------------------------------------------

FILE_KEY = "file-key-" + "q7w8e9r0t1y2" * 5
FILE_PASSWORD = "filepassword4242"


def secret_files(folder: Path) -> tuple[dict[str, dict[str, str]], dict[str, str | None]]:
    """Make the files; return their paths by secret, and each path's value (None: none)."""
    folder.mkdir()
    contents: dict[str, dict[str, bytes | None]] = {
        "SECRET_KEY": {"good": f"{FILE_KEY}\n".encode(), "weak": b"short\r\n"},
        "DATABASE_URL": {
            "good": b"sqlite:///from-file.sqlite3\n",
            "postgres": f"postgres://app:{FILE_PASSWORD}@db.internal:5432/app".encode(),
            "bad": f"mysql://app:{FILE_PASSWORD}@h/db\n".encode(),
        },
        "REDIS_URL": {
            "good": f"rediss://:{FILE_PASSWORD}@cache.internal:6380/2\n".encode(),
            "bad": b"redis:\n",
        },
    }
    common = {"empty": b"", "newline": b"\n", "latin1": b"caf\xe9-" * 20, "missing": None}
    paths: dict[str, dict[str, str]] = {}
    values: dict[str, str | None] = {}
    for secret, kinds in contents.items():
        paths[secret] = {}
        for kind, content in {**kinds, **common}.items():
            path = folder / f"{secret.lower()}-{kind}"
            if content is not None:
                path.write_bytes(content)
            paths[secret][kind] = str(path)
            try:
                values[str(path)] = content.decode().rstrip("\r\n") if content else None
            except UnicodeDecodeError:
                values[str(path)] = None
        directory = folder / f"{secret.lower()}-directory"
        directory.mkdir()
        paths[secret]["directory"] = str(directory)
        values[str(directory)] = None
    return {secret: set(kinds.values()) for secret, kinds in paths.items()}, values


# ---------------------------------------------------------------------------------------
# Layer 1: load_settings() in one long-lived process of the deployed virtualenv.
# ---------------------------------------------------------------------------------------

DRIVER = """
import json, os, sys, traceback
framework, project, slug = sys.argv[1:]
sys.path.insert(0, project)
import redis
from pydantic import SecretStr
from redis.connection import parse_url
config = __import__(f"{slug}.config", fromlist=["load_settings"])
if framework == "flask":
    from sqlalchemy.engine import make_url
    sqlalchemy_url = __import__(f"{slug}.app", fromlist=["app"]).sqlalchemy_url
else:
    import dj_database_url


def parse(settings):
    url = settings.database_url
    if framework == "flask":
        parsed = make_url(sqlalchemy_url(url))
        database = {
            "host": parsed.host, "port": parsed.port, "name": parsed.database,
            "user": parsed.username, "password": parsed.password, "query": dict(parsed.query),
        }
    else:
        parsed = dj_database_url.parse(url)
        database = {
            "host": parsed["HOST"], "port": parsed["PORT"], "name": parsed["NAME"],
            "user": parsed["USER"], "password": parsed["PASSWORD"],
            "query": parsed.get("OPTIONS") or {},
        }
    found = {"database": database}
    if settings.redis_url:
        parts = parse_url(settings.redis_url)
        redis.Redis.from_url(settings.redis_url, socket_connect_timeout=1)
        found["redis"] = {
            "host": parts.get("host"), "port": parts.get("port"), "db": parts.get("db"),
            "user": parts.get("username"), "password": parts.get("password"),
        }
    return found


for line in sys.stdin:
    os.environ.clear()
    os.environ.update(json.loads(line))
    try:
        settings = config.load_settings()
    except SystemExit as stop:
        answer = {"exit": stop.code if stop.code is None else str(stop.code)}
    except BaseException:
        answer = {"crash": traceback.format_exc()}
    else:
        values = {
            name: value.get_secret_value() if isinstance(value, SecretStr) else value
            for name, value in settings.model_dump().items()
        }
        try:
            answer = {"settings": values, "parsed": parse(settings)}
        except BaseException:
            answer = {"crash": "accepted, but unusable:\\n" + traceback.format_exc()}
    print(json.dumps(answer), flush=True)
"""


class Loader:
    """A process of the deployed project that loads settings from given environments."""

    def __init__(self, deployed, cwd: Path):
        script = cwd / "driver.py"
        script.write_text(DRIVER)
        self.process = subprocess.Popen(
            [deployed.venv / "bin" / "python", script, deployed.framework, deployed.path, SLUG],
            cwd=cwd,
            env=deployed.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def load(self, env: dict[str, str]) -> dict:
        self.process.stdin.write(json.dumps(env) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the loader process died"
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()


def same(found: object, expected: object) -> bool:
    """Equal, with an empty string and None both counted as nothing."""
    return (found if found != "" else None) == (expected if expected != "" else None)


def check_parsed(framework: str, found: dict, expected: dict, cwd: Path) -> None:
    """The framework's own parsers read each URL as the oracle does."""
    database, want = found["database"], expected["database"]
    if want["kind"] == "sqlite":
        path = want["path"]
        if framework == "flask" and path != ":memory:":
            path = str(cwd / path)  # made absolute, relative to the working directory
        assert Path(database["name"]) == Path(path), (database, want)
    else:
        for part in ("host", "port", "name", "user", "password"):
            assert same(database[part], want[part]), (part, database, want)
        for key, value in want["query"].items():
            assert str(database["query"].get(key)) == value, (key, database, want)
    if "redis" in expected:
        redis, want = found["redis"], expected["redis"]
        for part in ("host", "port", "user", "password"):
            assert same(redis[part], want[part]), (part, redis, want)
        assert (redis["db"] or 0) == (want["db"] or 0), (redis, want)


def has_worker(deployed) -> bool:
    return (deployed.path / SLUG / "worker.py").exists()


@dataclass
class Loading:
    """A loader process of one framework's project, and the secret files it may read."""

    deployed: object
    loader: Loader
    cwd: Path
    paths: dict[str, set[str]]
    files: dict[str, str | None]
    tried: dict[str, int] = field(default_factory=lambda: {"valid": 0, "invalid": 0})

    def check(self, env: dict[str, str]) -> None:
        """Load the environment; it means what the oracle says, or stops as it says."""
        expected = oracle(env, self.files, has_worker(self.deployed))
        answer = self.loader.load(env)
        assert "crash" not in answer, answer.get("crash")
        if expected.invalid:
            self.tried["invalid"] += 1
            assert "exit" in answer, (env, expected.invalid, answer)
            check_message(answer["exit"], expected, secret_values(env, self.files))
        else:
            self.tried["valid"] += 1
            assert "settings" in answer, (env, answer)
            assert answer["settings"] == expected.settings, env
            check_parsed(self.deployed.framework, answer["parsed"], expected.urls, self.cwd)


@pytest.fixture(scope="module")
def loading(deployed, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"env-{deployed.framework}")
    paths, files = secret_files(folder / "secrets")
    loader = Loader(deployed, folder)
    yield Loading(deployed, loader, folder, paths, files)
    loader.close()


GOOD_DATABASE_URLS = [
    "sqlite:///db.sqlite3", "sqlite:////var/data/app.db", "sqlite:///:memory:",
    "sqlite:///data/caf\u00e9.db", "postgres://app:p%40ss%2Fw%3Ard@db:5432/app",
    "postgresql://[::1]/app?sslmode=require&connect_timeout=3", "postgres://u@h:05432/d%2Fb",
    "postgres://u:a:b+c@h/db", "postgres://:@h/db",
]  # fmt: skip
GOOD_REDIS_URLS = [
    "redis://h", "redis://h/", "redis://127.0.0.1:6379/13", "rediss://:p%40ss@cache:6380/2",
    "redis://user:pw@[::1]:6379/0", "redis://h/007",
]  # fmt: skip
# Notable values of each variable, each tried alone in an otherwise valid environment.
LISTED = {
    "SECRET_KEY": ["", "short-secret", "a" * 60, "ab" * 40, "x" * 49 + "abcd", "x" * 46 + "abcd"],
    "DEBUG": ["", "true", "FALSE", "Yes", "off", "1", "0", "t", "y", "2", " true", "tru\u0435"],
    "DATABASE_URL": [*BAD_URLS, *GOOD_DATABASE_URLS, *GOOD_REDIS_URLS],
    "REDIS_URL": [*BAD_URLS, *GOOD_REDIS_URLS, *GOOD_DATABASE_URLS],
    "ALLOWED_HOSTS": [*HOST_NAMES, *BAD_HOST_NAMES, ",", " , ", "a.com,,b.org", "a.com, *"],
    "LOG_LEVEL": ["", "warning", "Error", "WARN", " INFO", "\u0131nfo", "INFO\u200b"],
    "LOG_FORMAT": ["", "console", "JSON", "xml", "json ", "j\u0455on"],
    "PORT": ["", "0", "1", "65535", "65536", "99999", "-1", "abc", " 80", "08000", "8_000"],
    "WEB_CONCURRENCY": ["", "0", "1", "64", "65", "abc", "-1", " 2", "+2", "2.0", "\u0662"],
    "WORKER_HEARTBEAT_TIMEOUT": ["", "1", "2", "3600", "3601", "15.5"],
    "MAX_REQUEST_BYTES": ["", "1023", "1024", "1" + "0" * 30, "1e6", "1MB"],
    "SECURE_HSTS_SECONDS": ["", "0", "31536000", "-1", "1y"],
    "SECURE_SSL_REDIRECT": ["", "ON", "no", "maybe"],
}  # fmt: skip


def listed_environments(loading: Loading) -> list[dict[str, str]]:
    base = {"SECRET_KEY": FILE_KEY, "DATABASE_URL": "sqlite:///db", "ALLOWED_HOSTS": "a.com"}
    cases = [{**base, name: value} for name, values in LISTED.items() for value in values]
    for secret in SECRETS:
        for path in sorted(loading.paths[secret]):
            env = {name: value for name, value in base.items() if name != secret}
            cases += [{**env, f"{secret}_FILE": path}, {**base, f"{secret}_FILE": path}]
    # Names in another case are other variables, not these.
    cases += [{name.lower(): value for name, value in base.items()}, {**base, "debug": "true"}]
    return cases


def test_listed_values_mean_what_the_docs_say_or_stop_with_one_message(loading, figures):
    """Notable values, the bugs once found among them, each alone in a valid environment."""
    cases = listed_environments(loading)
    for env in cases:
        loading.check(env)
    figures[f"env listed values ({loading.deployed.framework})"] = len(cases)


def test_settings_mean_what_the_docs_say_or_stop_with_one_message(loading, figures):
    """Every environment gives the documented settings, or one message naming the bad."""
    table = variables(has_worker(loading.deployed), loading.paths)
    loading.tried.update(valid=0, invalid=0)

    @budget(800)
    @given(environments(table))
    def check(env: dict[str, str]) -> None:
        loading.check(env)

    check()
    tried = loading.tried
    figures[f"env property, settings ({loading.deployed.framework}): valid, invalid cases"] = (
        f"{tried['valid']}, {tried['invalid']}"
    )
    # Both outcomes are well represented, or the property says little.
    assert min(tried.values()) >= 50 * SCALE, tried


# ---------------------------------------------------------------------------------------
# Layer 2: the Procfile's web line and check-config, as processes.
# ---------------------------------------------------------------------------------------

DEAD_REDIS = "redis://:redispassword77@127.0.0.1:1/0"
DEAD_POSTGRES = "postgres://app:dbpassword77@127.0.0.1:1/app"
FREE = "<free port>"


def process_variables(worker: bool, files: dict, database: str) -> dict[str, tuple]:
    """As for settings, with values that a real process can use on this machine."""
    table = variables(worker, files)
    table["DATABASE_URL"] = (
        st.sampled_from([database, DEAD_POSTGRES]),
        st.one_of(st.sampled_from(["", database]), broken_urls(st.just(DEAD_POSTGRES))),
    )
    table["REDIS_URL"] = (
        st.sampled_from([None, DEAD_REDIS]),
        st.one_of(st.sampled_from([None, DEAD_REDIS]), broken_urls(st.just(DEAD_REDIS))),
    )
    # A default PORT would be 8000, which may be taken: always give one.
    table["PORT"] = (st.just(FREE), st.sampled_from([FREE, "abc", "0", "70000", " 8000"]))
    concurrency = ["", "abc", "-1", "0", " 2", "+1", "2.0", "65", "\u0662"]
    table["WEB_CONCURRENCY"] = (
        st.sampled_from([None, "1", "2"]),
        st.sampled_from([None, "1", *concurrency]),
    )
    return table


def healthy(port: int) -> bool:
    """Return whether /healthz answers 200 on the port."""
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def run_web(deployed, env: dict[str, str], port: int, logs: Path) -> tuple[bool, int, str, str]:
    """Start the Procfile's web line; stop it once /healthz answers 200 on the port.

    Return whether it served, its exit status, its stdout and its stderr.
    """
    out, err = logs / "web.out", logs / "web.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            ["sh", "-c", f"exec {deployed.process('web')}"],
            cwd=deployed.path,
            env=deployed.env(**env),
            stdout=stdout,
            stderr=stderr,
        )
    served = False
    try:
        deadline = time.monotonic() + 30
        while not served and process.poll() is None and time.monotonic() < deadline:
            served = bool(port) and healthy(port)
            time.sleep(0.1)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
    return served, code, out.read_text(), err.read_text()


def test_web_and_check_config_agree_on_every_environment(deployed, tmp_path, figures):
    """web serves with the oracle's meaning or stops with check-config's very message."""
    paths, files = secret_files(tmp_path / "secrets")
    database = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    table = process_variables(has_worker(deployed), paths, database)
    tried = {"served": 0, "stopped": 0}

    @budget(6)
    @given(environments(table))
    @example({"SECRET_KEY": FILE_KEY, "DATABASE_URL": database, "PORT": FREE, "DEBUG": "on"})
    @example(
        {"SECRET_KEY": FILE_KEY, "DATABASE_URL": database, "PORT": FREE, "WEB_CONCURRENCY": "x"}
    )
    @example({"DATABASE_URL": "sqlite:db", "PORT": FREE, "ALLOWED_HOSTS": "*"})
    def check(drawn: dict[str, str]) -> None:
        env = {name: str(free_port()) if value == FREE else value for name, value in drawn.items()}
        expected = oracle(env, files, has_worker(deployed))
        secrets = secret_values(env, files)
        check_config = run(
            ["sh", "-c", f"exec {deployed.admin('check-config')}"],
            cwd=deployed.path,
            env=deployed.env(**env),
            check=False,
            timeout=60,
        )
        served, code, web_stdout, web_stderr = run_web(
            deployed, env, expected.settings.get("port", 0), tmp_path
        )
        web = web_stdout + web_stderr
        everything = web + check_config.stdout + check_config.stderr
        for secret in secrets:
            assert secret not in everything, "a secret is in the output"

        if expected.invalid:
            tried["stopped"] += 1
            assert check_config.returncode == 1, check_config
            check_message(check_config.stderr, expected, secrets)
            assert not served, (env, web)
            assert code != 0, web
            if expected.gunicorn_stops:
                # Documented: gunicorn reads WEB_CONCURRENCY first, with its own error.
                assert "WEB_CONCURRENCY" in expected.invalid
                assert web_stderr.strip(), web
            else:
                assert "Traceback" not in web, web
                assert web_stderr == check_config.stderr, (web_stderr, check_config.stderr)
        else:
            tried["served"] += 1
            assert check_config.returncode == 0, check_config.stderr
            assert "Traceback" not in everything, everything
            lines = check_config.stdout.splitlines()
            assert lines[0] == "configuration is valid"
            for name in ("DEBUG", "PORT", "WEB_CONCURRENCY", "LOG_LEVEL", "LOG_FORMAT"):
                assert f"{name}={expected.settings[name.lower()]}" in lines, (name, lines)
            assert f"ALLOWED_HOSTS={expected.settings['allowed_hosts']}" in lines
            assert served, web
            assert code == 0, web

    check()
    figures[f"env property, processes ({deployed.framework}): served, stopped cases"] = (
        f"{tried['served']}, {tried['stopped']}"
    )
    assert min(tried.values()) >= 2, tried
