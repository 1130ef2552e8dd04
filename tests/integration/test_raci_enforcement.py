"""RACI enforced through the engine's public API: R works, A signs, C is asked, I is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine import InstanceStatus, ProcessEngine, SourceFile, build_engine, views
from engine.clock import FakeClock
from engine.errors import InvalidDefinition, InvalidState, NotAllowed
from engine.governance import RaciRefusal
from engine.views.api_lists import my_tasks
from engine.views.inbox import inbox_counts, inbox_page, workable
from engine.views.inbox_sections import InboxQuery
from engine.views.notifications import notifications_page
from raci.directory_io import load_directory

GOVERNED = Path(__file__).parent.parent / "fixtures" / "governed"


def governed_files(matrix_text: str | None = None) -> list[SourceFile]:
    matrix = SourceFile.read(GOVERNED / "credit_change.raci.csv")
    if matrix_text is not None:
        matrix = SourceFile(matrix.name, matrix_text.encode())
    return [SourceFile.read(GOVERNED / "credit_change.bpmn"), matrix]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def raci_engine(database_url: str, clock: FakeClock) -> ProcessEngine:
    return governed_engine(database_url, clock)


def governed_engine(
    database_url: str, clock: FakeClock, matrix_text: str | None = None
) -> ProcessEngine:
    """The governed directory imported and the credit change deployed (with `matrix_text`
    as its matrix, if given)."""
    engine = build_engine(database_url, clock=clock)
    directory_file = GOVERNED / "directory.yaml"
    engine.import_directory(
        load_directory(directory_file.name, directory_file.read_bytes()), user="ada"
    )
    engine.deploy(governed_files(matrix_text), user="owner")
    return engine


def requested(engine: ProcessEngine, limit: int = 5000) -> str:
    """Bob asks for a new limit (self-approved); return the analysis task id."""
    started = engine.start("credit_change", user="bob", business_key="C-100")
    [request] = started.ready_tasks
    state = engine.complete(request, user="bob", data={"new_limit": limit})
    [analyse] = state.ready_tasks
    return analyse


def consulted(engine: ProcessEngine, task_id: str) -> None:
    [consultation] = task_record(engine, task_id)["consultations"]
    engine.answer_consultation(consultation["id"], user="bob", comment="good payer")


def task_record(engine: ProcessEngine, task_id: str) -> dict:
    return views.task_detail(engine.uow(), task_id)


def events(engine: ProcessEngine, task_id: str) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (e["action"], e["actor"], e["raci_role"], e["on_behalf_of"])
        for e in views.audit_events(engine.uow(), task_id=task_id)
    ]


def test_r_completes_a_rejects_r_reworks_a_approves_and_the_process_runs_on(raci_engine):
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)

    state = raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    assert state.ready_tasks == ()  # waiting for sign-off, not advanced
    assert task_record(raci_engine, analyse)["status"] == "awaiting_signoff"

    raci_engine.reject(analyse, user="fiona", reason="attach the payment history")
    task = task_record(raci_engine, analyse)
    assert (task["status"], task["assignee"]) == ("ready", "carol")
    assert (task["rework_count"], task["rejection_reason"]) == (1, "attach the payment history")
    with pytest.raises(NotAllowed, match="claimed by carol"):
        raci_engine.complete(analyse, user="frank", data={"recommendation": "x"})

    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise", "history": "ok"})
    state = raci_engine.approve(analyse, user="fiona")

    assert state.status == InstanceStatus.COMPLETED
    trail = events(raci_engine, analyse)
    assert ("complete", "carol", "R", None) in trail
    assert ("reject", "fiona", "A", None) in trail
    assert ("approve", "fiona", "A", None) in trail
    assert [a for a, *_ in trail].count("complete") == 2


def test_who_did_the_work_before_it_was_sent_back_cannot_sign_the_rework(raci_engine):
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="frank", data={"recommendation": "raise"})
    raci_engine.reject(analyse, user="fiona", reason="attach the payment history")
    raci_engine.reassign(analyse, user="frank", to="carol", reason="carol knows the customer")
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})

    with pytest.raises(RaciRefusal, match="before it was sent back") as refused:
        raci_engine.approve(analyse, user="frank")  # A, but did the first round's work
    assert refused.value.letter == "A"
    with pytest.raises(RaciRefusal):  # nor his deputy, acting for him
        raci_engine.approve(analyse, user="erin")
    assert task_record(raci_engine, analyse)["status"] == "awaiting_signoff"
    raci_engine.approve(analyse, user="fiona")
    assert task_record(raci_engine, analyse)["signed_off_by"] == "fiona"


def test_the_performer_can_never_sign_off_even_holding_the_a_role(raci_engine):
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="frank", data={"recommendation": "raise"})

    with pytest.raises(RaciRefusal, match="four eyes") as refused:
        raci_engine.approve(analyse, user="frank")
    assert refused.value.letter == "A"
    with pytest.raises(RaciRefusal):  # nor their deputy, acting for them
        raci_engine.approve(analyse, user="erin")
    assert task_record(raci_engine, analyse)["status"] == "awaiting_signoff"
    assert ("refused", "frank", "A", None) in events(raci_engine, analyse)


def test_a_deputy_signs_on_behalf_of_the_user_they_stand_in_for(raci_engine, clock):
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})

    raci_engine.approve(analyse, user="dave")

    assert ("approve", "dave", "A", "fiona") in events(raci_engine, analyse)


def test_a_deputy_outside_their_dates_is_refused(raci_engine, clock):
    clock.advance(timedelta(days=365))  # 2027: dave's stand-in period is over
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    with pytest.raises(RaciRefusal, match="not accountable"):
        raci_engine.approve(analyse, user="dave")


def test_only_r_members_claim_and_deactivated_users_cannot_act(raci_engine):
    analyse = requested(raci_engine)
    with pytest.raises(RaciRefusal, match="not responsible") as refused:
        raci_engine.claim(analyse, user="sam")
    assert refused.value.letter == "R"
    with pytest.raises(RaciRefusal):
        raci_engine.claim(analyse, user="olga")
    raci_engine.claim(analyse, user="carol")
    assert task_record(raci_engine, analyse)["assignee"] == "carol"


def test_consultation_blocks_completion_until_answered(raci_engine):
    analyse = requested(raci_engine)
    with pytest.raises(RaciRefusal, match="waits for consultation with bd") as refused:
        raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    assert refused.value.letter == "C"
    [consultation] = task_record(raci_engine, analyse)["consultations"]
    with pytest.raises(RaciRefusal):  # only the consulted role answers
        raci_engine.answer_consultation(consultation["id"], user="carol", comment="me")

    raci_engine.answer_consultation(consultation["id"], user="bob", comment="good payer")

    task = task_record(raci_engine, analyse)
    assert task["consultations"][0]["comment"] == "good payer"  # the performer sees it
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    assert task_record(raci_engine, analyse)["status"] == "awaiting_signoff"


def test_a_may_override_consultation_with_a_reason(raci_engine):
    analyse = requested(raci_engine)
    with pytest.raises(InvalidState, match="reason"):
        raci_engine.override_consultation(analyse, user="fiona", reason=" ")
    with pytest.raises(RaciRefusal):
        raci_engine.override_consultation(analyse, user="carol", reason="in a hurry")

    raci_engine.override_consultation(analyse, user="fiona", reason="BD on leave")

    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    assert ("consult_overridden", "fiona", "A", None) in events(raci_engine, analyse)


def test_an_advisory_activity_does_not_wait_for_consultation(database_url, clock):
    engine = build_engine(database_url, clock=clock)
    directory_file = GOVERNED / "directory.yaml"
    engine.import_directory(
        load_directory(directory_file.name, directory_file.read_bytes()), user="ada"
    )
    advisory = (
        (GOVERNED / "credit_change.raci.csv")
        .read_text()
        .replace("analyse,C,R,A,I,,,P1D", "analyse,C,R,A,I,,yes,P1D")
    )
    engine.deploy(governed_files(advisory), user="owner")
    analyse = requested(engine)

    engine.complete(analyse, user="carol", data={"recommendation": "raise"})

    assert task_record(engine, analyse)["status"] == "awaiting_signoff"


def test_self_approval_is_explicit_and_audited(raci_engine):
    started = raci_engine.start("credit_change", user="bob")
    [request] = started.ready_tasks
    raci_engine.complete(request, user="bob", data={"new_limit": 1})
    trail = events(raci_engine, request)
    assert ("complete", "bob", "R", None) in trail
    assert ("approve", "bob", "A", None) in trail


def test_informed_members_are_notified_after_completion_and_after_signoff(raci_engine):
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    raci_engine.approve(analyse, user="fiona")

    subjects = [n.subject for n in raci_engine.notifications("sam")]
    # What was decided, said with what was done: "signed off" alone read as a yes.
    assert subjects.count("Analyse credit: completed (raise)") == 1
    assert subjects.count("Analyse credit: signed off (raise)") == 1
    assert "Request new limit: signed off" in subjects  # a request decides nothing
    assert raci_engine.notifications("carol") == []


def test_rejected_performer_is_told_why(raci_engine):
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    raci_engine.reject(analyse, user="fiona", reason="too high")
    [notice] = raci_engine.notifications("carol")
    assert "too high" in notice.body
    assert notice.body.startswith("Fiona Finance sent")  # the signer by name, not username
    assert raci_engine.mark_read("carol", [notice.id]) == 1
    assert raci_engine.notifications("carol", unread_only=True) == []


def test_reassignment_by_an_r_member_or_admin_is_recorded(raci_engine):
    analyse = requested(raci_engine)
    raci_engine.claim(analyse, user="carol")
    with pytest.raises(RaciRefusal):
        raci_engine.reassign(analyse, user="sam", to="frank")
    with pytest.raises(RaciRefusal, match="not responsible"):
        raci_engine.reassign(analyse, user="ada", to="sam")

    raci_engine.reassign(analyse, user="ada", to="frank", reason="carol is away")

    assert task_record(raci_engine, analyse)["assignee"] == "frank"
    assert ("reassign", "ada", "R", None) in events(raci_engine, analyse)


def test_reject_needs_a_reason_and_a_pending_signoff(raci_engine):
    analyse = requested(raci_engine)
    with pytest.raises(InvalidState, match="not waiting for sign-off"):
        raci_engine.approve(analyse, user="fiona")
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    with pytest.raises(InvalidState, match="reason"):
        raci_engine.reject(analyse, user="fiona", reason="")


def test_an_invalid_matrix_refuses_the_deploy_and_changes_nothing(raci_engine):
    two_as = (
        (GOVERNED / "credit_change.raci.csv")
        .read_text()
        .replace("analyse,C,R,A,I", "analyse,C,R,A,A")
    )
    with pytest.raises(InvalidDefinition, match="analyse") as refused:
        raci_engine.deploy(governed_files(two_as), user="owner")
    assert "exactly one" in str(refused.value)
    unknown_role = (GOVERNED / "credit_change.raci.csv").read_text().replace("sales_manager", "ceo")
    with pytest.raises(InvalidDefinition, match="ceo"):
        raci_engine.deploy(governed_files(unknown_role), user="owner")
    versions = views.process_versions(raci_engine.uow(), "credit_change")
    assert [v["version"] for v in versions] == [1]


def test_every_raci_act_is_in_the_verified_audit_trail(raci_engine):
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    with pytest.raises(RaciRefusal):
        raci_engine.approve(analyse, user="carol")
    raci_engine.approve(analyse, user="fiona")

    actions = [a for a, *_ in events(raci_engine, analyse)]
    for expected in (
        "task_ready",
        "consult_requested",
        "consult_answered",
        "complete",
        "signoff_requested",
        "notified",
        "refused",
        "approve",
    ):
        assert expected in actions
    assert raci_engine.verify_audit().ok


def test_the_compliance_report_shows_every_raci_act(raci_engine):
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="frank", data={"recommendation": "raise"})
    with pytest.raises(RaciRefusal):
        raci_engine.approve(analyse, user="frank")
    raci_engine.reject(analyse, user="fiona", reason="too high")
    raci_engine.complete(analyse, user="frank", data={"recommendation": "lower"})
    raci_engine.approve(analyse, user="dave")

    executions = raci_engine.compliance_report(process_id="credit_change")

    request, analysis = executions
    assert request.activity == "request"
    assert [o.note for o in request.overrides] == ["self-approval"]
    assert analysis.name == "Analyse credit"
    assert [a.user for a in analysis.responsible] == ["frank", "frank"]
    assert (analysis.accountable.user, analysis.accountable.on_behalf_of) == ("dave", "fiona")
    assert [(r.user, r.note) for r in analysis.rejected] == [("fiona", "too high")]
    assert [c.user for c in analysis.consulted] == ["bob"]
    assert sorted({i.user for i in analysis.informed}) == ["sam"]
    assert [v.user for v in analysis.violations] == ["frank"]
    assert "four eyes" in analysis.violations[0].note


def test_informed_members_are_emailed_through_a_real_smtp_server(raci_engine):
    from tests.integration.test_mail import Handler, _serve, _text

    handler = Handler()
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    raci_engine.reject(analyse, user="fiona", reason="too high")  # carol has no address

    for smtp in _serve(handler):
        assert raci_engine.send_outbox(smtp) == (3, 0)
        assert raci_engine.send_outbox(smtp) == (0, 0)  # each mail goes out once

    received = {(r.recipients[0], r.message["Subject"]): r.message for r in handler.received}
    assert sorted(received) == [
        ("bob@example.com", "Analyse credit: your opinion is asked"),  # C
        ("sam@example.com", "Analyse credit: completed (raise)"),
        ("sam@example.com", "Request new limit: signed off"),
    ]
    body = _text(received["sam@example.com", "Analyse credit: completed (raise)"])
    assert "completed by Carol Credit" in body  # the performer by name
    assert "Decision: raise." in body


def test_mail_that_cannot_be_delivered_stays_queued_for_a_retry(raci_engine, clock):
    from engine.mail import SmtpSettings
    from tests.integration.test_mail import free_port

    requested(raci_engine)  # sam is told of the self-approved request, bob asked (C)
    nowhere = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)

    assert raci_engine.send_outbox(nowhere) == (0, 2)
    assert raci_engine.send_outbox(nowhere) == (0, 0)  # not hammering a server that is down
    clock.advance(timedelta(minutes=1))
    assert raci_engine.send_outbox(nowhere) == (0, 2)  # tried again, not lost


def test_inboxes_offer_work_by_role_deputyship_and_letter(raci_engine):
    analyse = requested(raci_engine)

    def inbox(user):
        return [t["id"] for t in views.open_tasks(raci_engine.uow(), user=user)]

    assert inbox("carol") == [analyse] and inbox("frank") == [analyse]
    assert inbox("erin") == [analyse]  # stands in for frank today
    assert inbox("sam") == [] and inbox("fiona") == [] and inbox("olga") == []
    [consultation] = views.consultations_for(raci_engine.uow(), "bob")
    assert consultation["task"]["id"] == analyse
    assert views.consultations_for(raci_engine.uow(), "carol") == []

    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="frank", data={"recommendation": "raise"})

    assert inbox("carol") == []
    assert [t["id"] for t in views.signoffs_for(raci_engine.uow(), "fiona")] == [analyse]
    assert [t["id"] for t in views.signoffs_for(raci_engine.uow(), "dave")] == [analyse]
    assert views.signoffs_for(raci_engine.uow(), "frank") == []  # never their own work


def test_work_done_for_someone_is_not_offered_to_them_for_sign_off(raci_engine):
    analyse = requested(raci_engine)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="erin", data={"recommendation": "raise"})  # for frank

    def signoffs(user):
        return [t["id"] for t in views.signoffs_for(raci_engine.uow(), user)]

    assert signoffs("fiona") == [analyse]
    assert signoffs("frank") == []  # finance manager, but the work was done in his name


def test_claim_and_release_are_recorded_as_r(raci_engine):
    analyse = requested(raci_engine)
    raci_engine.claim(analyse, user="erin")  # as frank's deputy
    raci_engine.release(analyse, user="erin")
    trail = events(raci_engine, analyse)
    assert ("claim", "erin", "R", "frank") in trail
    assert ("release", "erin", "R", None) in trail


def test_a_deputy_completes_the_task_the_person_they_stand_in_for_had_claimed(raci_engine):
    """frank claimed the analysis and went on leave; erin, his deputy, finishes it for him,
    and frank, back and a finance manager too, may not sign what was done in his name."""
    analyse = requested(raci_engine)
    raci_engine.claim(analyse, user="frank")
    consulted(raci_engine, analyse)

    raci_engine.complete(analyse, user="erin", data={"recommendation": "raise"})

    task = task_record(raci_engine, analyse)
    assert (task["status"], task["performer"], task["performer_for"]) == (
        "awaiting_signoff",
        "erin",
        "frank",
    )
    assert ("complete", "erin", "R", "frank") in events(raci_engine, analyse)
    with pytest.raises(RaciRefusal):
        raci_engine.approve(analyse, user="frank")
    raci_engine.approve(analyse, user="fiona")


def test_work_a_deputy_did_comes_back_to_whom_it_was_done_for(raci_engine, clock):
    """Sent back to erin, the deputy, it stayed with her after frank returned: a task
    nobody else could work and frank could not see."""
    analyse = requested(raci_engine)
    raci_engine.claim(analyse, user="frank")
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="erin", data={"recommendation": "raise"})

    raci_engine.reject(analyse, user="fiona", reason="attach the payment history")

    task = task_record(raci_engine, analyse)
    assert (task["status"], task["assignee"]) == ("ready", "frank")
    told = {
        user: n["subject"]
        for user in ("frank", "erin")
        for n in notifications_page(raci_engine.uow(), user)["items"]
        if "sent back" in n["subject"]
    }
    assert told == {
        "frank": "Analyse credit, C-100: sent back to you",  # which of their cases
        "erin": "Analyse credit, C-100: sent back to Frank Both",  # not to her: she stood in
    }
    clock.advance(timedelta(days=240))  # 2027: erin no longer stands in; frank is back
    raci_engine.complete(analyse, user="frank", data={"recommendation": "raise"})
    assert task_record(raci_engine, analyse)["performer"] == "frank"


def test_a_deputy_gives_back_the_claim_of_the_person_they_stand_in_for(raci_engine):
    analyse = requested(raci_engine)
    raci_engine.claim(analyse, user="frank")

    raci_engine.release(analyse, user="erin")

    assert task_record(raci_engine, analyse)["assignee"] is None
    assert ("release", "erin", "R", "frank") in events(raci_engine, analyse)
    assert [t["id"] for t in views.open_tasks(raci_engine.uow(), user="carol")] == [analyse]


def test_a_claim_stays_its_claimants_against_everyone_but_their_deputy(raci_engine):
    analyse = requested(raci_engine)
    raci_engine.claim(analyse, user="frank")
    consulted(raci_engine, analyse)

    with pytest.raises(NotAllowed, match="claimed by frank"):
        raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    with pytest.raises(NotAllowed, match="not claimed by carol"):
        raci_engine.release(analyse, user="carol")
    with pytest.raises(InvalidState, match="claimed by frank"):  # a claim takes it from nobody
        raci_engine.claim(analyse, user="erin")
    assert task_record(raci_engine, analyse)["assignee"] == "frank"


def test_a_deputy_outside_their_dates_carries_on_nobodys_claim(raci_engine, clock):
    clock.advance(timedelta(days=365))  # 2027: erin no longer stands in for frank
    analyse = requested(raci_engine)
    raci_engine.claim(analyse, user="frank")
    consulted(raci_engine, analyse)

    with pytest.raises(NotAllowed, match="claimed by frank"):
        raci_engine.complete(analyse, user="erin", data={"recommendation": "raise"})
    with pytest.raises(NotAllowed):
        raci_engine.release(analyse, user="erin")
    assert views.open_tasks(raci_engine.uow(), user="erin") == []


def test_the_claims_of_the_person_one_stands_in_for_are_in_ones_own_lists(raci_engine):
    analyse = requested(raci_engine)
    raci_engine.claim(analyse, user="frank")

    assert [t["id"] for t in views.open_tasks(raci_engine.uow(), user="erin")] == [analyse]
    assert views.open_tasks(raci_engine.uow(), user="carol") == []  # frank's, not the queue's
    mine = inbox_page(raci_engine.uow(), "erin", InboxQuery(section="mine"))
    assert [t["id"] for t in mine["items"]] == [analyse]
    assert inbox_counts(raci_engine.uow(), "erin")["mine"] == 1
    assert inbox_counts(raci_engine.uow(), "carol")["mine"] == 0
    assert [t["id"] for t in my_tasks(raci_engine.uow(), "erin")["items"]] == [analyse]
    assert workable(raci_engine.uow(), "erin", [analyse]) == [analyse]
    assert workable(raci_engine.uow(), "carol", [analyse]) == []


def test_who_did_the_work_is_not_told_of_it_as_an_informed_role(database_url, clock):
    """frank, a finance manager informed of analyses, was told "completed by frank"."""
    matrix = "activity,bd,credit_controller,finance_manager,@self_approval\nrequest,R/A,,,yes\nanalyse,,R/A,I,\n"
    engine = governed_engine(database_url, clock, matrix)
    analyse = requested(engine)

    engine.complete(analyse, user="frank", data={"recommendation": "raise"})
    engine.approve(analyse, user="carol")

    # Told that his work was signed (carol's act), not that he completed it (his own).
    frank = [n.subject for n in engine.notifications("frank") if "Analyse" in n.subject]
    assert frank == ["Analyse credit: signed off (raise)"]
    assert [n.subject for n in engine.notifications("fiona")] == [
        "Analyse credit: signed off (raise)",
        "Analyse credit: completed (raise)",
    ]


def test_work_redone_by_its_claimant_is_recorded_as_theirs_not_the_deputys(database_url, clock):
    """Sent back and done again by frank himself (self-approved this time), the task said
    it was completed by erin, his deputy who did the first round: a winner told they lost."""
    matrix = "activity,bd,credit_controller,@self_approval\nrequest,R/A,,yes\nanalyse,,R/A,yes\n"
    engine = governed_engine(database_url, clock, matrix)
    analyse = requested(engine)
    engine.claim(analyse, user="frank")
    engine.complete(analyse, user="erin", data={"recommendation": "raise"})  # for frank
    engine.reject(analyse, user="carol", reason="attach the payment history")

    engine.complete(analyse, user="frank", data={"recommendation": "keep"})

    task = task_record(engine, analyse)
    assert (task["status"], task["completed_by"]) == ("completed", "frank")
    assert (task["performer"], task["performer_for"]) == ("frank", None)
