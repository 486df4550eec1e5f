"""Mail as an attached resource (IV), sent by the worker (VIII), that fails soft (IX).

A real SMTP server (aiosmtpd) runs on 127.0.0.1 inside the tests, with AUTH, and TLS
from a test certificate authority (trustme) that the processes trust through
SSL_CERT_FILE: STARTTLS on one port, TLS from the start (smtps) on another. Each
framework's default project runs its Procfile's web and worker lines against
PostgreSQL and Redis (as in test_backing), and its send-test-email command.
"""

import gc
import json
import socket
import ssl
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import SECRET_KEY, free_port, platform_env, run
from test_backing import HTTPS, Service, get_report, released_service, wait_until

USER = "mailer"
# Characters that must be percent-encoded in EMAIL_URL, and long enough to spot.
PASSWORD = "s3cret:p@ss/w0rd-" + SECRET_KEY[:12]
SENDER = "Reports <reports@service.example.com>"
OPERATORS = ["ops@example.com", "oncall@example.org"]
# What a caller might try, to make the service mail someone else: a spam relay.
INTRUDER = "intruder@attacker.example"
EMAIL_TIMEOUT = 5  # limits.py


@dataclass
class MailServer:
    """An aiosmtpd server that keeps what it receives."""

    port: int
    received: list[dict] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content)
        self.received.append(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "from": message["From"],
                "to": message["To"],
                "subject": message["Subject"],
                "tls": server.transport.get_extra_info("ssl_object") is not None,
                "raw": envelope.content.decode(errors="replace"),
            }
        )
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    def start(self, tls: ssl.SSLContext, implicit: bool = False) -> "MailServer":
        # AUTH required after STARTTLS; with smtps the line is TLS already, but
        # aiosmtpd does not know it, so AUTH is only offered there.
        options = {"tls_context": tls, "auth_required": True}
        if implicit:
            options = {"ssl_context": tls, "auth_require_tls": False}
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.authenticate,
            server_hostname="127.0.0.1",
            **options,
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
            # aiosmtpd leaves the connections of clients that gave up (after a refused
            # login) to the garbage collector, which warns about each.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                gc.collect()

    def url(self, scheme: str = "smtp", password: str = PASSWORD) -> str:
        return f"{scheme}://{USER}:{quote(password, safe='')}@127.0.0.1:{self.port}"


@dataclass
class Authority:
    """A test certificate authority: the server's TLS, and the file clients trust."""

    server: ssl.SSLContext
    bundle: Path


@pytest.fixture(scope="module")
def authority(tmp_path_factory) -> Authority:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return Authority(context, bundle)


@pytest.fixture
def mail_server(authority) -> Iterator[MailServer]:
    server = MailServer(free_port()).start(authority.server)
    yield server
    server.stop()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def send_test_email(deployed, authority, email_url: str | None, **extra: str):
    """Run the send-test-email admin command; return its result and seconds taken."""
    env = platform_env(deployed, "sqlite:///unused.sqlite3", SSL_CERT_FILE=str(authority.bundle))
    env |= {"DEFAULT_FROM_EMAIL": SENDER, **extra}
    if email_url is not None:
        env["EMAIL_URL"] = email_url
    started = time.monotonic()
    command = deployed.admin("send-test-email --to someone@example.com")
    result = run(command, cwd=deployed.path, env=env, check=False, timeout=60)
    return result, time.monotonic() - started


def output(*processes) -> str:
    return "".join(line for process in processes for line in process.stdout + process.stderr)


def assert_no_password(text: str) -> None:
    for secret in (PASSWORD, quote(PASSWORD, safe="")):
        assert secret not in text, "the mail password is in the output"


def test_send_test_email_delivers_over_starttls_and_smtps(deployed, authority, figures):
    """The admin command delivers with STARTTLS and with smtps, logged in, certificate checked."""
    starttls = MailServer(free_port()).start(authority.server)
    smtps = MailServer(free_port()).start(authority.server, implicit=True)
    try:
        for server, scheme in ((starttls, "smtp"), (smtps, "smtps")):
            result, seconds = send_test_email(deployed, authority, server.url(scheme))
            assert result.returncode == 0, result.stdout + result.stderr
            assert "sent a test message to someone@example.com" in result.stdout
            assert_no_password(result.stdout + result.stderr)
            [message] = server.received
            assert message["tls"] and server.logins == [USER]
            assert (message["from"], message["rcpt_tos"]) == (SENDER, ["someone@example.com"])
            assert message["subject"] == "Test message"
            figures[f"{deployed.framework}: send-test-email over {scheme}"] = f"{seconds:.2f} s"
        # Without the test authority, the server's certificate is refused.
        result, _ = send_test_email(deployed, authority, smtps.url("smtps"), SSL_CERT_FILE="")
        assert result.returncode != 0 and "SSL" in result.stderr, result.stderr
        assert len(smtps.received) == 1
    finally:
        starttls.stop()
        smtps.stop()


def test_send_test_email_fails_clearly_without_a_server(
    deployed, authority, mail_server, silent_port, figures
):
    """Wrong password, closed port, silent server, unset: one error, no hang, no password."""
    cases = {
        "wrong password": (mail_server.url(password="wrong-" + PASSWORD), "SMTPAuthentication"),
        "closed port": (f"smtp://127.0.0.1:{free_port()}", "ConnectionRefusedError"),
        "silent server": (f"smtp://127.0.0.1:{silent_port}", "timed out"),
        "EMAIL_URL unset, DEBUG off": (None, "EMAIL_URL is not set"),
    }
    for case, (url, cause) in cases.items():
        result, seconds = send_test_email(deployed, authority, url)
        assert result.returncode != 0, case
        assert cause in result.stderr, (case, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert_no_password(result.stdout + result.stderr)
        assert seconds < EMAIL_TIMEOUT + 5, (case, seconds)
        figures[f"{deployed.framework}: send-test-email, {case}"] = f"fails in {seconds:.2f} s"
    assert mail_server.received == []


@pytest.mark.parametrize("email_url", ["console:", None], ids=["console", "unset-debug"])
def test_console_logs_one_json_line_per_message_without_the_body(deployed, authority, email_url):
    """`console:`, the default with DEBUG on, logs the headers and size, never the body."""
    result, _ = send_test_email(deployed, authority, email_url, DEBUG="true")
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(line) for line in result.stdout.splitlines() if '"mail"' in line]
    assert line["mail"]["to"] == "someone@example.com"
    assert line["mail"]["from"] == SENDER
    assert line["mail"]["subject"] == "Test message"
    assert line["mail"]["bytes"] > 100
    assert "EMAIL_URL works" not in result.stdout


def post_report_with_a_recipient(web) -> dict:
    """POST /reports, naming another recipient in every way a request could."""
    connection = HTTPConnection("127.0.0.1", web.port, timeout=10)
    body = json.dumps({"to": INTRUDER, "email": INTRUDER, "recipients": [INTRUDER]})
    headers = {**HTTPS, "Content-Type": "application/json", "To": INTRUDER, "X-Mail-To": INTRUDER}
    connection.request("POST", f"/reports?to={INTRUDER}&email={INTRUDER}", body, headers)
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    assert response.status == 202, answer
    return json.loads(answer)


@pytest.fixture
def service(deployed, authority) -> Iterator[Service]:
    """A released service with the mail settings, trusting the test authority."""
    with released_service(
        deployed,
        DEFAULT_FROM_EMAIL=SENDER,
        REPORTS_MAIL_TO=", ".join(OPERATORS),
        SSL_CERT_FILE=str(authority.bundle),
    ) as service:
        yield service


def wait_for_mail_status(web, report_id: int, status: str, timeout: float) -> dict:
    return wait_until(
        lambda: (r := get_report(web, report_id))["mail_status"] == status and r,
        timeout=timeout,
        what=f"report {report_id}'s mail to be {status}",
    )


def test_worker_mails_a_done_report_to_the_operators_only(service, authority, mail_server, figures):
    """The worker mails the report to REPORTS_MAIL_TO; no request field chooses a recipient."""
    service.env["EMAIL_URL"] = mail_server.url()
    web, worker = service.web(), service.worker()
    started = time.monotonic()
    report = post_report_with_a_recipient(web)
    done = wait_for_mail_status(web, report["id"], "sent", timeout=30)
    figures[f"{service.deployed.framework}: report posted to mail received"] = (
        f"{time.monotonic() - started:.2f} s"
    )
    assert done["status"] == "done"
    [message] = mail_server.received
    assert message["tls"] and mail_server.logins == [USER]
    assert message["from"] == SENDER
    assert message["rcpt_tos"] == OPERATORS
    assert message["to"] == ", ".join(OPERATORS)
    assert message["subject"] == f"Report {report['id']}: 0 visits"
    assert INTRUDER not in message["raw"]
    worker.wait_for_line(lambda line: f"report {report['id']} mailed" in line)
    assert worker.stop()[0] == 0
    assert_no_password(output(web, worker))


def test_mail_failures_are_retried_then_given_up_and_mail_arrives_once_back(
    service, authority, figures
):
    """Port closed, then wrong password: retried with backoff, then failed; then delivered."""
    port = free_port()
    service.env["EMAIL_URL"] = MailServer(port).url()
    web, worker = service.web(), service.worker()
    framework = service.deployed.framework
    causes = {"closed port": "ConnectionRefusedError", "wrong password": "SMTPAuthentication"}
    server = MailServer(port)
    try:
        for case, cause in causes.items():
            if case == "wrong password":
                # A server that knows another password: it refuses the login.
                server.authenticate = lambda *args: AuthResult(success=False, handled=False)
                server.start(authority.server)
            started = time.monotonic()
            report = post_report_with_a_recipient(web)
            answered = time.monotonic() - started
            assert answered < 2, f"the request waited {answered:.1f} s on the mail server"
            failed = wait_for_mail_status(web, report["id"], "failed", timeout=40)
            assert failed["status"] == "done"
            figures[f"{framework}: mail job, {case}"] = (
                f"request {answered:.2f} s, gave up after {time.monotonic() - started:.1f} s"
            )
            lines = [line for line in worker.stdout if f"report {report['id']} not mailed" in line]
            assert len(lines) == 5, lines  # four tries, then the give-up
            assert all(cause in line for line in lines[:4]), lines
        # The server is back, with the right password: the next report's mail arrives.
        server.stop()
        del server.authenticate
        server.start(authority.server)
        report = post_report_with_a_recipient(web)
        wait_for_mail_status(web, report["id"], "sent", timeout=30)
        [message] = server.received
        assert message["subject"] == f"Report {report['id']}: 0 visits"
    finally:
        server.stop()
    retried = [json.loads(line) for line in worker.stdout if "Retrying message" in line]
    assert len(retried) == 6
    assert worker.stop()[0] == 0
    assert_no_password(output(web, worker))
