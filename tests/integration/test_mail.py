"""Outbox e-mail goes out over a real local SMTP server (aiosmtpd), and SMTP is configured by env."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from engine.mail import Delivery, OutgoingMail, SmtpSettings, send_batch
from web.config import ConfigError, Settings

REFUSED = "nobody@example.com"
GREEK = "Καλημέρα, η εργασία «Έγκριση» σας περιμένει."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Handler:
    """Keeps what the server accepted; refuses REFUSED like a server without that mailbox."""

    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _text(message: EmailMessage) -> str:
    # Base64-encoded text carries canonical CRLF line ends (RFC 2045); compare plain lines.
    return message.get_content().replace("\r\n", "\n")


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"robot", b"s3cret")
    return AuthResult(success=ok, handled=False)


def _serve(handler: Handler, **smtp_options) -> Iterator[SmtpSettings]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **smtp_options)
    controller.start()  # returns once the server answers, so no sleeping is needed
    try:
        yield SmtpSettings(
            host="127.0.0.1", port=controller.port, sender="crm@example.com", timeout=5
        )
    finally:
        controller.stop()


@pytest.fixture
def handler() -> Handler:
    return Handler()


@pytest.fixture
def smtp(handler: Handler) -> Iterator[SmtpSettings]:
    yield from _serve(handler)


@pytest.fixture
def smtp_with_auth(handler: Handler) -> Iterator[SmtpSettings]:
    # Plain-text AUTH is fine on loopback; production would use starttls or ssl.
    yield from _serve(handler, authenticator=_authenticate, auth_require_tls=False)


def test_a_batch_is_delivered_with_recipients_subject_and_greek_body(smtp, handler):
    mails = [
        OutgoingMail(1, "ana@example.com", "Task waiting: Έγκριση", GREEK),
        OutgoingMail(2, "bo@example.com", "Plain subject", "Line one\nLine two\n"),
    ]
    assert send_batch(smtp, mails) == [Delivery(1, True), Delivery(2, True)]
    first, second = handler.received
    assert first.sender == "crm@example.com"
    assert first.recipients == ["ana@example.com"]
    assert first.message["To"] == "ana@example.com"
    assert first.message["From"] == "crm@example.com"
    assert first.message["Subject"] == "Task waiting: Έγκριση"
    assert _text(first.message) == GREEK + "\n"
    assert first.message["Message-ID"].endswith("@example.com>")
    assert first.message["Date"]
    assert second.recipients == ["bo@example.com"]
    assert second.message["Subject"] == "Plain subject"
    assert _text(second.message) == "Line one\nLine two\n"
    assert first.message["Message-ID"] != second.message["Message-ID"]


def test_a_refused_recipient_fails_only_its_own_mail(smtp, handler):
    mails = [
        OutgoingMail(1, REFUSED, "Hello", "body"),
        OutgoingMail(2, "ana@example.com", "Hello", "body"),
    ]
    refused, delivered = send_batch(smtp, mails)
    assert refused.id == 1 and not refused.sent
    assert refused.error == "550 5.1.1 mailbox unavailable"
    assert delivered == Delivery(2, True)
    assert [r.recipients for r in handler.received] == [["ana@example.com"]]


def test_server_down_fails_the_whole_batch_without_raising():
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=5)
    deliveries = send_batch(
        settings,
        [OutgoingMail(1, "a@example.com", "s", "b"), OutgoingMail(2, "b@example.com", "s", "b")],
    )
    assert [(d.id, d.sent) for d in deliveries] == [(1, False), (2, False)]
    assert deliveries[0].error and "ConnectionRefusedError" in deliveries[0].error
    assert deliveries[0].error == deliveries[1].error


@pytest.mark.parametrize(
    ("recipient", "subject"),
    [
        ("ana@example.com\r\nBcc: eve@example.com", "Hello"),
        ("ana@example.com", "Hello\nBcc: eve@example.com"),
        ("ana@example.com", "Hello\rX-Injected: yes"),
    ],
)
def test_header_injection_is_refused(smtp, handler, recipient, subject):
    mails = [
        OutgoingMail(1, recipient, subject, "body"),
        OutgoingMail(2, "bo@example.com", "ok", "b"),
    ]
    assert send_batch(smtp, mails) == [Delivery(1, False, "invalid header"), Delivery(2, True)]
    assert [r.recipients for r in handler.received] == [["bo@example.com"]]


def test_login_with_the_configured_credentials(smtp_with_auth, handler):
    settings = SmtpSettings(
        host=smtp_with_auth.host, port=smtp_with_auth.port, username="robot", password="s3cret"
    )
    assert send_batch(settings, [OutgoingMail(7, "ana@example.com", "s", "b")]) == [
        Delivery(7, True)
    ]
    assert len(handler.received) == 1


def test_a_rejected_login_fails_the_batch(smtp_with_auth, handler):
    settings = SmtpSettings(
        host=smtp_with_auth.host, port=smtp_with_auth.port, username="robot", password="wrong"
    )
    [delivery] = send_batch(settings, [OutgoingMail(7, "ana@example.com", "s", "b")])
    assert not delivery.sent
    assert delivery.error and delivery.error.startswith("535")
    assert handler.received == []


def _settings(tmp_path: Path, **smtp_env: str) -> Settings:
    env = {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_SECRET_KEY": "test", **smtp_env}
    return Settings.from_env(env)


def test_email_is_disabled_without_a_host(tmp_path):
    assert _settings(tmp_path).smtp is None
    assert _settings(tmp_path, RACIFLOW_SMTP_HOST="").smtp is None


def test_smtp_defaults(tmp_path):
    assert _settings(tmp_path, RACIFLOW_SMTP_HOST="mail.local").smtp == SmtpSettings(
        host="mail.local", port=25, sender="raciflow@localhost", security="none"
    )
    ssl = _settings(tmp_path, RACIFLOW_SMTP_HOST="mail.local", RACIFLOW_SMTP_SECURITY="ssl")
    assert ssl.smtp is not None and ssl.smtp.port == 465


def test_smtp_settings_from_env(tmp_path):
    settings = _settings(
        tmp_path,
        RACIFLOW_SMTP_HOST="smtp.example.com",
        RACIFLOW_SMTP_PORT="587",
        RACIFLOW_SMTP_SENDER="crm@example.com",
        RACIFLOW_SMTP_USERNAME="robot",
        RACIFLOW_SMTP_PASSWORD="s3cret",
        RACIFLOW_SMTP_SECURITY="starttls",
    )
    assert settings.smtp == SmtpSettings(
        host="smtp.example.com",
        port=587,
        sender="crm@example.com",
        username="robot",
        password="s3cret",
        security="starttls",
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RACIFLOW_SMTP_PORT": "twenty-five"}, "RACIFLOW_SMTP_PORT must be a whole number"),
        ({"RACIFLOW_SMTP_PORT": "25.5"}, "RACIFLOW_SMTP_PORT must be a whole number"),
        ({"RACIFLOW_SMTP_PORT": "70000"}, "RACIFLOW_SMTP_PORT must be between 1 and 65535"),
        ({"RACIFLOW_SMTP_SECURITY": "tls"}, "RACIFLOW_SMTP_SECURITY must be one of"),
        ({"RACIFLOW_SMTP_PASSWORD": "s3cret"}, "RACIFLOW_SMTP_USERNAME is not"),
    ],
)
def test_bad_smtp_settings_are_named(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        _settings(tmp_path, RACIFLOW_SMTP_HOST="mail.local", **env)
