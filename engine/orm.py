"""Tables, and the mapping of engine/model.py classes onto them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import deferred, registry, relationship

from . import model


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the engine stores UTC only")
        return value.astimezone(UTC)

    def bind_processor(self, dialect: Any) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # SQLite stores text: the text SQLAlchemy's DATETIME writes, in one step instead
        # of two (every row the engine writes has a time or more).
        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            utc = self.process_bind_param(value, dialect)
            return utc.replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UUID_LEN = 36

process_versions = Table(
    "process_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("process_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(400), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("spec", JSON, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("deployed_at", UTCDateTime, nullable=False),
    Column("deployed_by", String(200), nullable=False),
    UniqueConstraint("process_id", "version"),
    UniqueConstraint("process_id", "content_hash"),
)

process_instances = Table(
    "process_instances",
    metadata,
    Column("id", String(UUID_LEN), primary_key=True),
    Column("version_id", ForeignKey("process_versions.id"), nullable=False),
    Column("process_id", String(200), nullable=False),
    Column("business_key", String(200)),
    Column("status", String(20), nullable=False),
    Column("state", LargeBinary, nullable=False),
    Column("started_by", String(200), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("error_task", String(200)),
    Column("error_message", Text),
    Column("cancel_reason", Text),
    Column("outcome", String(200)),  # the end event a completed case reached
    Column("revision", Integer, nullable=False),
    Column("summary", JSON),  # see ProcessInstance.summary
    Index(None, "process_id", "status"),
    Index(None, "status", "updated_at"),
    Index(None, "business_key"),
    Index(None, "started_at"),  # instance lists, newest first
    Index(None, "started_by", "started_at"),
    Index(None, "process_id", "started_at"),  # analytics: a process's instances in a period
    Index(None, "process_id", "ended_at"),  # analytics: ended since the last roll-up, or open
)

human_tasks = Table(
    "human_tasks",
    metadata,
    Column("id", String(UUID_LEN), primary_key=True),
    Column("instance_id", ForeignKey("process_instances.id"), nullable=False),
    Column("process_id", String(200), nullable=False),
    Column("spec_id", String(200), nullable=False),
    Column("name", String(400), nullable=False),
    Column("lane", String(200)),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime),
    Column("business_key", String(200)),
    Column("assignee", String(200)),
    Column("routed_to", String(200)),  # assign_to / a scoped R role (docs/raci.md)
    Column("audience", JSON),  # scoped roles' people on this case: role -> username
    Column("completed_by", String(200)),
    Column("completed_at", UTCDateTime),
    Column("performer", String(200)),
    Column("performer_for", String(200)),
    Column("submitted_data", JSON),
    Column("submitted_at", UTCDateTime),
    Column("signoff_due_at", UTCDateTime),
    Column("signed_off_by", String(200)),
    Column("signed_off_at", UTCDateTime),
    Column("rework_count", Integer, nullable=False, default=0),
    Column("rejection_reason", Text),
    Column("claimed_at", UTCDateTime),  # first claim: waiting ends (docs/analytics.md)
    Column("urgent", Boolean, nullable=False, default=False, server_default=false()),
    Index(None, "instance_id"),
    Index(None, "status", "lane", "created_at"),
    Index(None, "assignee", "status", "created_at"),
    Index(None, "status", "due_at"),
    Index(None, "performer", "status"),  # my work waiting for sign-off
    Index(None, "process_id", "created_at"),  # analytics: a process's tasks in a period
)


def _rollup_block() -> list[Column[Any]]:
    """What a roll-up row adds up: one version's instances started on a day, or in a month
    (engine/analytics/rollup.py). Days are counted from 1970-01-01 UTC."""
    return [
        Column("process_id", String(200), primary_key=True),
        Column("span", String(10), primary_key=True),  # day, week, month, quarter, year
        Column("first_day", Integer, primary_key=True),
        Column("version_id", Integer, primary_key=True),  # last: reports read a period
    ]


def _counts(*names: str) -> list[Column[Any]]:
    return [Column(name, Integer, nullable=False) for name in names]


# The analytics roll-ups: finished instances' figures added up per day and month of start
# (docs/analytics.md, "Roll-ups"); engine/analytics/facts.py says what each column holds.
analytics_instances = Table(
    "analytics_instances",
    metadata,
    *_rollup_block(),
    Column("status", String(20), primary_key=True),
    Column("ended_day", Integer, primary_key=True),
    *_counts("instances"),
    Column("cycle_seconds", Float, nullable=False),
    *_counts("flawed_rework", "flawed_breach", "flawed_either"),
)
analytics_activities = Table(
    "analytics_activities",
    metadata,
    *_rollup_block(),
    Column("element", String(200), primary_key=True),
    Column("name", String(400), nullable=False),
    Column("first_seen", Float, nullable=False),
    *_counts("tasks", "completed", "open", "reworks", "breaches"),
    *_counts("done_rework", "done_breach", "done_either"),
)
analytics_people = Table(
    "analytics_people",
    metadata,
    *_rollup_block(),
    Column("person", String(200), primary_key=True),
    *_counts("open", "done", "breached", "signed"),
)
analytics_spreads = Table(
    "analytics_spreads",
    metadata,
    *_rollup_block(),
    Column("measure", String(20), primary_key=True),
    Column("subject", String(200), primary_key=True),
    Column("bin", Integer, primary_key=True),
    *_counts("count"),
    Column("low", Float, nullable=False),
    Column("high", Float, nullable=False),
)
# Per process: every instance that ended before `rolled_before` is in the roll-ups.
analytics_rollups = Table(
    "analytics_rollups",
    metadata,
    Column("process_id", String(200), primary_key=True),
    Column("rolled_before", UTCDateTime, nullable=False),
)


pending_timers = Table(
    "pending_timers",
    metadata,
    Column("id", String(UUID_LEN), primary_key=True),
    Column("instance_id", ForeignKey("process_instances.id"), nullable=False),
    Column("spec_id", String(200), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Index(None, "due_at"),
    Index(None, "instance_id"),
)

# Messages nobody waited for when sent, kept until they expire (docs/events.md).
kept_messages = Table(
    "kept_messages",
    metadata,
    Column("id", String(UUID_LEN), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("correlation", JSON, nullable=False),
    Column("payload", JSON),
    Column("sent_by", String(200), nullable=False),
    Column("sender_instance", String(UUID_LEN)),
    Column("sent_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "name", "expires_at"),
)

# Starts asked for with a request key (the API's Idempotency-Key, the start page's own):
# the same key from the same user again gets the case it started (docs/engine.md). No
# foreign key: the row is claimed before its instance exists, in the same transaction.
start_requests = Table(
    "start_requests",
    metadata,
    Column("username", String(200), primary_key=True),
    Column("request_key", String(100), primary_key=True),
    Column("fingerprint", String(64), nullable=False),  # what was asked: replayed or not
    Column("instance_id", String(UUID_LEN)),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "created_at"),  # the worker drops old keys
)

# Processes whose start event is a timer: when the worker next starts one (docs/events.md).
start_timers = Table(
    "start_timers",
    metadata,
    Column("process_id", String(200), primary_key=True),
    Column("due_at", UTCDateTime, nullable=False),
    Column("cycles_left", Integer, nullable=False),  # -1: for ever; 1: this is the last
    Column("every_seconds", Float),  # the period of a cycle; None: once
    Index(None, "due_at"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("stream", String(UUID_LEN + 10), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("instance_id", String(UUID_LEN)),
    Column("process_id", String(200)),
    Column("task_id", String(UUID_LEN)),
    Column("raci_role", String(8)),
    Column("on_behalf_of", String(200)),
    Column("reason", Text),
    Column("details", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("stream", "seq"),
    Index(None, "instance_id"),
    Index(None, "occurred_at"),
    Index(None, "actor", "occurred_at"),
    Index(None, "action", "occurred_at"),
    Index(None, "process_id", "occurred_at"),
    Index(None, "on_behalf_of", "occurred_at"),  # the audit search by user
)

audit_streams = Table(
    "audit_streams",
    metadata,
    Column("stream", String(UUID_LEN + 10), primary_key=True),
    Column("length", Integer, nullable=False),
    Column("head_hash", String(64), nullable=False),
)

audit_verifications = Table(
    # Each full check of the chains: the audit page shows the last one (never re-runs it).
    "audit_verifications",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Column("run_by", String(200), nullable=False),
    Column("streams", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("problems", Integer, nullable=False),
    Column("first_problem", Text),
    Column("first_bad_event_id", BigInteger),
    Column("first_bad_stream", String(UUID_LEN + 10)),
    Index(None, "finished_at"),
)

task_roles = Table(
    "task_roles",
    metadata,
    Column("task_id", ForeignKey("human_tasks.id"), primary_key=True),
    Column("role", String(200), primary_key=True),
    Column("letter", String(1), primary_key=True),
    # The inbox index: what inboxes filter and sort by, copied from the open task so
    # that a role's inbox is read from this table alone (see TaskRoleRepository).
    Column("process_id", String(200), nullable=False),
    Column("business_key", String(200)),
    Column("status", String(20), nullable=False),
    Column("assignee", String(200)),
    Column("performer", String(200)),
    Column("performer_for", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime),
    Column("signoff_due_at", UTCDateTime),
    Column("urgent", Boolean, nullable=False, default=False, server_default=false()),
    # When this letter's inbox holds the task due (HumanTask.due_in_inbox): the default
    # order's key, kept as a column so that the index below is read in that order.
    Column("inbox_due", UTCDateTime),
    # One role's rows of one letter and state, in the default inbox order (due first),
    # with every inbox field after the order: read in order, from the index alone.
    Index(
        "ix_task_roles_inbox",
        "role",
        "letter",
        "status",
        "inbox_due",
        "created_at",
        "task_id",
        "assignee",
        "due_at",
        "signoff_due_at",
        "process_id",
        "business_key",
        "performer",
        "performer_for",
        "urgent",
    ),
)

consultations = Table(
    "consultations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("task_id", ForeignKey("human_tasks.id"), nullable=False),
    Column("instance_id", String(UUID_LEN), nullable=False),
    Column("role", String(200), nullable=False),
    Column("routed_to", String(200)),  # a scoped C role: the case's own person answers
    Column("requested_at", UTCDateTime, nullable=False),
    Column("answered_by", String(200)),
    Column("answered_for", String(200)),
    Column("answered_at", UTCDateTime),
    Column("comment", Text),
    Column("overridden_by", String(200)),
    Column("override_reason", Text),
    Index(None, "task_id"),
    Index(None, "role", "answered_at"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(200), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("instance_id", String(UUID_LEN)),
    Column("task_id", String(UUID_LEN)),
    Column("draft_id", String(UUID_LEN)),
    Column("read_at", UTCDateTime),
    Index(None, "username", "read_at", "created_at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("notification_id", ForeignKey("notifications.id")),
    Column("sent_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    # Not before then: a worker's lease on a mail it is sending, or a failed mail's retry delay.
    Column("next_attempt_at", UTCDateTime),
    Index(None, "sent_at", "attempts"),
)

# The directory: mapped to raci.directory values by DirectoryRepository, not by the ORM.
users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("active", Boolean, nullable=False),
    # Sign-in: set by `raciflow directory set-password` (never imported or exported).
    Column("password_hash", String(300)),
    Column("locale", String(5), nullable=False, server_default="el"),
    # Raised at sign-out and password change: session cookies of an older one are void.
    Column("session_generation", Integer, nullable=False, server_default="0"),
    # Set with a one-time password from the users page: the owner must choose their own.
    Column("password_must_change", Boolean, nullable=False, server_default=false()),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the token: never stored
    Column("username", ForeignKey("users.username"), nullable=False),
    Column("label", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "username"),
)

saved_filters = Table(
    "saved_filters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", ForeignKey("users.username"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("query", JSON, nullable=False),
    UniqueConstraint("username", "name"),
)

roles = Table(
    "roles",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("description", Text, nullable=False),
)

role_members = Table(
    "role_members",
    metadata,
    Column("role", ForeignKey("roles.name"), primary_key=True),
    Column("username", ForeignKey("users.username"), primary_key=True),
    Index(None, "username"),
)

deputies = Table(
    "deputies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("deputy", ForeignKey("users.username"), nullable=False),
    Column("principal", ForeignKey("users.username"), nullable=False),
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),
    Index(None, "deputy"),
)

# One row: raised by every directory change and every deploy (engine/caches.py).
cache_revisions = Table(
    "cache_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("directory", BigInteger, nullable=False),
    Column("definitions", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="cache_revisions_one_row"),
)

# Comments and files on a case (engine/case_notes.py); never changed once written.
comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("process_instances.id"), nullable=False),
    Column("task_id", String(UUID_LEN)),
    Column("author", String(200), nullable=False),
    Column("written_at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Index(None, "instance_id", "id"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("process_instances.id"), nullable=False),
    Column("task_id", String(UUID_LEN)),
    Column("name", String(200), nullable=False),
    Column("kind", String(100)),  # what it is for a form's rule ("signed_contract"), if said
    Column("media_type", String(100), nullable=False),  # detected from the content
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    Column("uploaded_at", UTCDateTime, nullable=False),
    Column("location", String(300)),  # in the folder store; NULL: its chunks are in the database
    Index(None, "instance_id", "id"),
)

# A file kept in the database, in chunks: written and read a chunk at a time.
attachment_chunks = Table(
    "attachment_chunks",
    metadata,
    Column("attachment_id", ForeignKey("attachments.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

mapper_registry = registry(metadata=metadata)
_mapped = False


def start_mappers() -> None:
    """Map the model classes onto the tables (once per process)."""
    global _mapped
    if _mapped:
        return
    # The relationships exist so that a flush inserts parents before children.
    # Specs and sources are large and the engine caches parsed specs: load them on use.
    mapper_registry.map_imperatively(
        model.ProcessVersion,
        process_versions,
        properties={
            name: deferred(process_versions.c[name]) for name in ("spec", "sources", "attachments")
        },
    )
    mapper_registry.map_imperatively(
        model.ProcessInstance,
        process_instances,
        version_id_col=process_instances.c.revision,
        properties={"_version": relationship(model.ProcessVersion)},
    )
    mapper_registry.map_imperatively(
        model.HumanTask, human_tasks, properties={"_instance": relationship(model.ProcessInstance)}
    )
    mapper_registry.map_imperatively(
        model.PendingTimer,
        pending_timers,
        properties={"_instance": relationship(model.ProcessInstance)},
    )
    mapper_registry.map_imperatively(model.AuditEvent, audit_events)
    mapper_registry.map_imperatively(model.AuditStream, audit_streams)
    mapper_registry.map_imperatively(
        model.TaskRole, task_roles, properties={"_task": relationship(model.HumanTask)}
    )
    mapper_registry.map_imperatively(
        model.Consultation, consultations, properties={"_task": relationship(model.HumanTask)}
    )
    mapper_registry.map_imperatively(model.Notification, notifications)
    mapper_registry.map_imperatively(
        model.OutboxMail, outbox, properties={"_notification": relationship(model.Notification)}
    )
    _mapped = True
