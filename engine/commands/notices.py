"""Notifications (RACI I) in the app, and their e-mail through the outbox."""

from __future__ import annotations

from ..governance import require_active_user
from ..mail import OutgoingMail, SmtpSettings, send_batch
from ..model import Notification
from .base import EngineBase


class NoticeCommands(EngineBase):
    """Read notifications; send queued e-mail."""

    def notifications(self, user: str, *, unread_only: bool = False) -> list[Notification]:
        with self.uow() as uow:
            require_active_user(uow.directory.load(), user)
            return uow.notifications.for_user(user, unread_only=unread_only)

    def mark_read(self, user: str, notification_ids: list[int]) -> int:
        with self.uow() as uow:
            count = uow.notifications.mark_read(user, notification_ids, uow.now)
            uow.commit()
            return count

    def send_outbox(
        self, smtp: SmtpSettings, *, limit: int = 50, max_attempts: int = 5
    ) -> tuple[int, int]:
        """Send queued e-mails over SMTP; return (sent, failed). Failures are retried later."""
        with self.uow() as uow:
            mails = uow.outbox.due(limit, max_attempts)
            deliveries = send_batch(
                smtp, [OutgoingMail(m.id, m.recipient, m.subject, m.body) for m in mails]
            )
            by_id = {mail.id: mail for mail in mails}
            for delivery in deliveries:
                mail = by_id[delivery.id]
                mail.attempts += 1
                if delivery.sent:
                    mail.sent_at, mail.last_error = uow.now, None
                else:
                    mail.last_error = delivery.error
            uow.commit()
        sent = sum(1 for d in deliveries if d.sent)
        return sent, len(deliveries) - sent
