"""A signed change to credit limit change, and migrating the instances it is safe for.

Version 2 sends increases over 500 (not 5000) to the finance manager and consults the
sales manager on the controller's analysis. An instance still at the request may move
(and then uses the new threshold); one already at the controller's analysis may not
(its open task's RACI row changed); it stays on version 1 and finishes there.
"""

from __future__ import annotations

import pytest

from engine import views
from engine.errors import InvalidState, NotAllowed

PROCESS = "credit_limit_change"
CUSTOMER = 150
OWNER, APPROVER = "lena.owner", "stavros.approver"


@pytest.fixture
def crm(crm):
    crm.deploy(PROCESS)
    return crm


def started(crm) -> str:
    return crm.start(
        PROCESS, "giorgos.bd", business_key=f"C{CUSTOMER:05d}", customer_id=CUSTOMER
    ).instance_id


def request(crm, instance: str, increase: float) -> None:
    before = crm.customer(CUSTOMER)["credit_limit"]
    crm.complete(
        instance,
        "request",
        "giorgos.bd",
        requested_limit=before + increase,
        justification="Opens a second shop next month",
    )


def version_2(crm) -> None:
    engine = crm.engine
    draft = engine.open_draft(PROCESS, user=OWNER)
    dmn, matrix = f"{PROCESS}.approval_level.dmn", f"{PROCESS}.raci.yaml"
    files = dict(draft.files)
    files[dmn] = files[dmn].replace(
        '<inputEntry id="r4_inc"><text>&gt; 5000</text>',
        '<inputEntry id="r4_inc"><text>&gt; 500</text>',
    )
    files[matrix] = files[matrix].replace(
        "raci: {bd: I, credit_controller: R/A, sales_manager: I}",
        "raci: {bd: I, credit_controller: R/A, sales_manager: C}",
    )
    assert files != draft.files
    engine.save_draft(draft.id, files, user=OWNER)
    engine.submit_draft(draft.id, user=OWNER, comment="finance signs from 500; sales consulted")
    assert engine.approve_draft(draft.id, user=APPROVER).version == 2


def test_only_instances_safe_to_move_are_migrated_and_the_trail_shows_it(crm):
    at_request = started(crm)
    at_analysis = started(crm)
    request(crm, at_analysis, 1000)
    assert crm.open_elements(at_analysis) == ["analyse_controller"]
    version_2(crm)

    history = crm.engine.versions(PROCESS)
    assert [(v["version"], v["unfinished"]) for v in history] == [(2, 0), (1, 2)]
    assert history[0]["approved_by"] == APPROVER and history[0]["deployed_by"] == OWNER
    assert history[1]["approved_by"] is None  # deployed at set-up, without a draft

    with pytest.raises(NotAllowed):
        crm.engine.migration_preview(PROCESS, user="giorgos.bd")
    target, candidates = crm.engine.migration_preview(PROCESS, user=OWNER)
    assert target == 2
    by_id = {c.instance_id: c for c in candidates}
    assert by_id[at_request].movable
    assert [str(r) for r in by_id[at_analysis].reasons] == [
        "the RACI row of its open task 'Analyse credit (controller sign-off)' is changed in the new version"
    ]

    with pytest.raises(InvalidState, match="cannot move"):  # all or nothing
        crm.engine.migrate_instances(PROCESS, [at_request, at_analysis], user=OWNER)
    assert crm.instance(at_request)["version"] == 1

    assert crm.engine.migrate_instances(PROCESS, [at_request], user=OWNER) == [at_request]
    assert crm.instance(at_request)["version"] == 2
    [moved] = views.audit_events(crm.engine.uow(), instance_id=at_request, action="migrated")
    assert moved["actor"] == OWNER and moved["details"] == {"from_version": 1, "to_version": 2}

    # The moved instance decides with version 2's table; the other keeps version 1's.
    request(crm, at_request, 1000)
    assert crm.open_elements(at_request) == ["analyse_finance"]
    assert crm.instance(at_analysis)["version"] == 1
    newer = started(crm)
    request(crm, newer, 1000)
    assert (crm.instance(newer)["version"], crm.open_elements(newer)) == (2, ["analyse_finance"])


def signed_version(crm, was: str, cell: str, comment: str) -> int:
    """A version whose first rule's limit cell reads `cell` instead of `was`, signed."""
    engine = crm.engine
    draft = engine.open_draft(PROCESS, user=OWNER)
    dmn = f"{PROCESS}.approval_level.dmn"
    files = dict(draft.files)
    files[dmn] = files[dmn].replace(
        f'<inputEntry id="r1_req"><text>{was}</text>',
        f'<inputEntry id="r1_req"><text>{cell}</text>',
    )
    assert files != draft.files
    engine.save_draft(draft.id, files, user=OWNER)
    engine.submit_draft(draft.id, user=OWNER, comment=comment)
    return engine.approve_draft(draft.id, user=APPROVER).version


def test_a_case_stopped_by_a_defect_of_its_version_moves_to_the_fix_and_is_retried(crm):
    """A table cell that compiles but fails at run time (a name no case has) stops every
    case reaching it; the fix is a new version, and the stopped case is moved to it and
    retried, instead of being cancelled and entered again."""
    assert signed_version(crm, "&gt; 50000", "&gt; maximum_limit", "a named ceiling") == 2
    stopped = started(crm)
    request(crm, stopped, 1000)
    assert crm.instance(stopped)["status"] == "error"
    assert signed_version(crm, "&gt; maximum_limit", "&gt; 60000", "a number again") == 3

    _, candidates = crm.engine.migration_preview(PROCESS, user=OWNER)
    assert {c.instance_id: c.movable for c in candidates}[stopped]
    assert crm.engine.migrate_instances(PROCESS, [stopped], user=OWNER) == [stopped]
    assert (crm.instance(stopped)["version"], crm.instance(stopped)["status"]) == (3, "error")

    crm.engine.retry(stopped, user="admin")
    assert crm.instance(stopped)["status"] == "waiting"  # for the analysis, below
    assert crm.open_elements(stopped) == ["analyse_controller"]
