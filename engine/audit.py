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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

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


# The hashing rule: SHA-256 over the UTF-8 JSON of HASHED_FIELDS with sorted keys, no
# whitespace and non-ASCII kept as is, i.e. json.dumps(fields, sort_keys=True,
# separators=(",", ":"), ensure_ascii=False). `canonical_payload` writes exactly those
# bytes without building a dict and sorting it per event (the verifier's hot loop);
# tests/unit/test_audit_encoding.py pins it to json.dumps.
_SORTED_FIELDS = tuple(sorted(HASHED_FIELDS))
_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_KEYS = tuple(_dumps(name) + ":" for name in _SORTED_FIELDS)
_TIME_AT = _SORTED_FIELDS.index("occurred_at")


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return encode_basestring(value)
    if type(value) is int:
        return int.__repr__(value)
    return _dumps(value)


def canonical_payload(values: Sequence[Any]) -> bytes:
    """The bytes that are hashed, from the values of HASHED_FIELDS in `_SORTED_FIELDS` order.

    `occurred_at` must already be canonical (`_canonical_time`).
    """
    parts = [key + _json_value(value) for key, value in zip(_KEYS, values, strict=True)]
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def event_values(event: Any) -> list[Any]:
    """An event's hashed values in `_SORTED_FIELDS` order (event: AuditEvent or a row)."""
    values = [getattr(event, name) for name in _SORTED_FIELDS]
    values[_TIME_AT] = _canonical_time(values[_TIME_AT])
    return values


def event_fields(event: Any) -> dict[str, Any]:
    """An event's hashed fields by name, as they are hashed (what a proof shows)."""
    return dict(zip(_SORTED_FIELDS, event_values(event), strict=True))


def event_hash(event: Any) -> str:
    """Return the SHA-256 of every hashed field of `event`, canonically encoded."""
    return hashlib.sha256(canonical_payload(event_values(event))).hexdigest()


# The verifier's hot path reads columns as stored and hashes the same bytes built with
# f-strings; anything of an unexpected type (a tampered row) takes canonical_payload.
_encode_str = encode_basestring
_sha256 = hashlib.sha256
if c_make_encoder is not None:  # the C encoder json.dumps uses, built once instead of per call
    _encode_json = c_make_encoder(None, None, encode_basestring, None, ":", ",", True, False, True)

    def _dumps_fast(value: Any) -> str:
        return "".join(_encode_json(value, 0))
else:  # pragma: no cover (CPython always has it)
    _dumps_fast = _dumps
_scan_json = json.JSONDecoder().scan_once


class Unreadable(ValueError):
    """A stored value that cannot be decoded at all (an edit that broke it)."""


def stored_time(value: Any) -> str:
    """`occurred_at` as read from the database (SQLite: text; PostgreSQL: datetime), canonical."""
    if type(value) is str:
        if len(value) == 26 and value[10] == " " and value[19] == ".":  # SQLAlchemy's format
            return value[:10] + "T" + value[11:] + "+00:00"
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise Unreadable(f"time {value!r} is not a date and time") from None
    return _canonical_time(value)


def stored_json(text: str | bytes) -> Any:
    """`details` from its stored JSON (text, or its UTF-8 bytes), exactly as json.loads reads it."""
    try:
        if type(text) is bytes:
            text = text.decode()
        value, end = _scan_json(text, 0)
        if end == len(text):
            return value
    except (StopIteration, ValueError):  # ValueError: not UTF-8, or not JSON (JSONDecodeError)
        pass
    try:
        return json.loads(text)  # whitespace around the value, or an error to report
    except (ValueError, TypeError):
        raise Unreadable("details are not valid JSON") from None


def canonical_json(value: Any) -> str:
    """JSON as the hashing rule spells it; the database stores JSON columns this way too,
    so that the verifier can hash an event's stored details as they are."""
    return _dumps_fast(value)


def row_digest(
    action: Any, actor: Any, details_json: bytes, instance_id: Any, occurred_at: str,
    on_behalf_of: Any, prev_hash: Any, process_id: Any, raci_role: Any, reason: Any,
    seq: Any, stream: Any, task_id: Any,
) -> str:  # fmt: skip
    """SHA-256 (hex) of canonical_payload of one event's values (`_SORTED_FIELDS` order), fast.

    `details_json` goes in verbatim: canonical_json(details) as UTF-8, as the database
    gives it. It is hashed between the text before and after it rather than pasted into
    one string: details often hold non-ASCII text, which would make the whole payload a
    wide string to build and encode again; the parts around it stay ASCII (measured:
    a quarter less time per event).
    """
    enc = _encode_str
    try:
        if type(seq) is not int:
            raise TypeError
        digest = _sha256(f'{{"action":{enc(action)},"actor":{enc(actor)},"details":'.encode())
        digest.update(details_json)
        digest.update(
            f',"instance_id":{"null" if instance_id is None else enc(instance_id)},'
            f'"occurred_at":{enc(occurred_at)},'
            f'"on_behalf_of":{"null" if on_behalf_of is None else enc(on_behalf_of)},'
            f'"prev_hash":{enc(prev_hash)},'
            f'"process_id":{"null" if process_id is None else enc(process_id)},'
            f'"raci_role":{"null" if raci_role is None else enc(raci_role)},'
            f'"reason":{"null" if reason is None else enc(reason)},"seq":{seq},'
            f'"stream":{enc(stream)},"task_id":{"null" if task_id is None else enc(task_id)}}}'
            .encode()
        )  # fmt: skip
        return digest.hexdigest()
    except TypeError:  # a value of another type than the columns hold: a tampered row
        return _sha256(canonical_payload(
            [action, actor, stored_json(details_json), instance_id, occurred_at, on_behalf_of,
             prev_hash, process_id, raci_role, reason, seq, stream, task_id]
        )).hexdigest()  # fmt: skip


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


class ChainCheck:
    """Check every chain in one pass over the events, in any order that keeps each
    stream's events in insertion order (the verifier reads them by id).

    Feed the events with `add_rows` (it can keep each event's recomputed hash, the
    Merkle leaves), then call `finish` with the stream heads.
    """

    def __init__(self, *, continues: bool = False) -> None:
        # stream -> (expected next seq, hash of the last event, seq of the last event)
        self._tails: dict[str, tuple[int, str, int]] = {}
        self.events = 0
        self.problems: list[Problem] = []
        # A check of a later part of the trail (`continues`) cannot link a stream's first
        # event there to what came before: it keeps stream -> (seq, prev_hash, event id)
        # of that event, and `join` links it once the earlier part's tails are known.
        self.openings: dict[str, tuple[int, str, int]] | None = {} if continues else None

    def add_rows(self, rows: Iterable[Sequence[Any]], leaves: list[bytes] | None) -> None:
        """Check events as stored, in STORED_COLUMNS order (details as UTF-8 bytes); append
        each one's hash to `leaves`.

        The verifier's hot loop: locals only, two f-strings and one SHA-256 per event.
        """
        tails, problem, digest_of = self._tails, self._problem, row_digest
        link, openings = self._link, self.openings
        keep = leaves.append if leaves is not None else None
        count = 0
        for row in rows:
            (event_id, stream, seq, prev_hash, stored_hash, action, actor, details, instance_id,
             occurred_at, on_behalf_of, process_id, raci_role, reason, task_id) = row  # fmt: skip
            count += 1
            if type(seq) is not int:
                problem(stream, None, event_id, f"event id {event_id} has no valid seq (edited)")
                if keep is not None:
                    keep(b"")
                continue
            tail = tails.get(stream)
            if tail is None:
                if openings is not None:
                    openings[stream] = (seq, prev_hash, event_id)  # linked by `join`
                else:
                    link(None, stream, seq, prev_hash, event_id)
            elif seq != tail[0] or prev_hash != tail[1]:  # the common case skips the call
                link(tail, stream, seq, prev_hash, event_id)
            try:
                time = stored_time(occurred_at)
                # Details are stored as canonical_json: hash them as they are. Text spelled
                # otherwise (events stored before, other writers) is parsed and re-spelled.
                digest = digest_of(action, actor, details, instance_id, time, on_behalf_of,
                                   prev_hash, process_id, raci_role, reason, seq, stream,
                                   task_id)  # fmt: skip
                if digest != stored_hash:
                    digest = digest_of(action, actor, canonical_json(stored_json(details)).encode(),
                                       instance_id, time, on_behalf_of, prev_hash, process_id,
                                       raci_role, reason, seq, stream, task_id)  # fmt: skip
            except Unreadable as err:
                problem(stream, seq, event_id, f"{err} (edited)")
                digest = ""
            else:
                if digest != stored_hash:
                    problem(stream, seq, event_id, "content does not match its hash (edited)")
            tails[stream] = (seq + 1, stored_hash, seq)
            if keep is not None:
                keep(bytes.fromhex(digest))
        self.events += count

    def _link(
        self, tail: tuple[int, str, int] | None, stream: str, seq: int, prev_hash: Any,
        event_id: int,
    ) -> None:  # fmt: skip
        """Check that event `seq` of `stream` follows the stream's `tail` (None: no event yet)."""
        expected_seq, last_hash = (tail[0], tail[1]) if tail else (1, GENESIS_HASH)
        if seq != expected_seq:
            kind = "missing before it" if seq > expected_seq else "duplicated or inserted"
            self._problem(stream, seq, event_id, f"expected #{expected_seq}: event {kind}")
        elif prev_hash != last_hash:
            self._problem(stream, seq, event_id, "does not link to the event before it")

    def join(self, later: ChainCheck) -> None:
        """Append the check of the events right after these (`continues=True`): link each
        stream's first event there to this part's tail, and take on its tails and problems.

        The outcome is the one a single pass over both parts gives, problems in the same
        order (by event id; a link problem before the same event's content problem).
        """
        assert later.openings is not None, "the later part must be checked with continues=True"
        mine = len(self.problems)
        for stream, (seq, prev_hash, event_id) in later.openings.items():
            self._link(self._tails.get(stream), stream, seq, prev_hash, event_id)
        links = self.problems[mine:]
        del self.problems[mine:]
        by_id = sorted(links + later.problems, key=lambda p: p.event_id or 0)  # stable
        self.problems.extend(by_id)
        self._tails.update(later._tails)
        self.events += later.events

    def finish(self, heads: Sequence[Sequence[Any]]) -> Verification:
        """Compare each chain's end with its recorded head, given as (stream, length,
        head_hash) rows; the outcome of the pass (head problems in stream order)."""
        tails, ends, matched = self._tails, [], 0
        for stream, length, head_hash in heads:
            tail = tails.get(stream)
            if tail is None:
                last_hash, last_seq = GENESIS_HASH, 0
            else:
                matched += 1
                last_hash, last_seq = tail[1], tail[2]
            if length != last_seq or head_hash != last_hash:
                ends.append((stream, f"head records {length} events, chain has {last_seq}"))
        if matched < len(tails):  # some chains have no head row
            headless = tails.keys() - {row[0] for row in heads}
            ends.extend((stream, "events exist for a stream with no head") for stream in headless)
        for stream, message in sorted(ends):
            self._problem(stream, None, None, message)
        streams = len(heads) + len(tails) - matched
        return Verification(streams=streams, events=self.events, problems=self.problems)

    def prefix(self) -> Verification:
        """The outcome for a prefix of the trail: chains may go on, heads are not compared."""
        return Verification(streams=len(self._tails), events=self.events, problems=self.problems)

    def _problem(self, stream: str, seq: int | None, event_id: int | None, message: str) -> None:
        self.problems.append(Problem(stream, seq, event_id, message))
