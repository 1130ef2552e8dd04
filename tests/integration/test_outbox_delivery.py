"""The worker sends mail outside any transaction: a slow SMTP server never blocks writers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from engine.commands.notices import MAIL_LEASE
from engine.mail import SmtpSettings
from engine.model import OutboxMail
from tests.integration.test_mail import Handler, _serve


class StalledHandler(Handler):
    """Accepts mail only when the test lets it: an SMTP server that is slow to answer."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = threading.Event()  # a mail is on the wire
        self.release = threading.Event()  # the server may answer

    async def handle_DATA(self, server, session, envelope):
        self.sending.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def handler() -> Handler:
    return Handler()


@pytest.fixture
def smtp(handler: Handler) -> Iterator[SmtpSettings]:
    yield from _serve(handler)


@pytest.fixture
def stalled() -> StalledHandler:
    return StalledHandler()


@pytest.fixture
def slow_smtp(stalled: StalledHandler) -> Iterator[SmtpSettings]:
    try:
        yield from _serve(stalled)
    finally:
        stalled.release.set()


def queue_mails(engine, *recipients: str) -> None:
    with engine.uow() as uow:
        for recipient in recipients:
            uow.outbox.add(OutboxMail(recipient, "Task waiting", "body", created_at=uow.now))
        uow.commit()


def outbox_rows(engine) -> list[tuple[str, bool, int]]:
    with engine.uow() as uow:
        mails = uow.session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        return [(m.recipient, m.sent_at is not None, m.attempts) for m in mails]


def test_another_writer_goes_ahead_while_the_smtp_server_is_slow(engine, slow_smtp, stalled):
    queue_mails(engine, "ana@example.com", "bo@example.com")
    results: list[tuple[int, int]] = []
    worker = threading.Thread(target=lambda: results.append(engine.send_outbox(slow_smtp)))
    worker.start()
    try:
        assert stalled.sending.wait(10), "the worker never reached the SMTP server"

        started: list[str] = []
        writer = threading.Thread(
            target=lambda: started.append(engine.start("timer_wait", user="ana").instance_id)
        )
        writer.start()
        writer.join(5)
        assert started, "a start waited for the SMTP server: mail is sent inside a transaction"
    finally:
        stalled.release.set()
        worker.join(30)
    assert results == [(2, 0)]
    assert [r.recipients for r in stalled.received] == [["ana@example.com"], ["bo@example.com"]]
    assert outbox_rows(engine) == [("ana@example.com", True, 1), ("bo@example.com", True, 1)]


def test_a_dead_workers_claims_are_sent_once_its_lease_runs_out(engine, clock, smtp, handler):
    queue_mails(engine, "ana@example.com")
    with engine.uow() as uow:  # a worker claims the mail, then is killed before sending it
        uow.outbox.claim(uow.now, limit=10, max_attempts=5, lease=MAIL_LEASE)
        uow.commit()

    assert engine.send_outbox(smtp) == (0, 0)  # still leased: nobody else sends it meanwhile
    clock.advance(MAIL_LEASE)
    assert engine.send_outbox(smtp) == (1, 0)
    assert [r.recipients for r in handler.received] == [["ana@example.com"]]
    assert outbox_rows(engine) == [("ana@example.com", True, 2)]


def test_a_worker_asked_to_stop_gives_back_the_mails_it_did_not_try(engine, smtp, handler):
    queue_mails(engine, "ana@example.com", "bo@example.com", "cy@example.com")

    assert engine.send_outbox(smtp, stop=lambda: True) == (1, 0)
    assert outbox_rows(engine) == [
        ("ana@example.com", True, 1),
        ("bo@example.com", False, 0),
        ("cy@example.com", False, 0),
    ]
    assert engine.send_outbox(smtp) == (2, 0)  # the next run takes them at once
    assert len(handler.received) == 3
