"""Send a batch of outbox e-mails over one SMTP connection.

This module only talks SMTP: it never touches the database, so that no transaction is
open while a server takes its time (see NoticeCommands.send_outbox).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal

Security = Literal["none", "starttls", "ssl"]

# We never negotiate 8BITMIME, so non-ASCII bodies must go out as quoted-printable or base64.
_POLICY = policy.SMTP.clone(cte_type="7bit")
_MAX_ERROR = 200


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "raciflow@localhost"
    username: str | None = None
    password: str | None = None
    security: Security = "none"
    timeout: float = 10.0


@dataclass(frozen=True)
class OutgoingMail:
    id: int
    recipient: str
    subject: str
    body: str


@dataclass(frozen=True)
class Delivery:
    id: int
    sent: bool
    error: str | None = None


def send_batch(settings: SmtpSettings, mails: Sequence[OutgoingMail]) -> list[Delivery]:
    """Send mails over one connection and report each outcome; never raise for network trouble."""
    return list(deliver(settings, mails))


def deliver(settings: SmtpSettings, mails: Sequence[OutgoingMail]) -> Iterator[Delivery]:
    """Send mails over one connection, yielding each outcome as soon as it is known.

    Network trouble never raises: it becomes the outcome of the mails it hit. Closing
    the generator early closes the connection and leaves the rest unsent.
    """
    if not mails:
        return
    done, closed = 0, False
    try:
        with _connect(settings) as smtp:
            for mail in mails:
                delivery = _send_one(smtp, settings, mail)
                done += 1
                try:
                    yield delivery
                except GeneratorExit:
                    closed = True
                    raise
    except (OSError, smtplib.SMTPException) as exc:
        if closed:  # QUIT failed as the caller closed us: it wants nothing more
            return
        # Mails already accepted stay sent (marking them failed would send them twice);
        # the rest share the connection's error.
        error = _describe(exc)
        for mail in mails[done:]:
            yield Delivery(mail.id, False, error)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _send_one(smtp: smtplib.SMTP, settings: SmtpSettings, mail: OutgoingMail) -> Delivery:
    # CR/LF would let a recipient or subject smuggle in extra headers or SMTP commands.
    if any(c in field for field in (mail.recipient, mail.subject) for c in "\r\n"):
        return Delivery(mail.id, False, "invalid header")
    try:
        smtp.send_message(_message(settings, mail))
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
        # The server refused this mail only: the connection is still good for the next one.
        return Delivery(mail.id, False, _describe(exc))
    except (smtplib.SMTPNotSupportedError, ValueError) as exc:
        # E.g. a non-ASCII address the server cannot take, or an unparsable one.
        return Delivery(mail.id, False, _describe(exc))
    return Delivery(mail.id, True)


def _message(settings: SmtpSettings, mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["From"] = settings.sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    # An explicit domain: the default would look up this host's FQDN, which can be slow.
    domain = settings.sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"outbox{mail.id}", domain=domain)
    message.set_content(mail.body, charset="utf-8")
    return message


def _describe(exc: BaseException) -> str:
    """Turn an SMTP or network exception into a short, one-line message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (0, b"recipient refused"))
        text = f"{code} {reply.decode(errors='replace')}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        text = f"{exc.smtp_code} {reply}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:_MAX_ERROR]
