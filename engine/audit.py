"""The audit trail's hash chains: how an event is hashed and how chains are checked.

Design: the trail is a set of independent chains ("streams"), one per process
instance plus one `system` stream for deployments and other events that belong
to no instance. Each event stores its position in its stream (`seq`), the hash
of the previous event, and its own hash over every stored field. The stream's
head (length and last hash) is kept in `audit_streams` and updated in the same
transaction as the event.

Why per-instance streams: appending to one global chain would force every
transaction in the system to queue on one row. An instance's events are
already serialised by the instance's own optimistic lock, so a per-instance
chain adds no waiting between independent instances. Ordering within a stream
is total (seq); across streams events are ordered by time, which is all an
auditor needs.

What verification detects: an edited event (its hash no longer matches), a
deleted event (a gap in seq, or a prev_hash that does not match), an inserted
event (a duplicate or out-of-place seq, or a broken link), a truncated tail (the
stream head records more events or another last hash), and events of a stream
with no head. Deleting a whole instance's stream together with its head row is
not detectable from the data alone; export the heads (`raciflow audit verify
--json`) to an external store if that threat matters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .model import AuditEvent, AuditStream

GENESIS_HASH = "0" * 64
SYSTEM_STREAM = "system"
HASHED_FIELDS = (
    "stream",
    "seq",
    "occurred_at",
    "actor",
    "action",
    "instance_id",
    "process_id",
    "task_id",
    "raci_role",
    "on_behalf_of",
    "reason",
    "details",
    "prev_hash",
)


def _canonical_time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(event: AuditEvent) -> str:
    """Return the SHA-256 of every hashed field of `event`, canonically encoded."""
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = _canonical_time(event.occurred_at)
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain(event: AuditEvent, head: AuditStream) -> None:
    """Link `event` after `head` and move the head on to it."""
    event.stream = head.stream
    event.seq = head.length + 1
    event.prev_hash = head.head_hash
    event.hash = event_hash(event)
    head.length = event.seq
    head.head_hash = event.hash


@dataclass(frozen=True)
class Problem:
    """One place where a chain does not hold."""

    stream: str
    seq: int | None
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"stream {self.stream}"
        if self.seq is not None:
            where += f", event #{self.seq} (id {self.event_id})"
        return f"{where}: {self.message}"


@dataclass
class Verification:
    """The outcome of checking every chain."""

    streams: int = 0
    events: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        """The earliest bad event by id, or the first stream-level problem."""
        with_ids = [p for p in self.problems if p.event_id is not None]
        if with_ids:
            return min(with_ids, key=lambda p: p.event_id or 0)
        return self.problems[0] if self.problems else None


def verify_stream(head: AuditStream | None, events: Iterable[AuditEvent]) -> Iterator[Problem]:
    """Yield every problem in one stream; `events` must come in seq order."""
    expected_seq, prev_hash, stream = 1, GENESIS_HASH, head.stream if head else None
    last: AuditEvent | None = None
    for event in events:
        stream = event.stream
        if event.seq != expected_seq:
            kind = "missing before it" if event.seq > expected_seq else "duplicated or inserted"
            yield Problem(stream, event.seq, event.id, f"expected #{expected_seq}: event {kind}")
        elif event.prev_hash != prev_hash:
            yield Problem(stream, event.seq, event.id, "does not link to the event before it")
        if event_hash(event) != event.hash:
            yield Problem(stream, event.seq, event.id, "content does not match its hash (edited)")
        expected_seq, prev_hash, last = event.seq + 1, event.hash, event
    if head is None:
        if last is not None:
            yield Problem(stream or "?", None, None, "events exist for a stream with no head")
        return
    if last is None or head.length != last.seq or head.head_hash != last.hash:
        seen = last.seq if last else 0
        yield Problem(
            head.stream, None, None, f"head records {head.length} events, chain has {seen}"
        )
