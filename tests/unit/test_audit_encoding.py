"""The verifier's fast encoding hashes exactly what the hashing rule says: json.dumps of the
fields with sorted keys, compact separators, non-ASCII as is (engine/audit.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from engine import audit

text = st.text()
optional_text = st.none() | st.text()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
times = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
)


def sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def reference_payload(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@given(
    action=text, actor=text, details=json_values, instance_id=optional_text, at=times,
    on_behalf_of=optional_text, prev_hash=text, process_id=optional_text,
    raci_role=optional_text, reason=optional_text, seq=st.integers(), stream=text,
    task_id=optional_text,
)  # fmt: skip
def test_the_fast_payload_is_the_canonical_json(at, details, **fields):
    time = at.isoformat(timespec="microseconds")
    expected = reference_payload({**fields, "details": details, "occurred_at": time})
    stored = json.dumps(details)  # as SQLAlchemy stores a JSON column
    names = audit._SORTED_FIELDS
    values = {**fields, "details": audit.stored_json(stored), "occurred_at": time}
    assert audit.canonical_payload([values[name] for name in names]) == expected
    values["details"] = audit.canonical_json(values["details"]).encode()  # as the database gives it
    assert audit.row_digest(*(values[name] for name in names)) == sha256(expected)


@given(at=times)
def test_sqlite_times_read_back_as_the_time_that_was_hashed(at):
    stored = at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    assert audit.stored_time(stored) == at.isoformat(timespec="microseconds")
    assert audit.stored_time(at) == at.isoformat(timespec="microseconds")


def test_a_value_of_an_unexpected_type_takes_the_exact_path():
    names = audit._SORTED_FIELDS
    fields = {name: "x" for name in names} | {"seq": "7", "details": {"b": 1, "a": [1.5]}}
    expected = reference_payload(fields)
    fields["details"] = audit.canonical_json(fields["details"]).encode()
    assert audit.row_digest(*(fields[name] for name in names)) == sha256(expected)


def test_stored_details_spelled_otherwise_are_still_verified():
    """Events stored before details were kept canonical: parsed and re-spelled, not refused."""
    event = audit.AuditEvent(
        stream="s", seq=1, occurred_at=datetime(2026, 1, 1, tzinfo=UTC), actor="ana",
        action="complete", prev_hash=audit.GENESIS_HASH, hash="",
        details={"b": "Πιστωτικό", "a": [1, 2]},
    )  # fmt: skip
    event.hash = audit.event_hash(event)
    check = audit.ChainCheck()
    stored = "2026-01-01 00:00:00.000000"
    for spelling in (json.dumps(event.details), audit.canonical_json(event.details)):
        spelling = spelling.encode()  # as the verifier reads them
        row = (1, "s", 1, event.prev_hash, event.hash, "complete", "ana", spelling, None,
               stored, None, None, None, None, None)  # fmt: skip
        check = audit.ChainCheck()
        check.add_rows([row], None)
        assert check.problems == []
    tampered = (1, "s", 1, event.prev_hash, event.hash, "complete", "ana", b'{"a":[1,3],"b":1}',
                None, stored, None, None, None, None, None)  # fmt: skip
    check = audit.ChainCheck()
    check.add_rows([tampered], None)
    assert [p.message for p in check.problems] == ["content does not match its hash (edited)"]


def test_details_that_are_no_longer_utf8_are_named_not_a_crash():
    """An edit that writes bytes, not text, into a SQLite row is reported like any edit."""
    row = (1, "s", 1, audit.GENESIS_HASH, "0" * 64, "complete", "ana", b'{"a":"\xff"}', None,
           "2026-01-01 00:00:00.000000", None, None, None, None, None)  # fmt: skip
    check = audit.ChainCheck()
    check.add_rows([row], None)
    assert [p.message for p in check.problems] == ["details are not valid JSON (edited)"]
