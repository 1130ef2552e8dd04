"""Verification reads the trail as a stream: one ordered pass in batches (a server-side
cursor on PostgreSQL), so memory does not grow with the trail, and it reports progress."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine import audit_pass, audit_split, views
from engine.database import make_engine
from engine.orm import audit_events


@pytest.fixture
def trail(engine, database_url):
    """A few finished instances (a few dozen events) and a raw database handle."""
    for _ in range(3):
        engine.start("approval", user="ana")
    for task in views.open_tasks(engine.uow()):
        engine.claim(task["id"], user="ana")
        engine.complete(task["id"], user="ana", data={"amount": 10})
    db = make_engine(database_url)
    with db.connect() as conn:
        events = conn.scalar(select(func.count()).select_from(audit_events))
    yield db, events
    db.dispose()


def test_the_pass_fetches_the_trail_in_batches_in_id_order(trail, monkeypatch):
    db, events = trail
    monkeypatch.setattr(audit_pass, "BATCH", 4)
    with Session(db) as session, audit_pass.snapshot(session) as connection:
        batches = audit_pass.batches(connection)
        first = next(batches)
        if connection.dialect.name == "postgresql":
            # the rows stay on the server until fetched: a named (server-side) cursor is open
            open_cursors = connection.exec_driver_sql("SELECT name FROM pg_cursors").scalars()
            assert "audit_pass" in list(open_cursors)
        rows = first + [row for batch in batches for row in batch]
    assert len(first) == 4
    assert len(rows) == events
    ids = [row[0] for row in rows]
    assert ids == sorted(ids)


def test_progress_counts_every_event_up_to_the_whole_trail(engine, trail, monkeypatch):
    _, events = trail
    monkeypatch.setattr(audit_pass, "BATCH", 4)
    shown: list[tuple[int, int]] = []
    result = engine.verify_audit(progress=lambda done, total: shown.append((done, total)))
    assert result.ok and result.events == events
    assert len(shown) >= events // 4
    assert [done for done, _ in shown] == sorted(done for done, _ in shown)
    assert shown[-1] == (events, events)


def test_progress_counts_both_processes_of_a_split_pass(engine, trail, monkeypatch):
    _, events = trail
    monkeypatch.setattr(audit_split, "MIN_EVENTS", 0)
    monkeypatch.setattr(audit_split, "_can_fork", lambda connection: True)
    monkeypatch.setattr(audit_pass, "BATCH", 4)
    shown: list[tuple[int, int]] = []
    result = engine.verify_audit(progress=lambda done, total: shown.append((done, total)))
    assert result.ok and result.events == events
    assert all(total == events for _, total in shown)
    assert shown[-1] == (events, events)


def test_an_edit_in_the_middle_of_a_batch_is_named(engine, trail, monkeypatch):
    db, _ = trail
    monkeypatch.setattr(audit_pass, "BATCH", 4)
    with db.begin() as conn:
        edited = conn.scalar(select(func.min(audit_events.c.id))) + 5
        conn.execute(
            text("UPDATE audit_events SET reason = 'Ψ \"quoted\"' WHERE id = :id"), {"id": edited}
        )
    result = engine.verify_audit()
    assert result.first_problem.event_id == edited
    assert "content does not match its hash (edited)" in str(result.first_problem)
