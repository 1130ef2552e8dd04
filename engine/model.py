"""The engine's records, as plain Python: no database in sight.

SQLAlchemy maps these classes from the outside (engine/orm.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class InstanceStatus(StrEnum):
    RUNNING = "running"
    WAITING = "waiting"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"

    @property
    def is_final(self) -> bool:
        return self in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)


class TaskStatus(StrEnum):
    READY = "ready"
    AWAITING_SIGNOFF = "awaiting_signoff"  # R has submitted; A has not signed yet
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in OPEN_TASK_STATUSES


OPEN_TASK_STATUSES = (TaskStatus.READY, TaskStatus.AWAITING_SIGNOFF)


@dataclass(eq=False)
class ProcessVersion:
    """One deployed content of a process id; instances stay on the version they began on."""

    process_id: str
    version: int
    name: str
    content_hash: str
    spec: dict[str, Any]
    sources: dict[str, str]
    attachments: dict[str, str]
    deployed_at: datetime
    deployed_by: str
    id: int | None = None


@dataclass(eq=False)
class ProcessInstance:
    """A running (or finished) execution of a process version."""

    id: str
    version_id: int
    process_id: str
    business_key: str | None
    status: InstanceStatus
    state: bytes
    started_by: str
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None
    error_task: str | None = None
    error_message: str | None = None
    cancel_reason: str | None = None
    outcome: str | None = None  # the end event a completed case reached (its BPMN id)
    # What lists show of the case (customer, key figure), drawn from its data at each
    # settle by the deployment's summariser (ServiceRegistry.summarise_with); opaque here
    # but for one key: "urgent" (see `urgent`).
    summary: dict[str, Any] | None = None
    revision: int = field(default=0)

    @property
    def urgent(self) -> bool:
        """Whether the case's summary marks it urgent (an emergency order, and the
        release it sends): its open tasks say so and sort first by "priority"."""
        return bool((self.summary or {}).get("urgent"))


@dataclass(eq=False)
class HumanTask:
    """The queryable projection of a user task; inboxes read this, never the workflow."""

    id: str
    instance_id: str
    process_id: str
    spec_id: str
    name: str
    lane: str | None
    status: TaskStatus
    created_at: datetime
    due_at: datetime | None = None
    business_key: str | None = None
    assignee: str | None = None
    # The person the matrix routes the task to (assign_to, or a scoped R role): only
    # they, their deputy, or whom a supervisor reassigns it to may work it.
    routed_to: str | None = None
    # Scoped roles' people on this case (role -> username, or None for the whole role).
    audience: dict[str, str | None] | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
    # Sign-off (RACI "A"): the performer's submitted work waits here until signed.
    performer: str | None = None
    performer_for: str | None = None  # the user the performer stood in for, if a deputy
    submitted_data: dict[str, Any] | None = None
    submitted_at: datetime | None = None
    signoff_due_at: datetime | None = None
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None
    rework_count: int = 0
    rejection_reason: str | None = None
    claimed_at: datetime | None = None  # first taken (claimed, or completed unclaimed): analytics
    urgent: bool = False  # its case is urgent (ProcessInstance.urgent), kept at each settle

    def due_in_inbox(self, letter: str) -> datetime | None:
        """When the inbox of `letter` (R, A, ...) holds the task due, as it sorts it:
        an urgent task (its case is an emergency) at once, i.e. when it was created;
        else a sign-off by its own deadline, else the work's; None sorts last."""
        if self.urgent:
            return self.created_at
        return (self.signoff_due_at or self.due_at) if letter == "A" else self.due_at

    @property
    def returns_to(self) -> str | None:
        """Whom work sent back goes to: the person it was done for (a deputy did it while
        they were away: it is their work, and the deputy still sees it while standing
        in), else who did it."""
        return self.performer_for or self.performer


@dataclass(eq=False)
class PendingTimer:
    """A timer event waiting in an instance; the worker fires it when due."""

    id: str
    instance_id: str
    spec_id: str
    due_at: datetime


@dataclass(eq=False)
class AuditEvent:
    """One append-only, hash-chained entry of the audit trail."""

    stream: str
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    prev_hash: str
    hash: str
    instance_id: str | None = None
    process_id: str | None = None
    task_id: str | None = None
    raci_role: str | None = None
    on_behalf_of: str | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(eq=False)
class AuditStream:
    """The head of one hash chain: how long it is and the hash of its last event."""

    stream: str
    length: int
    head_hash: str


ANYONE = "*"  # the role of an ungoverned task's R: every user may work it


@dataclass(eq=False)
class TaskRole:
    """A role's RACI letter on an open task, so that inboxes can query by role.

    A task of a process without a matrix has one row (ANYONE, "R").
    """

    task_id: str
    role: str
    letter: str


@dataclass(eq=False)
class Consultation:
    """A C role asked for input on a task; answered by one member, or overridden by A."""

    task_id: str
    instance_id: str
    role: str
    requested_at: datetime
    answered_by: str | None = None
    answered_for: str | None = None  # deputy's principal
    answered_at: datetime | None = None
    comment: str | None = None
    overridden_by: str | None = None
    override_reason: str | None = None
    routed_to: str | None = None  # a scoped role: the case's own person (and deputy) answers
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.overridden_by is None


@dataclass(eq=False)
class Notification:
    """An in-app message to one user (RACI "I", a rejected performer, a process change)."""

    username: str
    subject: str
    body: str
    created_at: datetime
    instance_id: str | None = None
    task_id: str | None = None
    draft_id: str | None = None  # a process change to review (engine/draft_notices.py)
    read_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class OutboxMail:
    """An e-mail waiting for the worker to send it over SMTP."""

    recipient: str
    subject: str
    body: str
    created_at: datetime
    notification_id: int | None = None
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    id: int | None = None
