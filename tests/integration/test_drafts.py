"""Drafts in the database (SQLite and PostgreSQL): stored, locked while submitted, signed once."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import SourceFile, build_engine
from engine.errors import ConcurrencyConflict, InvalidState, NotAllowed, NotFound
from workflows.demo import demo_directory
from workflows.services import build_registry

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
PROCESS = "credit_limit_change"
OWNER, APPROVER = "lena.owner", "stavros.approver"


@pytest.fixture
def engine(database_url):
    engine = build_engine(database_url, services=build_registry())
    engine.import_directory(demo_directory(), user="admin")
    engine.deploy([SourceFile.read(p) for p in sorted(BPMN.glob(f"{PROCESS}.*"))], user=OWNER)
    return engine


def submitted(engine) -> str:
    draft = engine.open_draft(PROCESS, user=OWNER)
    matrix = f"{PROCESS}.raci.yaml"
    files = {
        **draft.files,
        matrix: draft.files[matrix].replace("signoff_due: P1D", "signoff_due: P2D"),
    }
    engine.save_draft(draft.id, files, user=OWNER)
    engine.submit_draft(draft.id, user=OWNER, comment="a day more for the controller")
    return draft.id


def test_a_signed_draft_becomes_the_next_version_once(engine):
    draft_id = submitted(engine)
    with pytest.raises(NotAllowed):
        engine.approve_draft(draft_id, user=OWNER)
    [told] = engine.notifications(APPROVER)
    assert told.subject == "Credit limit change: a change waits for your signature"
    deployed = engine.approve_draft(draft_id, user=APPROVER)
    assert (deployed.version, deployed.created) == (2, True)
    assert [n.subject for n in engine.notifications(OWNER)] == [
        "Credit limit change: your change is version 2"
    ]
    with pytest.raises(InvalidState):  # signed once: not again
        engine.approve_draft(draft_id, user=APPROVER)
    [approval] = engine.approvals(PROCESS).values()
    assert approval.decided_by == APPROVER and approval.deployed_version == 2
    assert engine.matrix(PROCESS)[0] == 2


def test_a_draft_opened_before_another_version_was_deployed_cannot_be_signed(engine):
    draft_id = submitted(engine)
    other = engine.open_draft(PROCESS, user=OWNER)
    bpmn = f"{PROCESS}.bpmn"
    files = {**other.files, bpmn: other.files[bpmn].replace("Measure the increase", "Measure it")}
    engine.save_draft(other.id, files, user=OWNER)
    engine.submit_draft(other.id, user=OWNER, comment="a clearer name")
    engine.approve_draft(other.id, user=APPROVER)
    with pytest.raises(InvalidState, match="must open the process again"):
        engine.approve_draft(draft_id, user=APPROVER)


def test_drafts_are_their_owners(engine):
    draft = engine.open_draft(PROCESS, user=OWNER)
    assert [d.id for d in engine.drafts(user=OWNER)["own"]] == [draft.id]
    assert engine.drafts(user=APPROVER) == {"own": [], "to_approve": []}
    for act in (
        lambda: engine.draft(draft.id, user=APPROVER),  # not submitted: not theirs to read
        lambda: engine.save_draft(draft.id, draft.files, user="admin"),
        lambda: engine.delete_draft(draft.id, user="admin"),
    ):
        with pytest.raises(NotFound):
            act()
    engine.delete_draft(draft.id, user=OWNER)
    assert engine.drafts(user=OWNER)["own"] == []


def test_an_edition_read_from_the_database_is_the_one_a_save_answered(engine):
    """The editor's page reads the edition from the database, the next save from its own
    answer: the two must be the same text on either database, or no save would pass."""
    draft = engine.open_draft(PROCESS, user=OWNER)
    assert engine.draft(draft.id, user=OWNER).edition == draft.edition
    saved = engine.save_draft(draft.id, draft.files, user=OWNER, edition=draft.edition)
    assert engine.draft(draft.id, user=OWNER).edition == saved.edition != draft.edition
    with pytest.raises(ConcurrencyConflict):
        engine.save_draft(draft.id, draft.files, user=OWNER, edition=draft.edition)
    engine.save_draft(draft.id, draft.files, user=OWNER, edition=saved.edition)
