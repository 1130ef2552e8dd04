"""Acts on the directory and on a process's versions at the same moment (SQLite and
PostgreSQL): each checks a rule on what the acts before it committed, so racing acts
cannot together break it. Before, on PostgreSQL, three admins deactivating each other
at once all succeeded (nobody left to manage users), two overlapping deputies were both
named, and two drafts signed at once became versions 2 and 3, the second undoing the
first."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from engine import SourceFile, build_engine
from engine.errors import EngineError
from tests.integration.test_races import race
from workflows.demo import demo_directory
from workflows.services import build_registry

pytestmark = pytest.mark.postgres

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
PROCESS = "credit_limit_change"
OWNER, APPROVER = "lena.owner", "stavros.approver"
TRIALS = 5
PRINCIPAL = "katerina.call"


@pytest.fixture
def engine(database_url):
    engine = build_engine(database_url, services=build_registry())
    engine.import_directory(demo_directory(), user="admin")
    engine.deploy([SourceFile.read(p) for p in sorted(BPMN.glob(f"{PROCESS}.*"))], user=OWNER)
    return engine


def refused(outcomes: list) -> list:
    return [o for o in outcomes if isinstance(o, EngineError)]


def test_admins_deactivating_each_other_at_once_leave_one_admin(engine):
    for trial in range(TRIALS):
        names = [f"adm{trial}a", f"adm{trial}b"]
        for name in names:
            engine.create_user(name, name=name, email=None, roles=["admin"], by="admin")
        admins = ["admin", *names]
        # each deactivates the next one: if all three won, no admin would be left
        targets = admins[1:] + admins[:1]
        outcomes = race(
            *[
                lambda by=by, whom=whom: engine.set_user_active(whom, False, by=by)
                for by, whom in zip(admins, targets, strict=True)
            ]
        )
        left = engine.directory().members("admin")
        assert left, outcomes  # someone can still manage users
        assert len(refused(outcomes)) >= 1, outcomes
        if "admin" not in left:  # back to the one admin for the next trial
            engine.set_user_active("admin", True, by=left[0])
        for name in names:
            if name in engine.directory().members("admin"):
                engine.set_user_active(name, False, by="admin")
    assert engine.verify_audit().ok


def test_two_deputies_for_overlapping_days_at_once_name_one(engine):
    today = engine.clock_now().date()
    for trial in range(TRIALS):
        first = today + timedelta(days=10 * trial + 1)
        outcomes = race(
            *[
                lambda deputy=deputy, starts=first + timedelta(days=shift): engine.set_deputy(
                    PRINCIPAL, deputy, starts=starts, ends=starts + timedelta(days=5)
                )
                for deputy, shift in (("dimitris.call", 0), ("sofia.cs", 1))
            ]
        )
        assert len(refused(outcomes)) == 1, outcomes
    periods = [
        (d.starts, d.ends) for d in engine.directory().deputies if d.principal == "vasso.finance"
    ]
    assert len(periods) == len(set(periods)) and all(
        a_end < b_start
        for (_, a_end), (b_start, _) in zip(sorted(periods), sorted(periods)[1:], strict=False)
    )


def test_the_same_role_given_twice_at_once_is_given_once(engine):
    outcomes = race(*[lambda: engine.add_role("zoi.analyst", "bd", by="admin")] * 2)
    assert len(refused(outcomes)) == 1 and "already holds" in str(refused(outcomes)[0])


def test_two_drafts_signed_at_once_become_one_version_and_the_other_is_outdated(engine):
    for trial in range(TRIALS):
        drafts = []
        for days in (2 + 2 * trial, 3 + 2 * trial):
            draft = engine.open_draft(PROCESS, user=OWNER)
            matrix = f"{PROCESS}.raci.yaml"
            text = draft.files[matrix]
            last = text.rindex("signoff_due: P")  # the CFO's sign-off time
            changed = re.sub(r"P\d+D", f"P{days + 10}D", text[last:], count=1)
            changed = text[:last] + changed
            assert changed != text
            engine.save_draft(draft.id, {**draft.files, matrix: changed}, user=OWNER)
            engine.submit_draft(draft.id, user=OWNER, comment=f"{days} days")
            drafts.append(draft.id)
        before = engine.matrix(PROCESS)[0]
        outcomes = race(*[lambda d=d: engine.approve_draft(d, user=APPROVER) for d in drafts])
        [loser] = refused(outcomes)
        assert "must open the process again" in str(loser)
        assert engine.matrix(PROCESS)[0] == before + 1


def test_the_same_filter_name_saved_at_once_is_kept_once(engine):
    """Saving a name again replaces it; four at once collided on the unique name (500)."""
    for trial in range(TRIALS):
        name = f"mine{trial}"
        outcomes = race(
            *[
                lambda n=n, name=name: engine.save_filter("anna.credit", name, {"q": f"x{n}"})
                for n in range(4)
            ]
        )
        assert refused(outcomes) == [], outcomes
    saved = engine.saved_filters("anna.credit")
    assert sorted(f["name"] for f in saved) == [f"mine{t}" for t in range(TRIALS)]
