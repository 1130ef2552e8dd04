"""Repositories for RACI records: task roles, consultations, notifications, outbox."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, case, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from .database import Connect
from .direct import execute
from .errors import NotFound
from .model import Consultation, HumanTask, Notification, OutboxMail
from .orm import UTCDateTime, consultations, outbox, task_roles
from .tracked import from_values

# What inboxes filter and sort by: copied from each open task onto its role rows.
INBOX_FIELDS = (
    "process_id",
    "business_key",
    "status",
    "assignee",
    "performer",
    "performer_for",
    "created_at",
    "due_at",
    "signoff_due_at",
    "urgent",
)


class TaskRoleRepository:
    """Each open task's roles by letter: the inbox index.

    A row carries its task's inbox fields (INBOX_FIELDS) so that an inbox section is
    read from this table alone. New rows are written in one statement when the unit
    of work commits, after its tasks (the rows refer to them); a change to an open
    task's inbox fields is copied to its rows in the same commit.
    """

    def __init__(self, connection: Connect) -> None:
        self._connection = connection
        self._pending: list[tuple[HumanTask, str, str]] = []
        self._changed: list[HumanTask] = []

    def add_for(self, task: HumanTask, roles: Iterable[tuple[str, str]]) -> None:
        """Index `task` under each (role, letter)."""
        self._pending.extend((task, role, letter) for role, letter in roles)

    def move_signoff(self, task: HumanTask, role: str) -> None:
        """Index `task`'s sign-off under `role` instead of the matrix's A role."""
        execute(self._connection(), _DELETE_SIGNOFF_ROLE, {"task_id": task.id})
        self._pending = [row for row in self._pending if not (row[0] is task and row[2] == "A")]
        self._pending.append((task, role, "A"))

    def routed(self, task_id: str) -> list[tuple[str, str]]:
        """(role, letter) of an open task as its inboxes hold it: a sign-off raised by
        a level table is under the role the data needs, not the matrix's A role."""
        rows = execute(self._connection(), _ROLES_OF, {"task_id": task_id})
        return [(role, letter) for role, letter in rows]

    def remove_for(self, task_ids: Sequence[str]) -> None:
        """Drop the rows of closed tasks: the inbox index holds open work only."""
        if task_ids:
            self._pending = [row for row in self._pending if row[0].id not in task_ids]
            execute(self._connection(), _DELETE_ROLES, [{"task_id": id_} for id_ in task_ids])

    def note_changes(self, tasks: list[HumanTask]) -> None:
        """Remember the open tasks whose inbox fields changed, to copy them at `flush`."""
        self._changed.extend(task for task in tasks if task not in self._changed)

    def flush(self) -> None:
        if self._pending:
            rows = [
                {
                    "task_id": task.id,
                    "role": role,
                    "letter": letter,
                    **_inbox_fields(task),
                    "inbox_due": task.due_in_inbox(letter),
                }
                for task, role, letter in self._pending
            ]
            execute(self._connection(), _INSERT_ROLES, rows)
            self._pending.clear()
        if self._changed:
            execute(
                self._connection(),
                _COPY_INBOX_FIELDS,
                [
                    {
                        "key_": task.id,
                        **_inbox_fields(task),
                        "signoff_inbox_due": task.due_in_inbox("A"),
                        "work_inbox_due": task.due_in_inbox("R"),
                    }
                    for task in self._changed
                ],
            )
            self._changed = []


_ROLES_OF = select(task_roles.c.role, task_roles.c.letter).where(
    task_roles.c.task_id == bindparam("task_id")
)
_DELETE_SIGNOFF_ROLE = delete(task_roles).where(
    task_roles.c.task_id == bindparam("task_id"), task_roles.c.letter == "A"
)
# Keyed deletes run as one executemany: an IN list of ids would be re-rendered by
# SQLAlchemy at every execution (its "expanding" parameters), which costs more.
_DELETE_ROLES = delete(task_roles).where(task_roles.c.task_id == bindparam("task_id"))
_INSERT_ROLES = insert(task_roles)
_COPY_INBOX_FIELDS = (
    update(task_roles)
    .where(task_roles.c.task_id == bindparam("key_"))
    .values(
        {
            **{field: bindparam(field) for field in INBOX_FIELDS},
            # A sign-off's row is due by another rule than its work's (due_in_inbox).
            "inbox_due": case(
                (task_roles.c.letter == "A", bindparam("signoff_inbox_due", type_=UTCDateTime)),
                else_=bindparam("work_inbox_due", type_=UTCDateTime),
            ),
        }
    )
)


def _inbox_fields(task: HumanTask) -> dict[str, object]:
    return {field: getattr(task, field) for field in INBOX_FIELDS}


class ConsultationRepository:
    def __init__(
        self, session: Session, connection: Connect, *, reading_only: bool = False
    ) -> None:
        self.session = session
        self._connection = connection
        # A read-only unit of work (a request's reads) asks for a task's consultations
        # in several places (may they see it, the detail); nothing adds any meanwhile.
        self._by_task: dict[str, list[Consultation]] | None = {} if reading_only else None

    def add(self, consultation: Consultation) -> None:
        self.session.add(consultation)

    def get(self, consultation_id: int) -> Consultation:
        found = self.session.get(Consultation, consultation_id)
        if found is None:
            raise NotFound(f"consultation {consultation_id} does not exist")
        return found

    def task_of(self, consultation_id: int) -> str:
        """The task a consultation is about (without loading the consultation)."""
        task_id = self.session.scalar(
            select(Consultation.task_id).where(Consultation.id == consultation_id)
        )
        if task_id is None:
            raise NotFound(f"consultation {consultation_id} does not exist")
        return task_id

    def for_task(self, task_id: str) -> list[Consultation]:
        if self._by_task is None:  # a command's: objects of the session, which it may change
            return list(self.session.scalars(_consultations_of(), {"task_id": task_id}))
        if task_id not in self._by_task:  # a read's: plain records, read once
            rows = execute(self._connection(), _CONSULTATION_ROWS_OF, {"task_id": task_id})
            self._by_task[task_id] = [from_values(Consultation, row._asdict()) for row in rows]
        return list(self._by_task[task_id])


# Built once: building a statement per call cost more than running it. (The ORM's
# is built on first use: the classes are mapped at start-up, after this import.)
@cache
def _consultations_of() -> Select:
    return (
        select(Consultation)
        .where(Consultation.task_id == bindparam("task_id"))
        .order_by(Consultation.id)
    )


_CONSULTATION_ROWS_OF = (
    select(consultations)
    .where(consultations.c.task_id == bindparam("task_id"))
    .order_by(consultations.c.id)
)


class NotificationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._added: list[Notification] = []  # in this unit of work

    def add(self, notification: Notification) -> None:
        self.session.add(notification)
        self._added.append(notification)

    def told(self, username: str, instance_id: str) -> bool:
        """Whether `username` was told something about the case in this unit of work."""
        return any(n.username == username and n.instance_id == instance_id for n in self._added)

    def for_user(self, username: str, *, unread_only: bool = False) -> list[Notification]:
        query = select(Notification).where(Notification.username == username)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        return list(self.session.scalars(query.order_by(Notification.id.desc())))

    def mark_read(self, username: str, ids: Sequence[int], now: datetime) -> int:
        result = self.session.execute(
            update(Notification)
            .where(
                Notification.username == username,
                Notification.id.in_(ids),
                Notification.read_at.is_(None),
            )
            .values(read_at=now)
        )
        return result.rowcount


class OutboxRepository:
    """Queued e-mail. A worker claims a batch, sends it outside any transaction, then
    records each outcome: `claim` and `record_*` are each one short unit of work."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, mail: OutboxMail) -> None:
        self.session.add(mail)

    def claim(
        self, now: datetime, *, limit: int, max_attempts: int, lease: timedelta
    ) -> list[OutboxMail]:
        """Take up to `limit` unsent mails due for an attempt, oldest first, until now + lease.

        The attempt is counted here, so a mail that keeps killing its worker still runs
        out of attempts; a worker that dies leaves its claims to expire and be taken again.
        SKIP LOCKED lets workers claiming at the same moment take different mails.
        """
        query = (
            select(OutboxMail)
            .where(
                outbox.c.sent_at.is_(None),
                outbox.c.attempts < max_attempts,
                or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
            )
            .order_by(outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        mails = list(self.session.scalars(query))
        for mail in mails:
            mail.attempts += 1
            mail.next_attempt_at = now + lease
        return mails

    def record_sent(self, mail_id: int, now: datetime) -> None:
        self._set(mail_id, sent_at=now, last_error=None, next_attempt_at=None)

    def record_failed(self, mail_id: int, error: str | None, retry_at: datetime) -> None:
        self._set(mail_id, last_error=error, next_attempt_at=retry_at)

    def release(self, mail_ids: Sequence[int]) -> None:
        """Give back claimed mails that were never tried: the attempt did not happen."""
        if mail_ids:
            self.session.execute(
                update(outbox)
                .where(outbox.c.id.in_(mail_ids), outbox.c.sent_at.is_(None))
                .values(attempts=outbox.c.attempts - 1, next_attempt_at=None)
            )

    def _set(self, mail_id: int, **values: object) -> None:
        self.session.execute(update(outbox).where(outbox.c.id == mail_id).values(**values))
