"""Notifications (RACI I) in the app, and their e-mail through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from ..governance import require_active_user
from ..mail import OutgoingMail, SmtpSettings, deliver
from ..model import Notification
from .base import EngineBase

# How long a worker may take to send the batch it claimed before another may take it.
MAIL_LEASE = timedelta(minutes=15)
# A failed mail waits this long before its next try, doubling with each try (up to an hour).
FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """How long a mail that failed its `attempts`-th try waits before the next."""
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


class NoticeCommands(EngineBase):
    """Read notifications; send queued e-mail."""

    def notifications(self, user: str, *, unread_only: bool = False) -> list[Notification]:
        with self.reader() as uow:
            require_active_user(uow.directory.load(), user)
            return uow.notifications.for_user(user, unread_only=unread_only)

    def mark_read(self, user: str, notification_ids: list[int]) -> int:
        with self.uow() as uow:
            count = uow.notifications.mark_read(user, notification_ids, uow.now)
            uow.commit()
            return count

    def send_outbox(
        self,
        smtp: SmtpSettings,
        *,
        limit: int = 50,
        max_attempts: int = 5,
        stop: Callable[[], bool] = lambda: False,
    ) -> tuple[int, int]:
        """Send queued e-mails over SMTP; return (sent, failed). Failures are retried later.

        No transaction is open while the SMTP server talks (on SQLite one would hold the
        only write lock): a batch is claimed in one short unit of work, sent, and each
        outcome recorded in another as soon as it is known. `stop` is asked after each
        mail; the mails not tried yet are given back.
        """
        with self.uow() as uow:
            claimed = uow.outbox.claim(
                uow.now, limit=limit, max_attempts=max_attempts, lease=MAIL_LEASE
            )
            uow.commit()
        attempts = {mail.id: mail.attempts for mail in claimed}
        untried = set(attempts)
        sent = failed = 0
        deliveries = deliver(
            smtp, [OutgoingMail(m.id, m.recipient, m.subject, m.body) for m in claimed]
        )
        try:
            for delivery in deliveries:
                untried.discard(delivery.id)
                with self.uow() as uow:
                    if delivery.sent:
                        uow.outbox.record_sent(delivery.id, uow.now)
                    else:
                        retry_at = uow.now + retry_delay(attempts[delivery.id])
                        uow.outbox.record_failed(delivery.id, delivery.error, retry_at)
                    uow.commit()
                sent, failed = sent + delivery.sent, failed + (not delivery.sent)
                if stop():
                    break
        finally:
            deliveries.close()
        if untried:
            with self.uow() as uow:
                uow.outbox.release(sorted(untried))
                uow.commit()
        return sent, failed
