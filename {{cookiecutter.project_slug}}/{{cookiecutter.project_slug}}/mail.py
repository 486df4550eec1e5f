"""Mail, an attached resource named by EMAIL_URL (factor IV: backing services).

The framework's own mail layer sends it; this reads the URL (see .env.example).
`smtp://` logs in only after STARTTLS, so a password never travels in clear.
"""

import logging
import re
from urllib.parse import unquote

from {{cookiecutter.project_slug}}.limits import EMAIL_TIMEOUT

SMTP_URL = re.compile(
    r"(?P<scheme>smtps?)://"
    r"(?:(?P<user>[^:@/?#\[\]\s]+):(?P<password>[^@/?#\[\]\s]+)@)?"
    r"(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?/?"
)
CONSOLE = ("console:", "console://")

log = logging.getLogger(__name__)


def smtp_options(url: str) -> dict[str, object] | None:
    """Return the SMTP server's options that the URL gives, or None if it gives none."""
    match = SMTP_URL.fullmatch(url)
    if not match or not url.isascii() or not url.isprintable():
        return None
    port = int(match["port"] or (465 if match["scheme"] == "smtps" else 25))
    if not 1 <= port <= 65535:
        return None
    user = unquote(match["user"] or "")
    return {
        "server": match["host"].strip("[]"),
        "port": port,
        "username": user,
        "password": unquote(match["password"] or ""),
        "use_ssl": match["scheme"] == "smtps",
        "use_tls": match["scheme"] == "smtp" and bool(user),
        "timeout": EMAIL_TIMEOUT,
    }


def email_url(value: str) -> str:
    """Return the URL if it names a way to send mail, else say what it must be."""
    if value not in CONSOLE and smtp_options(value) is None:
        raise ValueError(
            "must be smtp://user:password@host:587 (STARTTLS),"
            " smtps://user:password@host:465, smtp://host:25 (no login) or console:;"
            " percent-encode the user and password"
        )
    return value


def backend(url: str | None, debug: bool, smtp: str) -> str:
    """Return the dotted path of EMAIL_URL's backend; `smtp` is the framework's."""
    if url is None:
        return f"{__name__}.{'Console' if debug else 'Unset'}EmailBackend"
    return f"{__name__}.ConsoleEmailBackend" if url in CONSOLE else smtp


class ConsoleEmailBackend:
    """Log each message as one line, its headers and size, and send nothing."""

    def __init__(self, fail_silently: bool = False, **options: object) -> None:
        self.fail_silently = fail_silently

    def send_messages(self, messages: list) -> int:
        for message in messages:
            mime = message.message()
            mail = {name.lower(): mime[name] for name in ("From", "To", "Subject")}
            mail["bytes"] = len(mime.as_bytes())
            log.info("mail logged, not sent: %s", mail, extra={"mail": mail})
        return len(messages)


class UnsetEmailBackend(ConsoleEmailBackend):
    """Refuse to send: EMAIL_URL is unset and DEBUG is off."""

    def send_messages(self, messages: list) -> int:
        raise RuntimeError("EMAIL_URL is not set: set it to send mail")
