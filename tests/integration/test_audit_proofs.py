"""Recorded verifications, Merkle checkpoints and inclusion proofs an outsider can check.

The proofs are checked by scripts/verify_audit_proof.py run as a separate process,
as an auditor would run it: no database, no raciflow import.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import audit, views
from engine.database import make_engine
from engine.errors import InvalidState

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_audit_proof.py"


def check_proof(proof: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), "-", *args],
        input=json.dumps(proof),
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.fixture
def trail(engine, database_url):
    """Two instances with a few events each, and a raw connection to tamper with."""
    for user in ("ana", "bob"):
        engine.start("approval", user=user)
    [task, _] = views.open_tasks(engine.uow())
    engine.claim(task["id"], user="ana")
    engine.complete(task["id"], user="ana", data={"amount": 10, "note": "Πιστωτικό"})
    db = make_engine(database_url)
    yield db
    db.dispose()


def event_ids(db, **where: str) -> list[int]:
    clause = " AND ".join(f"{name} = :{name}" for name in where) or "1 = 1"
    with db.connect() as conn:
        return list(
            conn.scalars(text(f"SELECT id FROM audit_events WHERE {clause} ORDER BY id"), where)
        )


def test_a_proof_of_an_event_verifies_with_the_standalone_script(engine, trail):
    checkpoint = engine.checkpoint_audit(user="fotis.audit")
    [claim] = event_ids(trail, action="claim")

    proof = engine.prove_event(claim)
    done = check_proof(
        proof, "--root", checkpoint.root_hash, "--tree-size", str(checkpoint.tree_size)
    )

    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("OK: ") and "claim by ana" in done.stdout
    assert proof["checkpoint_id"] == checkpoint.id and proof["matches_checkpoint"]
    assert proof["tree_size"] == checkpoint.tree_size == len(event_ids(trail)) - 1
    assert proof["leaf"]["event"]["action"] == "claim"


def test_every_event_of_a_checkpoint_has_a_proof(engine, trail):
    checkpoint = engine.checkpoint_audit(user="fotis.audit")
    for index, event_id in enumerate(event_ids(trail)[: checkpoint.tree_size]):
        proof = engine.prove_event(event_id)
        assert proof["leaf_index"] == index
        assert check_proof(proof).returncode == 0


def test_the_checkpoint_is_an_audit_event_of_the_person_who_records_it(engine, trail):
    checkpoint = engine.checkpoint_audit(user="fotis.audit")
    [recorded] = views.audit_events(engine.uow(), action="audit_checkpoint")
    assert recorded["id"] == checkpoint.id and recorded["actor"] == "fotis.audit"
    assert recorded["details"]["root_hash"] == checkpoint.root_hash
    assert engine.verify_audit().ok  # and it is chained like any other event


def test_a_proof_fails_after_the_event_is_changed_in_the_database(engine, trail):
    checkpoint = engine.checkpoint_audit(user="fotis.audit")
    [claim] = event_ids(trail, action="claim")
    with trail.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": claim}
        )

    proof = engine.prove_event(claim)
    done = check_proof(proof, "--root", checkpoint.root_hash)

    assert not proof["matches_checkpoint"] and "edited" in proof["chain_problem"]
    assert done.returncode == 1 and done.stdout.startswith("FAILED: ")
    assert "altered" in done.stdout


def test_a_proof_fails_after_the_event_and_its_hash_are_rewritten(engine, trail):
    """A forger who recomputes the event's hash still cannot reach the published root."""
    checkpoint = engine.checkpoint_audit(user="fotis.audit")
    [claim] = event_ids(trail, action="claim")
    _rewrite(trail, claim, actor="mallory")

    done = check_proof(engine.prove_event(claim), "--root", checkpoint.root_hash)

    assert done.returncode == 1 and "do not lead to the root" in done.stdout


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: p["leaf"]["event"].update(actor="mallory"),
        lambda p: p["leaf"]["event"]["details"].update(data={"amount": 99999}),
        lambda p: p["leaf"].update(event_hash=audit.event_hash(_as_event(p, actor="mallory"))),
        lambda p: p.update(leaf_index=p["leaf_index"] + 1),
        lambda p: p.update(tree_size=p["tree_size"] + 1),
        lambda p: p["audit_path"].reverse(),
        lambda p: p["audit_path"].pop(),
        lambda p: p.update(root="0" * 64),
        lambda p: p.update(format="something else"),
    ],
    ids=[
        "actor", "details", "event-and-hash", "index", "size", "path-order", "path-short",
        "root", "format",
    ],
)  # fmt: skip
def test_a_proof_fails_after_its_json_is_edited(engine, trail, edit):
    checkpoint = engine.checkpoint_audit(user="fotis.audit")
    [complete] = event_ids(trail, action="complete")
    proof = engine.prove_event(complete)
    assert check_proof(proof).returncode == 0

    edited = copy.deepcopy(proof)
    edit(edited)
    # As an auditor checks it: against the root and size published with the checkpoint.
    # (A path alone may fit two tree sizes: leaf 8 of 11 and of 12 climb the same nodes.)
    published = ("--root", checkpoint.root_hash, "--tree-size", str(checkpoint.tree_size))
    done = check_proof(edited, *published)

    assert done.returncode == 1 and done.stdout.startswith("FAILED: "), done.stdout


def test_a_proof_with_another_root_or_size_than_the_published_ones_fails(engine, trail):
    checkpoint = engine.checkpoint_audit(user="fotis.audit")
    proof = engine.prove_event(1)
    done = check_proof(proof, "--root", "ab" * 32)
    assert done.returncode == 1 and "not the published root" in done.stdout
    size = str(checkpoint.tree_size + 1)
    done = check_proof(proof, "--root", checkpoint.root_hash, "--tree-size", size)
    assert done.returncode == 1 and "not the published tree size" in done.stdout


def test_the_root_changes_when_any_earlier_event_changes(engine, trail):
    """Even a consistent rewrite (hashes and chain recomputed) gives another root."""
    before = engine.checkpoint_audit(user="fotis.audit")
    first_of_instance = event_ids(trail)[3]
    _rewrite(trail, first_of_instance, actor="mallory")
    assert engine.verify_audit().ok  # the chains alone cannot tell

    after = engine.checkpoint_audit(user="fotis.audit")

    assert after.root_hash != before.root_hash
    assert engine.prove_event(first_of_instance, checkpoint_id=before.id)[
        "matches_checkpoint"
    ] is False  # fmt: skip


def test_a_checkpoint_over_a_broken_trail_is_refused(engine, trail):
    [claim] = event_ids(trail, action="claim")
    with trail.begin() as conn:
        conn.execute(text("UPDATE audit_events SET reason = 'x' WHERE id = :id"), {"id": claim})
    with pytest.raises(InvalidState, match="broken"):
        engine.checkpoint_audit(user="fotis.audit")
    assert views.audit_events(engine.uow(), action="audit_checkpoint") == []


def test_an_event_after_the_last_checkpoint_cannot_be_proven_yet(engine, trail):
    engine.checkpoint_audit(user="fotis.audit")
    engine.start("approval", user="ana")
    newest = event_ids(trail)[-1]
    with pytest.raises(InvalidState, match="no checkpoint covers"):
        engine.prove_event(newest)


def test_verification_is_recorded_and_the_worker_repeats_it_when_due(engine, trail, clock):
    assert engine.last_verification() is None
    assert engine.verify_audit_if_due(timedelta(hours=1)) is True
    first = engine.last_verification()
    assert first.ok and first.run_by == "worker" and first.events == len(event_ids(trail))

    clock.advance(timedelta(minutes=59))
    assert engine.verify_audit_if_due(timedelta(hours=1)) is False
    clock.advance(timedelta(minutes=2))
    assert engine.verify_audit_if_due(timedelta(hours=1)) is True
    assert engine.last_verification().id != first.id


def test_a_recorded_verification_names_the_first_bad_event(engine, trail):
    [claim] = event_ids(trail, action="claim")
    stream = _stream_of(trail, claim)
    with trail.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": claim}
        )

    record = engine.record_verification(by="fotis.audit")

    assert not record.ok and record.first_bad_event_id == claim
    assert record.first_bad_stream == stream and "edited" in record.first_problem
    assert engine.last_verification() == record


def test_unreadable_details_are_reported_not_crashed_on(engine, trail, database_url):
    if database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's json type itself refuses text that is not JSON")
    [claim] = event_ids(trail, action="claim")
    with trail.begin() as conn:
        conn.execute(text("UPDATE audit_events SET details = '{' WHERE id = :id"), {"id": claim})
    result = engine.verify_audit()
    assert result.first_problem.event_id == claim
    assert "not valid JSON" in str(result.first_problem)


def _stream_of(db, event_id: int) -> str:
    with db.connect() as conn:
        return conn.scalar(text("SELECT stream FROM audit_events WHERE id = :id"), {"id": event_id})


def _as_event(proof: dict, **changes: object) -> audit.AuditEvent:
    from datetime import datetime

    fields = {**proof["leaf"]["event"], **changes}
    fields["occurred_at"] = datetime.fromisoformat(fields["occurred_at"])
    return audit.AuditEvent(**fields, hash="")


def _rewrite(db, event_id: int, **changes: str) -> None:
    """Change an event and re-chain its whole stream and head, as a careful forger would."""
    from engine.database import make_session_factory
    from engine.model import AuditEvent, AuditStream

    session = make_session_factory(db)()
    changed = session.get(AuditEvent, event_id)
    for name, value in changes.items():
        setattr(changed, name, value)
    events = session.query(AuditEvent).filter_by(stream=changed.stream).order_by(AuditEvent.seq)
    head = session.get(AuditStream, changed.stream)
    head.length, head.head_hash = 0, audit.GENESIS_HASH
    for event in events:
        audit.chain(event, head)
    session.commit()
    session.close()
