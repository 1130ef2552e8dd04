"""The inbox read model: one section of a user's work, filtered, sorted and paged in SQL.

Sections: `mine` (claimed by the user), `queue` (unclaimed work of an R role they
act for, or ungoverned work), `signoffs` (waiting for an A role they act for,
never their own), `consultations` (open, for a C role they act for). A role one
acts for is held, or held today by someone one stands in for (`acting_roles`).

Filters and order are pushed into the query and only one page of rows is
loaded, so that an inbox stays fast however large `human_tasks` grows. Days
(the `today` filter) are UTC days, as everywhere in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, false, func, or_, select, union_all

from ..model import (
    ANYONE,
    OPEN_TASK_STATUSES,
    Consultation,
    HumanTask,
    Notification,
    TaskRole,
    TaskStatus,
)
from ..orm import task_roles
from ..unit_of_work import UnitOfWork
from .common import acting_roles, has_roles, iso, not_their_own, task_dict

SECTIONS = ("mine", "queue", "signoffs", "consultations")
DUE_FILTERS = ("all", "overdue", "today")
SORTS = ("due", "created", "newest", "priority")
MAX_PAGE = 100
COUNT_CAP = 200  # counting stops here: a section with more shows "200+" (and 10 pages)


@dataclass(frozen=True)
class InboxQuery:
    """What one inbox list shows: a section, its filters, its order and its page."""

    section: str = "mine"
    process_id: str | None = None
    customer: str | None = None  # the start of the business key (a customer code)
    due: str = "all"
    sort: str = "due"
    urgent: tuple[str, ...] = ()  # process ids sorted first by "priority" (emergencies)
    limit: int = 20
    offset: int = 0


def inbox_page(uow: UnitOfWork, user: str, query: InboxQuery) -> dict[str, Any]:
    """One page of a section: its items (dicts) and how many match (up to COUNT_CAP)."""
    with uow:
        section = _section(query.section, user, acting_roles(uow, user))
        limit = max(1, min(query.limit, MAX_PAGE))
        page = section.page(query, uow.now, limit, max(0, query.offset))
        rows = uow.session.execute(page).all()
        return {
            "items": [_item(row, uow.now) for row in rows],
            "total": _count(uow, section.matching(query, uow.now)),
        }


def inbox_counts(uow: UnitOfWork, user: str) -> dict[str, int]:
    """How many items each section holds (up to COUNT_CAP), and unread notifications."""
    with uow:
        roles = acting_roles(uow, user)
        counts = {}
        everything = InboxQuery()
        for name in SECTIONS:
            counts[name] = _count(uow, _section(name, user, roles).matching(everything, uow.now))
        unread = select(Notification.id).where(
            Notification.username == user, Notification.read_at.is_(None)
        )
        counts["notifications"] = _count(uow, unread)
        return counts


def _count(uow: UnitOfWork, query: Select[Any]) -> int:
    """How many rows `query` has, up to COUNT_CAP."""
    capped = query.limit(COUNT_CAP).subquery()
    return uow.session.scalar(select(func.count()).select_from(capped)) or 0


def notifications_page(
    uow: UnitOfWork, user: str, *, limit: int = 20, offset: int = 0
) -> dict[str, Any]:
    """A user's notifications, newest first, one page of them."""
    mine = select(Notification).where(Notification.username == user)
    with uow:
        total = _count(uow, mine.with_only_columns(Notification.id))
        page = (
            mine.order_by(Notification.id.desc())
            .limit(max(1, min(limit, MAX_PAGE)))
            .offset(max(0, offset))
        )
        return {
            "items": [
                {
                    "id": n.id,
                    "subject": n.subject,
                    "body": n.body,
                    "created_at": iso(n.created_at),
                    "task_id": n.task_id,
                    "instance_id": n.instance_id,
                    "read": n.read_at is not None,
                }
                for n in uow.session.scalars(page)
            ],
            "total": total or 0,
        }


def workable(uow: UnitOfWork, user: str, task_ids: list[str] | tuple[str, ...]) -> list[str]:
    """Those of `task_ids` that `user` may work now (open, not claimed by another, R)."""
    if not task_ids:
        return []
    with uow:
        roles = acting_roles(uow, user)
        query = select(HumanTask.id).where(
            HumanTask.id.in_(task_ids),
            HumanTask.status == TaskStatus.READY,
            or_(HumanTask.assignee.is_(None), HumanTask.assignee == user),
            has_roles("R", roles | {ANYONE}),
        )
        found = set(uow.session.scalars(query))
    return [task_id for task_id in task_ids if task_id in found]


def task_facts(uow: UnitOfWork, task_id: str, user: str) -> dict[str, Any]:
    """What a task page needs besides the task: its roles by letter, the user's roles, time.

    Roles by letter come from the role index, which holds open tasks only; for
    a closed task they are empty and the caller asks the matrix. `governed` is
    False for an open task of a process without a matrix (anyone may work it).
    """
    with uow:
        task = uow.tasks.get(task_id)
        letters: dict[str, list[str]] = {"R": [], "A": [], "C": [], "I": []}
        ungoverned = False
        for row in uow.session.scalars(
            select(TaskRole).where(TaskRole.task_id == task_id).order_by(TaskRole.role)
        ):
            if row.role == ANYONE:
                ungoverned = True
            else:
                letters[row.letter].append(row.role)
        instance = uow.instances.get(task.instance_id)
        version = uow.versions.get(instance.version_id).version
        due = task.signoff_due_at if task.status == TaskStatus.AWAITING_SIGNOFF else task.due_at
        return {
            "letters": letters,
            "governed": not ungoverned and any(letters.values()),
            "acting_roles": sorted(acting_roles(uow, user)),
            "version": version,
            "started_by": instance.started_by,
            "now": iso(uow.now),
            "overdue": bool(due and TaskStatus(task.status).is_open and due < uow.now),
        }


@dataclass(frozen=True)
class _Keys:
    """The columns a section filters and sorts by."""

    task_id: Any
    process_id: Any
    business_key: Any
    created_at: Any
    due: Any

    def where(self, inbox: InboxQuery, now: datetime) -> list[Any]:
        conditions = []
        if inbox.process_id:
            conditions.append(self.process_id == inbox.process_id)
        if inbox.customer and inbox.customer.strip():
            prefix = _escape_like(inbox.customer.strip().lower())
            conditions.append(func.lower(self.business_key).like(f"{prefix}%", escape="\\"))
        if inbox.due == "overdue":
            conditions.append(self.due < now)
        elif inbox.due == "today":
            day = now.replace(hour=0, minute=0, second=0, microsecond=0)
            conditions += [self.due >= day, self.due < day + timedelta(days=1)]
        return conditions

    def order(self, inbox: InboxQuery) -> tuple[Any, ...]:
        # Soonest due first, so overdue work leads; no due date last.
        by_due = (self.due.asc().nulls_last(), self.created_at, self.task_id)
        if inbox.sort == "created":
            return (self.created_at, self.task_id)
        if inbox.sort == "newest":
            return (self.created_at.desc(), self.task_id.desc())
        if inbox.sort == "priority" and inbox.urgent:
            return (case((self.process_id.in_(inbox.urgent), 0), else_=1), *by_due)
        return by_due


@dataclass(frozen=True)
class _TaskSection:
    """A section read from human_tasks: my tasks, consultations for me."""

    query: Select[Any]

    def matching(self, inbox: InboxQuery, now: datetime) -> Select[Any]:
        return self.query.with_only_columns(HumanTask.id).where(*_task_keys().where(inbox, now))

    def page(self, inbox: InboxQuery, now: datetime, limit: int, offset: int) -> Select[Any]:
        keys = _task_keys()
        return (
            self.query.where(*keys.where(inbox, now))
            .order_by(*keys.order(inbox))
            .limit(limit)
            .offset(offset)
        )


@dataclass(frozen=True)
class _RoleSection:
    """A section read from the role index (task_roles): open tasks on which one of the
    user's roles has `letter`, in a state `conditions` describe.

    Each role is read in its own branch, in inbox order and only as deep as the page
    needs (an index range, read in order, for the default sort); the branches are then
    merged, and a task that two of the user's roles reach is listed once.
    """

    letter: str
    roles: frozenset[str]
    conditions: tuple[Any, ...]
    due: Any

    def matching(self, inbox: InboxQuery, now: datetime) -> Select[Any]:
        merged = self._merged(inbox, now, depth=COUNT_CAP, columns=("task_id",))
        return select(merged.c.task_id).group_by(merged.c.task_id)

    def page(self, inbox: InboxQuery, now: datetime, limit: int, offset: int) -> Select[Any]:
        columns = ("task_id", "created_at", "due", "process_id")
        merged = self._merged(inbox, now, depth=offset + limit, columns=columns)
        keys = self._keys(merged.c)
        picked = (
            select(*merged.c)
            .group_by(*merged.c)
            .order_by(*keys.order(inbox))
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        return (
            select(HumanTask)
            .join(picked, picked.c.task_id == HumanTask.id)
            .order_by(*self._keys(picked.c).order(inbox))
        )

    def _merged(
        self, inbox: InboxQuery, now: datetime, depth: int, columns: tuple[str, ...]
    ) -> Any:
        rows = task_roles.c
        keys = _Keys(rows.task_id, rows.process_id, rows.business_key, rows.created_at, self.due)
        available = {
            "task_id": rows.task_id,
            "created_at": rows.created_at,
            "due": self.due.label("due"),
            "process_id": rows.process_id,
        }
        branches = [
            select(*(available[name] for name in columns))
            .where(rows.role == role, rows.letter == self.letter, *self.conditions)
            .where(*keys.where(inbox, now))
            .order_by(*keys.order(inbox))
            .limit(depth)
            .subquery()
            .select()  # a subquery, so that SQLite accepts each branch's ORDER BY and LIMIT
            for role in sorted(self.roles)
        ]
        if not branches:  # no roles: an empty section
            return select(*(available[name] for name in columns)).where(false()).subquery()
        return union_all(*branches).subquery()

    @staticmethod
    def _keys(columns: Any) -> _Keys:
        return _Keys(columns.task_id, columns.process_id, None, columns.created_at, columns.due)


def _task_keys() -> _Keys:
    return _Keys(
        HumanTask.id,
        HumanTask.process_id,
        HumanTask.business_key,
        HumanTask.created_at,
        HumanTask.due_at,
    )


def _section(section: str, user: str, roles: set[str]) -> _TaskSection | _RoleSection:
    rows = task_roles.c
    if section == "queue":
        return _RoleSection(
            "R",
            frozenset(roles | {ANYONE}),  # ANYONE: an ungoverned task, anyone's
            (rows.status == TaskStatus.READY, rows.assignee.is_(None)),
            rows.due_at,
        )
    if section == "signoffs":
        return _RoleSection(
            "A",
            frozenset(roles),
            (
                rows.status == TaskStatus.AWAITING_SIGNOFF,
                not_their_own(user, rows.performer, rows.performer_for),
            ),
            rows.signoff_due_at,
        )
    if section == "mine":
        return _TaskSection(
            select(HumanTask).where(
                HumanTask.assignee == user, HumanTask.status == TaskStatus.READY
            )
        )
    if section == "consultations":
        return _TaskSection(
            select(HumanTask, Consultation)
            .join(Consultation, Consultation.task_id == HumanTask.id)
            .where(
                Consultation.role.in_(roles),
                Consultation.answered_at.is_(None),
                Consultation.overridden_by.is_(None),
                HumanTask.status.in_(OPEN_TASK_STATUSES),
            )
        )
    raise ValueError(f"unknown inbox section {section!r}; one of {', '.join(SECTIONS)}")


def _item(row: Any, now: datetime) -> dict[str, Any]:
    task: HumanTask = row[0]
    waiting = task.status == TaskStatus.AWAITING_SIGNOFF
    due = task.signoff_due_at if waiting else task.due_at
    item = {
        **task_dict(task),
        "performer": task.performer,
        "rework_count": task.rework_count,
        "submitted_at": iso(task.submitted_at),
        "due": iso(due),
        "overdue": bool(due and due < now),
    }
    if len(row) > 1:  # a consultation
        consultation: Consultation = row[1]
        item["consultation"] = {
            "id": consultation.id,
            "role": consultation.role,
            "requested_at": iso(consultation.requested_at),
        }
    return item


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
