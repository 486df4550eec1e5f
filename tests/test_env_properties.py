"""Any environment either means exactly what the docs say, or stops with one message.

Property-based tests (hypothesis) over the config variables of docs/contract.md, for both
frameworks: each variable is missing, empty, valid, of the wrong type, out of range, a
malformed URL or one of an unknown scheme, wrapped in spaces, in another case, or unicode;
secrets may come from `<NAME>_FILE`, and a local `.env` may fill in what is unset. A few
variables are broken at a time, so that valid environments are common too.

What an environment should mean is written here from the docs (`oracle`), apart from the
project's code: how pydantic reads a flag and a whole number, the spellings of a level,
how ALLOWED_HOSTS is split, which variable wins over `.env` and over `<NAME>_FILE`. A
backing service's URL means what the library that uses it reads (SQLAlchemy's `make_url`
or `dj_database_url.parse`, redis-py's `parse_url`): the oracle asks that library, in the
deployed virtualenv, for the parts of the URL as written, and decides from them, by the
documented rule, whether the URL is accepted and what the settings must then hold.

1. Many environments go through `load_settings()` in one long-lived process in the
   deployed virtualenv, in a clean `os.environ`, the way every process loads them. Each
   either gives settings with exactly the oracle's values (DATABASE_URL compared part by
   part as the framework's library holds it), which the framework can use, and which
   `describe()` shows with every secret masked; or exits with one message naming every
   invalid variable and no secret. Nothing else. A list of notable values (among them the
   bugs this test once found: `SQLITE:///x` in Flask, spaces, ports out of range, `redis:`
   without a host, `secret_key=` in lower case, an empty WEB_CONCURRENCY, a `.env` copied
   from `.env.example`) is tried the same way, each alone in a valid environment.
2. A few go through real processes: the Procfile's `web` line and the check-config admin
   command. Web serves /healthz on the oracle's PORT, or exits non-zero with the very
   message check-config prints, WEB_CONCURRENCY included though gunicorn reads it too;
   check-config's exit status agrees.

The runs are derandomized, so CI tries the same cases each time; the number of cases each
property tried is printed among the figures. TWELVE_HYPOTHESIS_SCALE=10 tries ten times
as many, with a random seed, for a longer local search.
"""

import json
import os
import re
import string
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote, unquote

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

# A flag as pydantic reads a bool: these words in any case, nothing around them.
TRUE_WORDS = ("true", "1", "yes", "on", "t", "y")
FALSE_WORDS = ("false", "0", "no", "off", "f", "n")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("json", "console")
SECRETS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
# name: (lowest, highest or None, default)
NUMBERS = {
    "WORKER_HEARTBEAT_TIMEOUT": (2, 3600, 15),
    "PORT": (1, 65535, 8000),
    "WEB_CONCURRENCY": (1, 64, 2),
    "MAX_REQUEST_BYTES": (1024, None, 1_048_576),
    "SECURE_HSTS_SECONDS": (0, None, 0),
    # Unset: no metrics. The worker's are on the next port, which must exist too.
    "METRICS_PORT": (1, 65534, None),
}
FLAGS = ("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")
# A whole number as pydantic reads one: ASCII digits, `_` between two digits, a sign, and
# a fraction of zeros only, with Unicode white space (not \x1c-\x1f) around it; Python's
# limit of 4300 digits.
WHOLE = re.compile(r"([+-]?)([0-9]+(?:_[0-9]+)*)(?:\.0+)?")
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
WHITE_SPACE += "".join(map(chr, range(0x2000, 0x200B)))
MAX_DIGITS = 4300
ALLOWED_HOST = re.compile(r"\.?[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\]")
# DATABASE_URL: what the framework's library reads as one of these, naming a database.
SQLALCHEMY_BACKENDS = ("sqlite", "postgres", "postgresql")
SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")
DJANGO_ENGINES = ("django.db.backends.sqlite3", "django.db.backends.postgresql")
# Connecting to PostgreSQL, unless the URL gives its own connect_timeout.
CONNECT_TIMEOUT = 5
# Django's SQLite: write-ahead log, fewer syncs, writers that wait for the lock.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    "transaction_mode": "IMMEDIATE",
    "timeout": 5,
}
MASK = "**********"  # a SecretStr, shown

# What a library makes of a URL: (kind, url) -> its parts, or {"error": ...}.
Reader = Callable[[str, str], dict]


@dataclass
class Expected:
    """What an environment means: the settings, or the names its message must give."""

    settings: dict[str, object]
    invalid: set[str]
    # The passwords the library reads in the accepted URLs: masked wherever shown.
    passwords: dict[str, str | None] = field(default_factory=dict)


def is_text(value: str) -> bool:
    """Bytes that are not UTF-8 reach os.environ as lone surrogates."""
    return not any("\udc80" <= char <= "\udcff" for char in value)


def number(value: str, lowest: int, highest: int | None) -> int | None:
    match = WHOLE.fullmatch(value.strip(WHITE_SPACE))
    if not match:
        return None
    digits = match[2].replace("_", "")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        return None
    amount = int(match[1] + digits)
    if amount < lowest or (highest is not None and amount > highest):
        return None
    return amount


def flag(value: str) -> bool | None:
    word = value.lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def hosts(value: str) -> list[str] | None:
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if "*" in names or not all(ALLOWED_HOST.fullmatch(name) for name in names):
        return None
    return names


def database_meaning(parts: dict, framework: str, cwd: Path) -> dict | None:
    """What the settings hold for a database URL the library read as `parts`, or None.

    Flask: SQLAlchemy's backend is SQLite or PostgreSQL, with a database name and a port,
    if any, from 1 to 65535; SQLite with no host and no driver but its own, as SQLAlchemy's
    engine requires, its path relative to the working directory; PostgreSQL through
    psycopg, whatever driver the URL names. Django: dj-database-url's engine is SQLite or
    PostgreSQL, with a database name, SQLite with SQLITE_OPTIONS. PostgreSQL connections
    time out after CONNECT_TIMEOUT seconds unless the URL says otherwise.
    """
    if "error" in parts:
        return None
    if framework == "django":
        if parts["ENGINE"] not in DJANGO_ENGINES or not parts["NAME"]:
            return None
        if parts["ENGINE"] == DJANGO_ENGINES[0]:
            return {**parts, "OPTIONS": {**parts["OPTIONS"], **SQLITE_OPTIONS}}
        return {**parts, "OPTIONS": {"connect_timeout": CONNECT_TIMEOUT, **parts["OPTIONS"]}}
    port = parts["port"]
    if parts["backend"] not in SQLALCHEMY_BACKENDS or not parts["name"]:
        return None
    if port is not None and not 1 <= port <= 65535:
        return None
    if parts["backend"] == "sqlite":
        if parts["host"] or parts["driver"] not in SQLITE_DRIVERS:
            return None
        name = parts["name"]
        return {**parts, "name": name if name == ":memory:" else str(cwd / name)}
    query = {"connect_timeout": str(CONNECT_TIMEOUT), **parts["query"]}
    return {**parts, "driver": "postgresql+psycopg", "backend": "postgresql", "query": query}


def email_url_valid(url: str) -> bool:
    """EMAIL_URL as .env.example says: `console:`, or smtp:// or smtps:// with a host.

    Lower-case scheme; printable ASCII without spaces; `user:password@` both or
    neither, with no @ / ? # [ ] unencoded in them; a host name or [IPv6]; a port
    from 1 to 65535 (at most 5 digits); at most one `/` after it, nothing else.
    """
    if url in ("console:", "console://"):
        return True
    scheme, separator, rest = url.partition("://")
    if scheme not in ("smtp", "smtps") or not separator:
        return False
    if not url.isascii() or not url.isprintable() or " " in url:
        return False
    rest = rest[:-1] if rest.endswith("/") else rest
    login, at, address = rest.rpartition("@")
    user, colon, password = login.partition(":")
    if at and not (user and colon and password and not set(login) & set("@/?#[]")):
        return False
    if address.startswith("["):
        host, bracket, port = address[1:].partition("]")
        if not bracket or not host or set(host) - set("0123456789abcdefABCDEF:."):
            return False
        if port and not port.startswith(":"):
            return False
        port = port[1:] if port else None
    else:
        host, colon, port = address.partition(":")
        if not host or set(host) - set(string.ascii_letters + string.digits + "._-"):
            return False
        port = port if colon else None
    if port is None:
        return True
    return port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535


def mail_address_valid(value: str) -> bool:
    """A mail address as .env.example says: one printable line holding an @."""
    return "@" in value and value.isprintable()


def password_of(parts: dict) -> str | None:
    return parts.get("password", parts.get("PASSWORD")) or None


def read_dotenv(text: str | None) -> dict[str, str]:
    """The `NAME=value` lines of a `.env` (only the plain lines the tests write)."""
    values = {}
    for line in (text or "").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        assert equals and name.strip() == name and value.strip() == value, line
        assert not value.startswith(("'", '"')) and " #" not in value, line
        values[name] = value
    return values


def oracle(
    env: dict[str, str],
    dotenv: dict[str, str],
    files: dict[str, str | None],
    framework: str,
    cwd: Path,
    read: Reader,
    worker: bool = True,
) -> Expected:
    """Return what the docs say the environment, and a local `.env`, mean."""

    def given(name: str) -> str | None:
        # Empty is unset; `.env` fills in what the environment leaves unset.
        return env.get(name) or dotenv.get(name) or None

    meaning: dict[str, object] = {}
    invalid: set[str] = set()
    passwords: dict[str, str | None] = {}
    raw: dict[str, str | None] = {}
    for name in SECRETS:
        path = env.get(f"{name}_FILE") or None
        if path is None:
            raw[name] = given(name)
        elif env.get(name):
            invalid.add(f"{name}_FILE")  # both set
        elif not files.get(path):
            invalid.add(f"{name}_FILE")  # unreadable or empty
        else:
            raw[name] = files[path]  # wins over `.env` too

    if "SECRET_KEY" in raw:
        key = raw["SECRET_KEY"]
        if key is None or not is_text(key) or len(key) < 50 or len(set(key)) < 5:
            invalid.add("SECRET_KEY")
        else:
            meaning["SECRET_KEY"] = key
    if "DATABASE_URL" in raw:
        url = raw["DATABASE_URL"]
        parts = read("database", url) if url and is_text(url) else {"error": "not text"}
        database = database_meaning(parts, framework, cwd)
        if database is None:
            invalid.add("DATABASE_URL")
        else:
            meaning["DATABASE_URL"] = database
            passwords["DATABASE_URL"] = password_of(parts)
    if "REDIS_URL" in raw:
        url = raw["REDIS_URL"]
        parts = read("redis", url) if url and is_text(url) else {"error": "not text"}
        if url is None:
            meaning["REDIS_URL"] = None
        elif "error" in parts:  # redis-py reads redis://, rediss:// and unix:// URLs
            invalid.add("REDIS_URL")
        else:
            meaning["REDIS_URL"] = url
            passwords["REDIS_URL"] = password_of(parts)
    if "EMAIL_URL" in raw:
        url = raw["EMAIL_URL"]
        if url is None:
            meaning["EMAIL_URL"] = None
        elif not is_text(url) or not email_url_valid(url):
            invalid.add("EMAIL_URL")
        else:
            meaning["EMAIL_URL"] = url
            match = re.search(r"://[^:/@]*:([^@]+)@", url)
            passwords["EMAIL_URL"] = match[1] if match else None

    value = given("DEFAULT_FROM_EMAIL")
    if value is None:
        meaning["DEFAULT_FROM_EMAIL"] = "webmaster@localhost"
    elif is_text(value) and mail_address_valid(value):
        meaning["DEFAULT_FROM_EMAIL"] = value
    else:
        invalid.add("DEFAULT_FROM_EMAIL")
    if worker:
        value = given("REPORTS_MAIL_TO") or ""
        addresses = [name.strip() for name in value.split(",") if name.strip()]
        if is_text(value) and all(mail_address_valid(name) for name in addresses):
            meaning["REPORTS_MAIL_TO"] = addresses
        else:
            invalid.add("REPORTS_MAIL_TO")

    for name in FLAGS:
        value = given(name)
        parsed = False if value is None else flag(value) if is_text(value) else None
        if parsed is None:
            invalid.add(name)
        else:
            meaning[name] = parsed

    for name, (lowest, highest, default) in NUMBERS.items():
        if name == "WORKER_HEARTBEAT_TIMEOUT" and not worker:
            continue
        value = given(name)
        parsed = default if value is None else number(value, lowest, highest)
        if value is not None and parsed is None:
            invalid.add(name)
        else:
            meaning[name] = parsed

    # An HTTP(S) URL as pydantic's HttpUrl reads it, normalised as it writes it.
    value = given("OTEL_EXPORTER_OTLP_ENDPOINT")
    parts = read("http", value) if value and is_text(value) else {"error": "not text"}
    if value is None:
        meaning["OTEL_EXPORTER_OTLP_ENDPOINT"] = None
    elif "error" in parts:
        invalid.add("OTEL_EXPORTER_OTLP_ENDPOINT")
    else:
        meaning["OTEL_EXPORTER_OTLP_ENDPOINT"] = parts["url"]

    # In any case, as Python's str.upper() and str.lower() read it.
    value = given("LOG_LEVEL")
    level = "INFO" if value is None else value.upper()
    if level in LEVELS:
        meaning["LOG_LEVEL"] = level
    else:
        invalid.add("LOG_LEVEL")
    value = given("LOG_FORMAT")
    style = "json" if value is None else value.lower()
    if style in FORMATS:
        meaning["LOG_FORMAT"] = style
    else:
        invalid.add("LOG_FORMAT")

    value = given("ALLOWED_HOSTS")
    names = [] if value is None else hosts(value) if is_text(value) else None
    if names is None or (not names and meaning.get("DEBUG") is False):
        invalid.add("ALLOWED_HOSTS")
    else:
        meaning["ALLOWED_HOSTS"] = names

    return Expected(meaning, invalid, passwords)


def secret_values(
    env: dict[str, str], dotenv: dict[str, str], files: dict[str, str | None], read: Reader
) -> list[str]:
    """The secrets of an environment that no message may show."""
    found = []
    for name in SECRETS:
        path = env.get(f"{name}_FILE", "")
        for value in (env.get(name), dotenv.get(name), files.get(path)):
            if not value:
                continue
            if name == "SECRET_KEY":
                found.append(value)
                continue
            if match := re.search(r"://[^:/@]*:([^@]+)@", value):
                found += [match[1], unquote(match[1])]
            if is_text(value) and name != "EMAIL_URL":
                kind = "database" if name == "DATABASE_URL" else "redis"
                found.append(password_of(read(kind, value)) or "")
    given = {**dotenv, **env}
    others = " ".join(value for name, value in given.items() if name not in SECRETS)
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


def check_database(framework: str, found: dict, expected: dict) -> None:
    """The settings hold the database as the library read it, with the documented changes."""
    for part, value in expected.items():
        if part == "name" and framework == "flask" and value != ":memory:":
            # SQLite made absolute, relative to the working directory.
            assert Path(found[part]) == Path(value), (found, expected)
        else:
            assert found[part] == value, (part, found, expected)
    assert found.keys() == expected.keys(), (found, expected)


def check_shown(framework: str, shown: dict, expected: Expected) -> None:
    """`describe()` gives every setting by name, each secret masked."""
    assert shown.keys() >= expected.settings.keys(), shown
    for name, value in expected.settings.items():
        if name not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL") or value is None:
            assert shown[name] == (MASK if name == "SECRET_KEY" else value), (name, shown)
        elif expected.passwords.get(name):
            assert ":***@" in shown[name], (name, shown[name])
    database = expected.settings["DATABASE_URL"]
    scheme = database["driver"] if framework == "flask" else database["ENGINE"].split(".")[-1]
    scheme = {"sqlite3": "sqlite"}.get(scheme, scheme)
    assert shown["DATABASE_URL"].startswith(f"{scheme}://"), (shown, database)


# ---------------------------------------------------------------------------------------
# Strategies.
# ---------------------------------------------------------------------------------------

UNICODE = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))
# White space, and two characters that str.strip() drops but pydantic does not.
SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2003", "\x1c", "\u200b"])
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
        st.tuples(valid, st.sampled_from([".0", ".00", ".5", ".", "e0", "_", "__0"])).map("".join),
        valid.map("_".join),
        st.integers(1000, 9999).map(lambda n: f"{n // 1000}_{n % 1000:03}"),
        st.sampled_from(["abc", "1.5", "1e3", "0x10", "true", "-0", "\u0663", "\uff18", "\u00b2"]),
        UNICODE.filter(lambda text: len(text) < 8),
    )


def flags() -> st.SearchStrategy[str]:
    words = [*TRUE_WORDS, *FALSE_WORDS]
    return st.one_of(
        recased(words),
        wrapped(st.sampled_from(words)),
        lookalike(["true", "false", "yes", "on"]),
        st.sampled_from(["2", "-1", "tr", "ye", "of", "enable", "disabled", "none", "1.0"]),
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
URL_HOSTS = ["localhost", "db.internal", "127.0.0.1", "[::1]", "db-1.example.com", "my_db", ""]


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
        st.sampled_from(
            ["", "?sslmode=require", "?connect_timeout=3", "?application_name=x&sslmode=prefer"]
        )
    )
    return f"{scheme}://{draw(userinfo())}{draw(host_port())}/{name}{query}"


@st.composite
def sqlite_urls(draw) -> str:
    segments = draw(st.lists(st.one_of(SAFE_TEXT, URL_TEXT), min_size=1, max_size=3))
    path = "/".join(segments)
    return draw(st.sampled_from([f"sqlite:///{path}", f"sqlite:////tmp/{path}"]))


@st.composite
def redis_urls(draw) -> str:
    scheme = draw(st.sampled_from(["redis", "rediss", "unix"]))
    query = draw(st.sampled_from(["", "?db=2", "?socket_timeout=2", "?health_check_interval=x"]))
    if scheme == "unix":
        return f"unix://{draw(userinfo())}/run/redis/redis.sock{query}"
    db = draw(st.sampled_from(["", "/", "/0", "/13", "/007"]))
    return f"{scheme}://{draw(userinfo())}{draw(host_port())}{db}{query}"


# Notable URLs: malformed ones, other schemes, and the edges of what each library reads
# (dj-database-url reads `sqlite:db`, `SQLITE:///x` and ` sqlite:///x`, SQLAlchemy does not).
ODD_URLS = [
    "nonsense", "sqlite:db", "SQLITE:///x", " sqlite:///x", "sqlite://", "sqlite:///",
    "sqlite://host/db", "sqlite+aiosqlite:///db", "postgres://h", "postgres://h/",
    "postgres://h:0/db", "postgres://h:99999/db", "postgres://h:abc/db", "postgres://[::1/db",
    "pgsql://h/db", "postgresql+psycopg://h/db", "mysql://u:p@h/db", "http://h/db", "redis:",
    "redis://h:99999/0", "redis://h?socket_timeout=abc", "REDIS://h", "redis+sentinel://h/0",
    "file:///etc/passwd", "//h/db", "://", "",
]  # fmt: skip


@st.composite
def email_urls(draw) -> str:
    scheme = draw(st.sampled_from(["smtp", "smtps", "console"]))
    if scheme == "console":
        return draw(st.sampled_from(["console:", "console://"]))
    user, password = draw(SAFE_TEXT), "pw" + quote(draw(URL_TEXT), safe="")
    login = draw(st.sampled_from(["", f"{user}:{password}@"]))
    host = draw(st.sampled_from(["mail.example.com", "127.0.0.1", "[::1]", "relay_1.internal"]))
    port = draw(st.sampled_from(["", ":25", ":465", ":587", ":2525"]))
    return f"{scheme}://{login}{host}{port}{draw(st.sampled_from(['', '/']))}"


ADDRESSES = ["ops@example.com", "Ops <ops@example.com>", "\u00e9@example.org", "a@b"]
BAD_ADDRESSES = ["nobody", "ops@example.com\n", "ops\x01@example.com", "ops at example.com"]


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
        st.sampled_from(ODD_URLS),
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
        "EMAIL_URL": (
            st.one_of(missing, email_urls()),
            st.one_of(missing, email_urls(), broken_urls(email_urls())),
        ),
        "DEFAULT_FROM_EMAIL": (
            st.one_of(st.none(), st.sampled_from(ADDRESSES)),
            st.one_of(missing, st.sampled_from(ADDRESSES + BAD_ADDRESSES), UNICODE),
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
    table["OTEL_EXPORTER_OTLP_ENDPOINT"] = (
        st.one_of(missing, st.sampled_from(OTLP_ENDPOINTS[:3])),
        st.one_of(missing, st.sampled_from(OTLP_ENDPOINTS), UNICODE),
    )
    for name, (lowest, highest, _) in NUMBERS.items():
        if name == "WORKER_HEARTBEAT_TIMEOUT" and not worker:
            continue
        valid = st.integers(lowest, highest or 10**9).map(str)
        table[name] = (st.one_of(st.none(), valid), st.one_of(missing, numbers(lowest, highest)))
    if worker:
        table["REPORTS_MAIL_TO"] = (
            st.one_of(missing, host_lists(ADDRESSES)),
            st.one_of(missing, host_lists(ADDRESSES + BAD_ADDRESSES), UNICODE),
        )
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


# Local `.env` files, by name: as the post-gen hook writes one, one with names in another
# case (other variables, not read), and one with bad values; the fixture adds a copy of
# the project's `.env.example` as "example".
DOTENV_KEY = "dotenv-key-" + "z1x2c3v4b5n6" * 5
DOTENVS = {
    "local": f"SECRET_KEY={DOTENV_KEY}\nDEBUG=true\nDATABASE_URL=sqlite:///dotenv.sqlite3\n"
    "LOG_FORMAT=console\n",
    "odd": "# local\ndebug=true\nSecret_Key=x\nREDIS_URL=redis://:dotenvpassword9@cache:6379/1\n"
    "LOG_LEVEL=warning\nALLOWED_HOSTS=dotenv.example\n",
    "bad": "PORT=abc\nLOG_LEVEL=verbose\nSECRET_KEY=short\nWEB_CONCURRENCY=2.0\n"
    "DATABASE_URL=mysql://app:dotenvpassword8@h/db\n",
}
DOTENV_NAMES = st.one_of(st.none(), st.sampled_from(["local", "example", "odd", "bad"]))


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
        "EMAIL_URL": {
            "good": f"smtps://mailer:{FILE_PASSWORD}@mail.internal:465\n".encode(),
            "bad": f"smtp://mailer:{FILE_PASSWORD}@mail.internal:99999\n".encode(),
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
from pathlib import Path
framework, project, slug = sys.argv[1:]
sys.path.insert(0, project)
import redis
from pydantic import AnyUrl, HttpUrl, SecretStr, TypeAdapter
from redis.connection import parse_url
config = __import__(f"{slug}.config", fromlist=["load_settings"])
if framework == "flask":
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
else:
    import dj_database_url
DJANGO_PARTS = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")


def database_parts(url):
    # A database URL's parts, as the framework's library holds them.
    if framework == "django":
        return {part: url.get(part, {} if part == "OPTIONS" else None) for part in DJANGO_PARTS}
    query = {key: value if isinstance(value, str) else list(value)
             for key, value in url.query.items()}
    return {
        "driver": url.drivername, "backend": url.get_backend_name(), "host": url.host,
        "port": url.port, "name": url.database, "user": url.username,
        "password": url.password, "query": query,
    }


def read(kind, value):
    # What the library makes of a URL as written, apart from the settings.
    try:
        if kind == "http":
            return {"url": str(TypeAdapter(HttpUrl).validate_python(value))}
        if kind == "redis":
            return {key: getattr(part, "__name__", part) for key, part in parse_url(value).items()}
        if framework == "flask":
            return database_parts(make_url(value))
        return database_parts(dj_database_url.parse(value))
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}


for line in sys.stdin:
    request = json.loads(line)
    if "read" in request:
        print(json.dumps(read(*request["read"])), flush=True)
        continue
    os.environ.clear()
    os.environ.update(request["env"])
    if request["dotenv"] is None:
        Path(".env").unlink(missing_ok=True)
    else:
        Path(".env").write_text(request["dotenv"], encoding="utf-8")
    try:
        settings = config.load_settings()
    except SystemExit as stop:
        answer = {"exit": stop.code if stop.code is None else str(stop.code)}
    except BaseException:
        answer = {"crash": traceback.format_exc()}
    else:
        try:
            values = {}
            for name in type(settings).model_fields:
                value = getattr(settings, name)
                if isinstance(value, SecretStr):
                    value = value.get_secret_value()
                elif name == "DATABASE_URL":
                    value = database_parts(value)
                elif isinstance(value, AnyUrl):
                    value = str(value)
                values[name] = value
            # The framework can use what was accepted.
            if framework == "flask":
                create_engine(settings.DATABASE_URL).dispose()
            if settings.REDIS_URL:
                redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
            answer = {"settings": values, "shown": settings.describe()}
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
        self.readings: dict[tuple[str, str], dict] = {}

    def ask(self, request: dict) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the loader process died"
        return json.loads(line)

    def load(self, env: dict[str, str], dotenv: str | None) -> dict:
        """Load the settings from the environment, with this `.env` in the working directory."""
        return self.ask({"env": env, "dotenv": dotenv})

    def read(self, kind: str, url: str) -> dict:
        """What the framework's library (redis-py for "redis") reads in the URL as written."""
        if (kind, url) not in self.readings:
            self.readings[kind, url] = self.ask({"read": [kind, url]})
        return self.readings[kind, url]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()


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
    dotenvs: dict[str, str]
    tried: dict[str, int] = field(default_factory=lambda: {"valid": 0, "invalid": 0})

    def expect(
        self, env: dict[str, str], dotenv: str | None, cwd: Path, files: dict | None = None
    ) -> Expected:
        """What the docs say the environment means, for a process in `cwd`."""
        files = self.files if files is None else files
        framework, worker = self.deployed.framework, has_worker(self.deployed)
        return oracle(env, read_dotenv(dotenv), files, framework, cwd, self.loader.read, worker)

    def check(self, env: dict[str, str], dotenv_name: str | None = None) -> bool:
        """Load the environment; it means what the oracle says, or stops as it says.

        Return whether it was valid.
        """
        dotenv = None if dotenv_name is None else self.dotenvs[dotenv_name]
        expected = self.expect(env, dotenv, self.cwd)
        secrets = secret_values(env, read_dotenv(dotenv), self.files, self.loader.read)
        answer = self.loader.load(env, dotenv)
        assert "crash" not in answer, answer.get("crash")
        if expected.invalid:
            self.tried["invalid"] += 1
            assert "exit" in answer, (env, dotenv_name, expected.invalid, answer)
            check_message(answer["exit"], expected, secrets)
            return False
        self.tried["valid"] += 1
        assert "settings" in answer, (env, dotenv_name, answer)
        found, want = answer["settings"], expected.settings
        database = found.pop("DATABASE_URL")
        assert found == {name: value for name, value in want.items() if name != "DATABASE_URL"}
        check_database(self.deployed.framework, database, want["DATABASE_URL"])
        check_shown(self.deployed.framework, answer["shown"], expected)
        shown = json.dumps(answer["shown"], ensure_ascii=False)
        for secret in secrets:
            assert secret not in shown, f"a secret is shown:\n{shown}"
        return True


@pytest.fixture(scope="module")
def loading(deployed, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"env-{deployed.framework}")
    paths, files = secret_files(folder / "secrets")
    loader = Loader(deployed, folder)
    dotenvs = {**DOTENVS, "example": (deployed.path / ".env.example").read_text()}
    yield Loading(deployed, loader, folder, paths, files, dotenvs)
    loader.close()


GOOD_DATABASE_URLS = [
    "sqlite:///db.sqlite3", "sqlite:////var/data/app.db", "sqlite:///:memory:",
    "sqlite:///data/caf\u00e9.db", "sqlite+pysqlite:///db", "postgres:///app",
    "postgres://app:p%40ss%2Fw%3Ard@db:5432/app", "postgres://u:a:b+c@h/db", "postgres://:@h/db",
    "postgresql://[::1]/app?sslmode=require&connect_timeout=3",
]  # fmt: skip
GOOD_REDIS_URLS = [
    "redis://h", "redis://", "redis://127.0.0.1:6379/13", "rediss://:p%40ss@cache:6380/2",
    "redis://user:pw@[::1]:6379/0", "unix:///run/redis.sock?db=2", "redis://h/0?socket_timeout=2",
]  # fmt: skip
OTLP_ENDPOINTS = [
    "http://collector:4318", "https://otel.example.com/", "HTTP://Collector:4318/x",
    "collector:4318", "ftp://collector", "http://", "http://h:99999", "http://h\u00e9",
]  # fmt: skip
# Notable values of each variable, each tried alone in an otherwise valid environment.
LISTED = {
    "SECRET_KEY": ["", "short-secret", "a" * 60, "ab" * 40, "x" * 49 + "abcd", "x" * 46 + "abcd"],
    "DEBUG": ["", "true", "FALSE", "Yes", "off", "1", "0", "t", "Y", "f", "N", "2", " true",
              "true\n", "tru\u0435", "none"],
    "DATABASE_URL": [*ODD_URLS, *GOOD_DATABASE_URLS, *GOOD_REDIS_URLS],
    "REDIS_URL": [*ODD_URLS, *GOOD_REDIS_URLS, *GOOD_DATABASE_URLS],
    "ALLOWED_HOSTS": [*HOST_NAMES, *BAD_HOST_NAMES, ",", " , ", "a.com,,b.org", "a.com, *"],
    "LOG_LEVEL": ["", "warning", "Error", "WARN", " INFO", "\u0131nfo", "INFO\u200b"],
    "LOG_FORMAT": ["", "console", "JSON", "xml", "json ", "j\u0455on"],
    "PORT": ["", "0", "1", "65535", "65536", "99999", "-1", "abc", " 8000", "8000\u00a0",
             "\x1c8000", "08000", "8_000", "8__000", "+8000", "8000.0", "80.5", "1e3",
             "\u0668\u0660"],
    "WEB_CONCURRENCY": ["", "0", "1", "64", "65", "abc", "-1", " 2", "+2", "0_2", "2.0",
                        "\u0662"],
    "WORKER_HEARTBEAT_TIMEOUT": ["", "1", "2", "3600", "3601", "15.5", "15.00"],
    "MAX_REQUEST_BYTES": ["", "1023", "1024", "1_048_576", "1" + "0" * 30, "1" + "0" * 4301,
                          "1e6", "1MB"],
    "SECURE_HSTS_SECONDS": ["", "0", "-0", "31536000", "-1", "1y"],
    "SECURE_SSL_REDIRECT": ["", "ON", "no", "y", "maybe"],
    "EMAIL_URL": [*ODD_URLS, "console:", "console://", "CONSOLE:", "console", "console:x",
                  "smtp://h", "smtp://h:587", "smtps://u:p%40ss@h:465/", "smtp://u:p@ss@h",
                  "smtp://u@h", "smtp://:pw@h", "smtp://u:@h", "smtp://h:0", "smtp://h:65536",
                  "smtp://h:", "smtp://h:000025", "smtp://[::1]:25", "smtp://[::1", "smtp://h//",
                  "smtp://h/x", "smtp://h?x=1", "smtp://u:p[w@h", "smtp://ex ample", "SMTP://h",
                  "smtp://h\u00e9", "smtp://u:p:w@h:25", "smtp://h:25x", "smtp://[::1]x",
                  "smtp://u:p\tw@h"],
    "DEFAULT_FROM_EMAIL": ["", *ADDRESSES, *BAD_ADDRESSES, "\u2028@x"],
    "REPORTS_MAIL_TO": ["", *ADDRESSES, "a@b, c@d", " a@b ,, c@d ", "a@b,nobody", ",",
                        "a@b\x01"],
    "METRICS_PORT": ["", "0", "1", "9100", "65534", "65535", "9100.0", "abc"],
    "OTEL_EXPORTER_OTLP_ENDPOINT": [*OTLP_ENDPOINTS, *ODD_URLS],
}  # fmt: skip


def listed_environments(loading: Loading) -> list[tuple[dict[str, str], str | None]]:
    """Each notable value alone in a valid environment, and the `.env` files."""
    base = {"SECRET_KEY": FILE_KEY, "DATABASE_URL": "sqlite:///db", "ALLOWED_HOSTS": "a.com"}
    cases = [{**base, name: value} for name, values in LISTED.items() for value in values]
    for secret in SECRETS:
        for path in sorted(loading.paths[secret]):
            env = {name: value for name, value in base.items() if name != secret}
            cases += [{**env, f"{secret}_FILE": path}, {**base, f"{secret}_FILE": path}]
    # Names in another case are other variables, not these.
    cases += [{name.lower(): value for name, value in base.items()}, {**base, "debug": "true"}]
    # `.env` fills in what is unset or empty, and never overrides a real variable.
    empty = {name: "" for name in [*base, "DEBUG", "REDIS_URL", "PORT", "LOG_LEVEL"]}
    key_file = sorted(loading.paths["SECRET_KEY"])
    with_dotenv = [
        (empty, None),
        *[(env, name) for name in loading.dotenvs for env in ({}, base, empty)],
        ({**base, "PORT": "9000", "LOG_LEVEL": "error"}, "bad"),
        ({**base, "WEB_CONCURRENCY": ""}, "example"),
        *[({"SECRET_KEY_FILE": path}, "local") for path in key_file],
    ]
    return [(env, None) for env in cases] + with_dotenv


def test_listed_values_mean_what_the_docs_say_or_stop_with_one_message(loading, figures):
    """Notable values, the bugs once found among them, each alone in a valid environment."""
    cases = listed_environments(loading)
    valid = sum(loading.check(env, dotenv) for env, dotenv in cases)
    figures[f"env listed values ({loading.deployed.framework}): valid, invalid cases"] = (
        f"{valid}, {len(cases) - valid}"
    )


def test_settings_mean_what_the_docs_say_or_stop_with_one_message(loading, figures):
    """Every environment gives the documented settings, or one message naming the bad."""
    table = variables(has_worker(loading.deployed), loading.paths)
    loading.tried.update(valid=0, invalid=0)

    @budget(800)
    @given(environments(table), DOTENV_NAMES)
    def check(env: dict[str, str], dotenv_name: str | None) -> None:
        loading.check(env, dotenv_name)

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
    table["PORT"] = (st.just(FREE), st.sampled_from([FREE, "abc", "0", "70000", f" {FREE}"]))
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


def test_web_and_check_config_agree_on_every_environment(deployed, loading, tmp_path, figures):
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
        port = str(free_port())
        env = {name: value.replace(FREE, port) for name, value in drawn.items()}
        expected = loading.expect(env, None, deployed.path, files)
        secrets = secret_values(env, {}, files, loading.loader.read)
        check_config = run(
            ["sh", "-c", f"exec {deployed.admin('check-config')}"],
            cwd=deployed.path,
            env=deployed.env(**env),
            check=False,
            timeout=60,
        )
        served, code, web_stdout, web_stderr = run_web(
            deployed, env, expected.settings.get("PORT", 0), tmp_path
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
            assert "Traceback" not in web, web
            assert web_stderr == check_config.stderr, (web_stderr, check_config.stderr)
        else:
            tried["served"] += 1
            assert check_config.returncode == 0, check_config.stderr
            assert "Traceback" not in everything, everything
            lines = check_config.stdout.splitlines()
            assert lines[0] == "configuration is valid"
            for name in ("DEBUG", "PORT", "WEB_CONCURRENCY", "LOG_LEVEL", "LOG_FORMAT"):
                assert f"{name}={expected.settings[name]}" in lines, (name, lines)
            assert f"ALLOWED_HOSTS={expected.settings['ALLOWED_HOSTS']}" in lines
            assert f"SECRET_KEY={MASK}" in lines, lines
            assert served, web
            assert code == 0, web

    check()
    figures[f"env property, processes ({deployed.framework}): served, stopped cases"] = (
        f"{tried['served']}, {tried['stopped']}"
    )
    assert min(tried.values()) >= 2, tried
