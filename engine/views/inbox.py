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

from sqlalchemy import Select, case, func, or_, select

from ..model import (
    ANYONE,
    OPEN_TASK_STATUSES,
    Consultation,
    HumanTask,
    Notification,
    TaskRole,
    TaskStatus,
)
from ..unit_of_work import UnitOfWork
from .common import acting_roles, has_roles, iso, task_dict

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
        roles = acting_roles(uow, user)
        base = _filtered(_section(query.section, user, roles), query, uow.now)
        limit = max(1, min(query.limit, MAX_PAGE))
        rows = uow.session.execute(
            _ordered(base, query, uow.now).limit(limit).offset(max(0, query.offset))
        ).all()
        return {"items": [_item(row, uow.now) for row in rows], "total": _count(uow, base)}


def inbox_counts(uow: UnitOfWork, user: str) -> dict[str, int]:
    """How many items each section holds (up to COUNT_CAP), and unread notifications."""
    with uow:
        roles = acting_roles(uow, user)
        counts = {section: _count(uow, _section(section, user, roles)) for section in SECTIONS}
        unread = select(Notification.id).where(
            Notification.username == user, Notification.read_at.is_(None)
        )
        counts["notifications"] = _count(uow, unread, Notification.id)
        return counts


def _count(uow: UnitOfWork, query: Select[Any], key: Any = None) -> int:
    """How many rows `query` has (by its `key` column, a task's id by default), up to COUNT_CAP."""
    key = HumanTask.id if key is None else key  # mapped at start-up, not at import
    capped = query.with_only_columns(key).limit(COUNT_CAP).subquery()
    return uow.session.scalar(select(func.count()).select_from(capped)) or 0


def notifications_page(
    uow: UnitOfWork, user: str, *, limit: int = 20, offset: int = 0
) -> dict[str, Any]:
    """A user's notifications, newest first, one page of them."""
    mine = select(Notification).where(Notification.username == user)
    with uow:
        total = _count(uow, mine, Notification.id)
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


def _section(section: str, user: str, roles: set[str]) -> Select[Any]:
    if section == "mine":
        return select(HumanTask).where(
            HumanTask.assignee == user, HumanTask.status == TaskStatus.READY
        )
    if section == "queue":
        return select(HumanTask).where(
            HumanTask.status == TaskStatus.READY,
            HumanTask.assignee.is_(None),
            has_roles("R", roles | {ANYONE}),  # ANYONE: an ungoverned task, anyone's
        )
    if section == "signoffs":
        return select(HumanTask).where(
            HumanTask.status == TaskStatus.AWAITING_SIGNOFF,
            HumanTask.performer != user,
            or_(HumanTask.performer_for.is_(None), HumanTask.performer_for != user),
            has_roles("A", roles),
        )
    if section == "consultations":
        return (
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


def _due_column(section: str) -> Any:
    return HumanTask.signoff_due_at if section == "signoffs" else HumanTask.due_at


def _filtered(query: Select[Any], inbox: InboxQuery, now: datetime) -> Select[Any]:
    if inbox.process_id:
        query = query.where(HumanTask.process_id == inbox.process_id)
    if inbox.customer and inbox.customer.strip():
        prefix = _escape_like(inbox.customer.strip().lower())
        query = query.where(func.lower(HumanTask.business_key).like(f"{prefix}%", escape="\\"))
    due = _due_column(inbox.section)
    if inbox.due == "overdue":
        query = query.where(due < now)
    elif inbox.due == "today":
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        query = query.where(due >= day, due < day + timedelta(days=1))
    return query


def _ordered(query: Select[Any], inbox: InboxQuery, now: datetime) -> Select[Any]:
    due = _due_column(inbox.section)
    # Soonest due first, so overdue work leads; no due date last (PostgreSQL's index order).
    by_due = (due.asc().nulls_last(), HumanTask.created_at, HumanTask.id)
    if inbox.sort == "created":
        return query.order_by(HumanTask.created_at, HumanTask.id)
    if inbox.sort == "newest":
        return query.order_by(HumanTask.created_at.desc(), HumanTask.id.desc())
    if inbox.sort == "priority" and inbox.urgent:
        urgent_first = case((HumanTask.process_id.in_(inbox.urgent), 0), else_=1)
        return query.order_by(urgent_first, *by_due)
    return query.order_by(*by_due)


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
