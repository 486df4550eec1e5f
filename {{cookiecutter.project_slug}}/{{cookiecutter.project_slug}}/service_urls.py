"""What a backing service's URL must look like (factor IV: backing services).

`DATABASE_URL` goes to the framework's database layer and `REDIS_URL` to redis-py.
URL parsers disagree at the edges (an unencoded `@` in a password, a port out of
range, a missing host): the settings accept only URLs that every parser reads the
same way (host, port, database, user, password, options), and say what is wrong
with any other.
"""

import ipaddress
import re
from urllib.parse import parse_qsl, urlsplit

DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")
REDIS_SCHEMES = ("redis", "rediss")
DATABASE_EXAMPLES = (
    "sqlite:///relative/path, sqlite:////absolute/path"
    " or postgres://user:password@host:5432/name"
)
DATABASE_URLS = "sqlite:///db.sqlite3 or postgres://user:password@host:5432/name"
REDIS_EXAMPLES = "redis://host:6379/0 or rediss://:password@host:6380/0"
# A host in a backing service's URL: a name, an IPv4 address or an [IPv6] address.
URL_HOST = re.compile(r"[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]")


def url_problem(value: str, kind: str, schemes: tuple[str, ...], examples: str) -> str:
    """Return what makes a URL unusable before looking at its scheme's parts."""
    if any(char.isspace() or not char.isprintable() for char in value):
        return "must not contain spaces or control characters"
    scheme, colon, _ = value.partition(":")
    if not colon or scheme not in schemes:
        case = " (with the scheme in lower case)" if scheme.lower() in schemes else ""
        return f"must be a {kind} URL such as {examples}{case}"
    if "#" in value:
        return "must not contain #: percent-encode it in a password, as %23"
    return ""


def is_ipv6(text: str) -> bool:
    """Return whether the text is an IPv6 address."""
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def server_problem(value: str, example: str) -> str:
    """Return what is wrong with the user, password, host and port of a URL."""
    try:
        url = urlsplit(value)
    except ValueError:  # such as an unclosed [IPv6 address
        return f"must be a well-formed URL such as {example}"
    userinfo, _, hostport = url.netloc.rpartition("@")
    if "@" in userinfo or "[" in userinfo or "]" in userinfo:
        return (
            "must percent-encode any @, [ or ] in the user name or password, such as"
            " @ as %40"
        )
    host, colon, port = hostport, "", ""
    if hostport.startswith("["):
        end = hostport.find("]") + 1
        host, rest = hostport[:end], hostport[end:]
        colon, port = rest[:1], rest[1:]
        if rest and colon != ":":
            host = ""
    else:
        host, colon, port = hostport.partition(":")
    if not host:
        return f"must name a host: {example}"
    if not URL_HOST.fullmatch(host) or host.startswith("[") and not is_ipv6(host[1:-1]):
        return f"must name a host by name or address: {example}"
    if colon and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return (
            "must have a port from 1 to 65535 after the host's colon; percent-encode"
            " any /, ?, # or @ in the password"
        )
    return ""


def database_url_problem(value: str) -> str:
    """Return why DATABASE_URL cannot be used, or "" if it can."""
    problem = url_problem(value, "database", DATABASE_SCHEMES, DATABASE_URLS)
    if problem:
        return problem
    if value.startswith("sqlite:"):
        has_slashes = value.startswith("sqlite:///")
        path = value.removeprefix("sqlite:///") if has_slashes else ""
        if not path or path.endswith("/") or path.rsplit("/", 1)[-1] in (".", ".."):
            return f"must name a database: {DATABASE_EXAMPLES}"
        if "?" in path or "%" in path:
            return "must be sqlite:///path with no ? or % in the path"
        return ""
    example = "postgres://user:password@host:5432/name"
    problem = server_problem(value, example)
    if problem:
        return problem
    url = urlsplit(value)
    name = url.path.removeprefix("/")
    if not name:
        return f"must name a database: {DATABASE_EXAMPLES}"
    if "/" in name:
        return f"must name one database, with no / in its name: {example}"
    if "?" in value:
        try:
            options = parse_qsl(url.query, strict_parsing=True)
        except ValueError:
            options = []
        keys = [key for key, _ in options]
        if (
            not options
            or not all(key and option for key, option in options)
            or len(set(keys)) < len(keys)
        ):
            return (
                "must give options as ?name=value&name=value, each name once:"
                " postgres://user:password@host:5432/name?sslmode=require"
            )
    return ""


def redis_url_problem(value: str) -> str:
    """Return why REDIS_URL cannot be used, or "" if it can."""
    problem = url_problem(value, "Redis", REDIS_SCHEMES, REDIS_EXAMPLES)
    if problem:
        return problem
    if "?" in value:
        return f"must have no options (?...): {REDIS_EXAMPLES}"
    problem = server_problem(value, REDIS_EXAMPLES)
    if problem:
        return problem
    url = urlsplit(value)
    database = url.path.removeprefix("/")
    if database and not (database.isascii() and database.isdigit()):
        return f"must end with a database number, if any: {REDIS_EXAMPLES}"
    return ""
