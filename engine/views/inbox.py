"""The inbox read model: one section of a user's work, filtered, sorted and paged in SQL.

Sections: `mine` (claimed by the user, or by someone they stand in for today),
`queue` (unclaimed work of an R role they act for, or ungoverned work), `signoffs`
(waiting for an A role they act for, never their own), `consultations` (open, for
a C role they act for). A role one acts for is held, or held today by someone one
stands in for (`acting_roles`).

Filters and order are pushed into the query and only one page of rows is
loaded, so that an inbox stays fast however large `human_tasks` grows. The `today`
filter's day is the reader's (`InboxQuery.zone`; the web gives its display zone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from raci.deployment import APPROVER

from ..draft_store import to_sign
from ..model import (
    ANYONE,
    Consultation,
    HumanTask,
    Notification,
    TaskRole,
    TaskStatus,
)
from ..orm import process_instances
from ..unit_of_work import UnitOfWork
from .common import acting_roles, claimants_for, has_roles, iso, task_dict
from .inbox_sections import SECTIONS, InboxQuery, Viewer, count_query, page_query

MAX_PAGE = 100
COUNT_CAP = 200  # counting stops here: a section with more shows "200+" (and 10 pages)


def inbox_page(uow: UnitOfWork, user: str, query: InboxQuery) -> dict[str, Any]:
    """One page of a section: its items (dicts) and how many match (up to COUNT_CAP)."""
    with uow.read_only():
        viewer = _viewer(uow, user)
        limit = max(1, min(query.limit, MAX_PAGE))
        page = page_query(query, viewer, uow.now, limit, max(0, query.offset))
        rows = uow.session.execute(*page).all()
        count = count_query(query, viewer, uow.now, COUNT_CAP)
        summaries = _summaries(uow, {row[0].instance_id for row in rows})
        return {
            "items": [_item(row, uow.now, summaries.get(row[0].instance_id)) for row in rows],
            "total": uow.session.scalar(*count) or 0,
        }


def inbox_counts(uow: UnitOfWork, user: str) -> dict[str, int]:
    """How many items each section holds (up to COUNT_CAP), and unread notifications."""
    with uow.read_only():
        viewer = _viewer(uow, user)
        counts = {}
        for name in SECTIONS:
            count = count_query(InboxQuery(section=name), viewer, uow.now, COUNT_CAP)
            counts[name] = uow.session.scalar(*count) or 0
        unread = select(Notification.id).where(
            Notification.username == user, Notification.read_at.is_(None)
        )
        counts["notifications"] = _count(uow, unread)
        counts["drafts"] = _drafts_to_sign(uow, user)
        return counts


def _drafts_to_sign(uow: UnitOfWork, user: str) -> int:
    """Process changes waiting for `user` to sign: an approver signs others' drafts (the
    sign-off section points to them; engine/commands/drafts.py lists them)."""
    if not uow.directory.load().is_member(user, APPROVER):
        return 0
    return _count(uow, to_sign(user))


OPENING_ORDER = (*SECTIONS, "notifications")  # the tabs' order: work first, news last


def opening_section(counts: dict[str, int]) -> str:
    """The section an inbox opens on: the first, in tab order, that holds anything (a
    process change to sign is sign-off work)."""
    held = {**counts, "signoffs": counts.get("signoffs", 0) + counts.get("drafts", 0)}
    return next((name for name in OPENING_ORDER if held.get(name)), SECTIONS[0])


def _viewer(uow: UnitOfWork, user: str) -> Viewer:
    return Viewer(user, acting_roles(uow, user), tuple(claimants_for(uow, user)))


def _count(uow: UnitOfWork, query: Select[Any]) -> int:
    """How many rows `query` has, up to COUNT_CAP."""
    capped = query.limit(COUNT_CAP).subquery()
    return uow.session.scalar(select(func.count()).select_from(capped)) or 0


def workable(uow: UnitOfWork, user: str, task_ids: list[str] | tuple[str, ...]) -> list[str]:
    """Those of `task_ids` that `user` may work now (open, R, unclaimed or claimed by
    them or by someone they stand in for)."""
    if not task_ids:
        return []
    with uow.read_only():
        roles = acting_roles(uow, user)
        query = select(HumanTask.id).where(
            HumanTask.id.in_(task_ids),
            HumanTask.status == TaskStatus.READY,
            or_(HumanTask.assignee.is_(None), HumanTask.assignee.in_(claimants_for(uow, user))),
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
    with uow.read_only():
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
        waiting = task.status == TaskStatus.AWAITING_SIGNOFF
        due = (task.signoff_due_at or task.due_at) if waiting else task.due_at
        # Who did it in a round before it was sent back (none for work never sent back).
        earlier = uow.audit.performers(task.instance_id, task.id) if task.rework_count else ()
        return {
            "letters": letters,
            "governed": not ungoverned and any(letters.values()),
            "acting_roles": sorted(acting_roles(uow, user)),
            "claimants": claimants_for(uow, user),
            "version": version,
            "started_by": instance.started_by,
            "earlier_performers": sorted(earlier),
            "now": iso(uow.now),
            "overdue": bool(due and TaskStatus(task.status).is_open and due < uow.now),
        }


def _summaries(uow: UnitOfWork, instance_ids: set[str]) -> dict[str, dict[str, Any]]:
    """The summaries (customer, key figure) of a page's instances, in one query."""
    if not instance_ids:
        return {}
    rows = uow.session.execute(
        select(process_instances.c.id, process_instances.c.summary).where(
            process_instances.c.id.in_(sorted(instance_ids))
        )
    )
    return {row.id: row.summary for row in rows if row.summary}


def _item(row: Any, now: datetime, summary: dict[str, Any] | None = None) -> dict[str, Any]:
    task: HumanTask = row[0]
    waiting = task.status == TaskStatus.AWAITING_SIGNOFF
    due = (task.signoff_due_at or task.due_at) if waiting else task.due_at
    item = {
        **task_dict(task),
        "performer": task.performer,
        "rework_count": task.rework_count,
        "submitted_at": iso(task.submitted_at),
        "due": iso(due),
        "overdue": bool(due and due < now),
        "summary": summary or {},
    }
    if len(row) > 1:  # a consultation
        consultation: Consultation = row[1]
        item["consultation"] = {
            "id": consultation.id,
            "role": consultation.role,
            "requested_at": iso(consultation.requested_at),
        }
    return item
