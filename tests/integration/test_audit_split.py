"""A trail verified in two processes gives exactly the single pass's outcome: a tampered
event in either half or at the split, and a broken link across the split, are named."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from engine import audit, audit_pass, audit_split, views
from engine.database import make_engine
from engine.orm import audit_events

INSTANCES = 6


@pytest.fixture
def trail(engine, database_url):
    """Interleaved instance trails (every chain crosses the split) and a raw connection."""
    started = [engine.start("approval", user="ana").instance_id for _ in range(INSTANCES)]
    for task in views.open_tasks(engine.uow()):
        engine.claim(task["id"], user="ana")
        engine.complete(task["id"], user="ana", data={"amount": 10})
    db = make_engine(database_url)
    yield started, db
    db.dispose()


@pytest.fixture
def forks(monkeypatch):
    """Split every trail, however small, and count the second processes started."""
    monkeypatch.setattr(audit_split, "MIN_EVENTS", 0)
    # In the whole suite, other tests' idle server threads (the browser tests' live apps)
    # make verify keep the single pass; these tests are about the split itself.
    monkeypatch.setattr(audit_split, "_can_fork", lambda connection: True)
    started = []
    fork = audit_split._fork_later_part

    def counted(*args):
        started.append(args[1:3])
        return fork(*args)

    monkeypatch.setattr(audit_split, "_fork_later_part", counted)
    return started


def _split(db) -> int:
    with db.connect() as conn:
        first, last = conn.execute(
            select(func.min(audit_events.c.id), func.max(audit_events.c.id))
        ).one()
    return audit_split.split_id(first, last)


def _single_pass(engine, monkeypatch) -> audit.Verification:
    with monkeypatch.context() as patch:
        patch.setattr(audit_split, "MIN_EVENTS", 10**12)
        return engine.verify_audit()


def _edit(db, event_id: int) -> None:
    with db.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": event_id}
        )


def test_untouched_trail_verifies_in_two_processes(engine, trail, forks, monkeypatch):
    result = engine.verify_audit()
    assert forks, "the trail was not split"
    assert result.ok
    single = _single_pass(engine, monkeypatch)
    assert (result.streams, result.events) == (single.streams, single.events)


@pytest.mark.parametrize("where", ["first half", "at the split", "after the split", "last"])
def test_edited_event_is_named_in_either_half(engine, trail, forks, monkeypatch, where):
    _, db = trail
    split = _split(db)
    with db.connect() as conn:
        last = conn.scalar(select(func.max(audit_events.c.id)))
    edited = {"first half": 2, "at the split": split, "after the split": split + 1, "last": last}[
        where
    ]
    _edit(db, edited)
    result = engine.verify_audit()
    assert forks
    assert result.first_problem.event_id == edited
    assert "edited" in str(result.first_problem)
    assert result.problems == _single_pass(engine, monkeypatch).problems


def _chain_across_split(db, split: int):
    """An instance's two events on either side of the split, the later one linked to the first."""
    with db.connect() as conn:
        rows = conn.execute(
            select(*audit_pass._HASHED_COLUMNS)
            .where(audit_events.c.stream != audit.SYSTEM_STREAM)
            .order_by(audit_events.c.stream, audit_events.c.seq)
        ).all()
    for before, after in itertools.pairwise(rows):
        if before.stream == after.stream and before.id <= split < after.id:
            return before, after
    raise AssertionError("no chain crosses the split")


def test_deleted_event_before_the_split_is_named_after_it(engine, trail, forks, monkeypatch):
    _, db = trail
    before, after = _chain_across_split(db, _split(db))
    with db.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": before.id})
    result = engine.verify_audit()
    assert forks
    assert result.first_problem.event_id == after.id
    assert "missing before it" in str(result.first_problem)
    assert result.problems == _single_pass(engine, monkeypatch).problems


def test_relinked_event_across_the_split_is_named(engine, trail, forks, monkeypatch):
    """A forger who re-hashes an event after changing its link: only the link is wrong."""
    _, db = trail
    _, after = _chain_across_split(db, _split(db))
    forged = SimpleNamespace(**{**after._mapping, "prev_hash": "f" * 64})
    with db.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET prev_hash = :prev, hash = :hash WHERE id = :id"),
            {"prev": forged.prev_hash, "hash": audit.event_hash(forged), "id": after.id},
        )
    result = engine.verify_audit()
    assert forks
    assert [str(p) for p in result.problems][:1] == [str(result.first_problem)]
    assert result.first_problem.event_id == after.id
    assert "does not link to the event before it" in str(result.first_problem)
    assert result.problems == _single_pass(engine, monkeypatch).problems
