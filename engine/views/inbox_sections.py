"""Inbox sections as queries: which rows a section holds, filtered, ordered and paged.

`mine` and `consultations` are read from human_tasks; `queue` and `signoffs` from
the role index (task_roles): one branch per role the user acts for, each read in
inbox order and only as deep as the page needs (an index range for the default
order), then merged, a task that two of the user's roles reach listed once.

A query depends on its shape (the section, how many roles, which filters, which
order) and on values (the user, the roles, the filter values, the page). Each shape
is built once, with bound parameters for the values: building the merged query
took as long as running it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, case, false, func, or_, select, union_all

from ..clock import day_bounds
from ..model import ANYONE, OPEN_TASK_STATUSES, Consultation, HumanTask, TaskStatus
from ..orm import task_roles
from .common import not_their_own, not_their_request, not_worked_before

SECTIONS = ("mine", "queue", "signoffs", "consultations")
DUE_FILTERS = ("all", "overdue", "today")
SORTS = ("due", "created", "newest", "priority")


@dataclass(frozen=True, eq=False)  # compared by identity: one per deployment, a cache key
class KeySearch:
    """Business keys found by text other than their start (a customer's name, say).

    `keys` selects business keys using the bound parameter `key_search`; `prepare`
    turns what the user typed into that parameter's value (None: matches nothing).
    The deployment that knows what a key stands for provides it (the engine does not).
    """

    keys: Any
    prepare: Callable[[str], str | None]


@dataclass(frozen=True)
class Viewer:
    """Whose inbox it is: the user, the roles they act for today, and whose claimed
    tasks they work (their own, and those of the people they stand in for today)."""

    user: str
    roles: set[str]
    claimants: tuple[str, ...]


@dataclass(frozen=True)
class InboxQuery:
    """What one inbox list shows: a section, its filters, its order and its page."""

    section: str = "mine"
    process_id: str | None = None
    customer: str | None = None  # the start of the business key (a customer code)
    key_search: KeySearch | None = None  # and keys `customer` finds another way (by name)
    due: str = "all"
    sort: str = "due"  # "priority": urgent cases first (HumanTask.urgent), then by due
    limit: int = 20
    offset: int = 0
    zone: tzinfo = UTC  # where the reader's day (the `today` filter) begins and ends

    @property
    def shape(self) -> Shape:
        """What the query's SQL depends on, apart from values."""
        return Shape(
            self.section,
            bool(self.process_id),
            bool(self.customer and self.customer.strip()),
            self.due,
            self.sort,
            self.key_search if self.customer and self.customer.strip() else None,
        )


class Shape(NamedTuple):
    """An inbox query's SQL without its values: which section, filters and order."""

    section: str
    by_process: bool
    by_customer: bool
    due: str
    sort: str
    key_search: KeySearch | None = None


def page_query(
    inbox: InboxQuery, viewer: Viewer, now: datetime, limit: int, offset: int
) -> tuple[Select[Any], dict[str, Any]]:
    """One page of the section `inbox` names (tasks, and for consultations the
    consultation), and the parameters to run it with."""
    ordered_roles = _roles_of(inbox.section, viewer.roles)
    statements = _statements(inbox.shape, len(ordered_roles))
    params = _params(inbox, viewer, ordered_roles, now)
    return statements.page, {**params, "limit": limit, "offset": offset, "depth": offset + limit}


def count_query(
    inbox: InboxQuery, viewer: Viewer, now: datetime, cap: int
) -> tuple[Select[Any], dict[str, Any]]:
    """How many tasks the section holds, counted up to `cap`, and its parameters."""
    ordered_roles = _roles_of(inbox.section, viewer.roles)
    statements = _statements(inbox.shape, len(ordered_roles))
    params = _params(inbox, viewer, ordered_roles, now)
    return statements.count, {**params, "depth": cap, "cap": cap}


@dataclass(frozen=True)
class _Statements:
    page: Select[Any]
    count: Select[Any]


@dataclass(frozen=True)
class _Keys:
    """The columns a section filters and sorts by."""

    task_id: Any
    process_id: Any
    business_key: Any
    created_at: Any
    due: Any
    urgent: Any
    # The order's due key where a column holds it (task_roles.inbox_due, which an index
    # follows); else it is worked out from `due` as HumanTask.due_in_inbox does.
    sort_due: Any = None

    def where(self, shape: Shape) -> list[Any]:
        conditions = []
        if shape.by_process:
            conditions.append(self.process_id == bindparam("process_id"))
        if shape.by_customer:
            prefix = bindparam("customer_prefix")
            by_key = func.lower(self.business_key).like(prefix, escape="\\")
            if shape.key_search is not None:
                by_key = or_(by_key, self.business_key.in_(shape.key_search.keys))
            conditions.append(by_key)
        if shape.due == "overdue":
            conditions.append(self.due < bindparam("now"))
        elif shape.due == "today":
            conditions += [self.due >= bindparam("day"), self.due < bindparam("next_day")]
        return conditions

    def order(self, shape: Shape) -> tuple[Any, ...]:
        # Soonest due first, so overdue work leads; no due date last. An emergency is due
        # at once (HumanTask.due_in_inbox): its deadline, if any, said a routine time.
        due = self.sort_due
        if due is None:
            due = case((self.urgent, self.created_at), else_=self.due)
        by_due = (due.asc().nulls_last(), self.created_at, self.task_id)
        if shape.sort == "created":
            return (self.created_at, self.task_id)
        if shape.sort == "newest":
            return (self.created_at.desc(), self.task_id.desc())
        if shape.sort == "priority":
            return (case((self.urgent, 0), else_=1), *by_due)
        return by_due


@lru_cache(maxsize=512)
def _statements(shape: Shape, role_count: int) -> _Statements:
    if shape.section in ("queue", "signoffs"):
        return _role_statements(shape, role_count)
    if shape.section in ("mine", "consultations"):
        return _task_statements(shape)
    raise ValueError(f"unknown inbox section {shape.section!r}; one of {', '.join(SECTIONS)}")


def _task_statements(shape: Shape) -> _Statements:
    if shape.section == "mine":
        query = select(HumanTask).where(
            HumanTask.assignee.in_(bindparam("claimants", expanding=True)),
            HumanTask.status == TaskStatus.READY,
        )
    else:
        query = (
            select(HumanTask, Consultation)
            .join(Consultation, Consultation.task_id == HumanTask.id)
            .where(
                Consultation.role.in_(bindparam("roles", expanding=True)),
                # a role scoped to the case asks the case's own person only
                or_(Consultation.routed_to.is_(None), Consultation.routed_to == bindparam("user")),
                Consultation.answered_at.is_(None),
                Consultation.overridden_by.is_(None),
                HumanTask.status.in_(OPEN_TASK_STATUSES),
            )
        )
    keys = _Keys(
        HumanTask.id,
        HumanTask.process_id,
        HumanTask.business_key,
        HumanTask.created_at,
        HumanTask.due_at,
        HumanTask.urgent,
    )
    matching = query.where(*keys.where(shape))
    page = matching.order_by(*keys.order(shape)).limit(bindparam("limit"))
    ids = matching.with_only_columns(HumanTask.id).limit(bindparam("cap")).subquery()
    return _Statements(page.offset(bindparam("offset")), select(func.count()).select_from(ids))


def _role_statements(shape: Shape, role_count: int) -> _Statements:
    page_columns = ("task_id", "created_at", "due", "urgent", "sort_due")
    merged = _merged(shape, role_count, page_columns)
    merged_keys = _Keys(
        merged.c.task_id,
        None,
        None,
        merged.c.created_at,
        merged.c.due,
        merged.c.urgent,
        merged.c.sort_due,
    )
    picked = (
        select(*merged.c)
        .group_by(*merged.c)
        .order_by(*merged_keys.order(shape))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )
    picked_keys = _Keys(
        picked.c.task_id,
        None,
        None,
        picked.c.created_at,
        picked.c.due,
        picked.c.urgent,
        picked.c.sort_due,
    )
    page = (
        select(HumanTask)
        .join(picked, picked.c.task_id == HumanTask.id)
        .order_by(*picked_keys.order(shape))
    )
    counted = _merged(shape, role_count, ("task_id",))
    ids = select(counted.c.task_id).group_by(counted.c.task_id).limit(bindparam("cap")).subquery()
    return _Statements(page, select(func.count()).select_from(ids))


def _merged(shape: Shape, role_count: int, columns: tuple[str, ...]) -> Any:
    """The union of one branch per role (role_0, role_1, ...), each `depth` rows deep."""
    rows = task_roles.c
    if shape.section == "queue":
        letter, due = "R", rows.due_at
        state = (rows.status == TaskStatus.READY, rows.assignee.is_(None))
    else:
        # The sign-off's own deadline, else the work's: an emergency's two hours still
        # run while it waits for a signature.
        letter, due = "A", func.coalesce(rows.signoff_due_at, rows.due_at)
        state = (
            rows.status == TaskStatus.AWAITING_SIGNOFF,
            not_their_own(bindparam("user"), rows.performer, rows.performer_for),
            not_their_request(bindparam("user"), rows.task_id),
            not_worked_before(bindparam("user"), rows.task_id),
        )
    keys = _Keys(
        rows.task_id,
        rows.process_id,
        rows.business_key,
        rows.created_at,
        due,
        rows.urgent,
        rows.inbox_due,
    )
    available = {
        "task_id": rows.task_id,
        "created_at": rows.created_at,
        "due": due.label("due"),
        "urgent": rows.urgent,
        "sort_due": rows.inbox_due.label("sort_due"),
    }
    selected = [available[name] for name in columns]
    branches = [
        select(*selected)
        .where(rows.role == bindparam(f"role_{n}"), rows.letter == letter, *state)
        .where(*keys.where(shape))
        .order_by(*keys.order(shape))
        .limit(bindparam("depth"))
        .subquery()
        .select()  # a subquery, so that SQLite accepts each branch's ORDER BY and LIMIT
        for n in range(role_count)
    ]
    if not branches:  # no roles: an empty section
        return select(*selected).where(false()).subquery()
    return union_all(*branches).subquery()


def _roles_of(section: str, roles: set[str]) -> list[str]:
    if section == "queue":
        return sorted(roles | {ANYONE})  # ANYONE: an ungoverned task, anyone's
    return sorted(roles)


def _params(inbox: InboxQuery, viewer: Viewer, roles: list[str], now: datetime) -> dict[str, Any]:
    day, next_day = day_bounds(now, inbox.zone)
    params: dict[str, Any] = {
        "user": viewer.user,
        "claimants": list(viewer.claimants),
        "roles": roles,
        "now": now,
        "day": day,
        "next_day": next_day,
        "process_id": inbox.process_id,
        **{f"role_{n}": role for n, role in enumerate(roles)},
    }
    if inbox.customer and inbox.customer.strip():
        params["customer_prefix"] = _escape_like(inbox.customer.strip().lower()) + "%"
        if inbox.key_search is not None:
            params["key_search"] = inbox.key_search.prepare(inbox.customer.strip())
    return params


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
