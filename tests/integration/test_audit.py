"""The audit trail is append-only and hash-chained: tampering is found and named."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine import views
from engine.database import make_engine


@pytest.fixture
def trail(engine, database_url):
    """A finished instance with a few events, and a raw connection to tamper with."""
    started = engine.start("approval", user="ana")
    [task] = views.open_tasks(engine.uow())
    engine.claim(task["id"], user="ana")
    engine.complete(task["id"], user="ana", data={"amount": 10})
    db = make_engine(database_url)
    yield started.instance_id, db
    db.dispose()


def _events(db, stream):
    with db.connect() as conn:
        return conn.execute(
            text("SELECT id, seq, action FROM audit_events WHERE stream = :s ORDER BY seq"),
            {"s": stream},
        ).all()


def test_untouched_trail_verifies(engine, trail):
    result = engine.verify_audit()
    assert result.ok
    assert result.events == 3 + 6  # three deploys, five instance events, one DMN decision


def test_edited_event_is_named(engine, trail):
    instance_id, db = trail
    claim = next(e for e in _events(db, instance_id) if e.action == "claim")
    with db.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": claim.id}
        )
    result = engine.verify_audit()
    assert not result.ok
    assert result.first_problem.event_id == claim.id
    assert "edited" in str(result.first_problem)


def test_deleted_event_is_named(engine, trail):
    instance_id, db = trail
    events = _events(db, instance_id)
    with db.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[2].id})
    result = engine.verify_audit()
    assert not result.ok
    assert result.first_problem.event_id == events[3].id
    assert "missing" in str(result.first_problem)


def test_deleted_last_event_is_found(engine, trail):
    instance_id, db = trail
    events = _events(db, instance_id)
    with db.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[-1].id})
    result = engine.verify_audit()
    assert not result.ok
    assert "head records 6 events, chain has 5" in str(result.first_problem)


def test_inserted_event_is_named(engine, trail):
    instance_id, db = trail
    events = _events(db, instance_id)
    with db.begin() as conn:
        # Forge an approval after the last event, with a plausible but unchained hash.
        conn.execute(
            text(
                "INSERT INTO audit_events (stream, seq, occurred_at, actor, action, instance_id, "
                "details, prev_hash, hash) VALUES (:s, :seq, :t, 'mallory', 'complete', :s, '{}', "
                ":prev, :hash)"
            ),
            {
                "s": instance_id,
                "seq": len(events) + 1,
                "t": "2026-01-01 00:00:00",
                "prev": "0" * 64,
                "hash": "f" * 64,
            },
        )
    result = engine.verify_audit()
    assert not result.ok
    forged = _events(db, instance_id)[-1]
    assert result.first_problem.event_id == forged.id
