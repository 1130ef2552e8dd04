"""The RACI compliance report: per activity execution, who did R, signed A, answered C,
was told I, and every refusal and override, built from audit events alone."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from typing import Any

from raci.report import COLUMNS, Act, Execution, as_csv, as_json, as_text, build

RACI = {"R": ["clerk"], "A": "controller", "C": ["legal"], "I": ["sales"]}


def at(seq: int) -> str:
    return f"2026-11-16T09:{seq:02d}:00+00:00"


def event(
    seq: int,
    action: str,
    *,
    task_id: str | None = "t1",
    actor: str = "system",
    raci_role: str | None = None,
    on_behalf_of: str | None = None,
    reason: str | None = None,
    **details: Any,
) -> dict[str, Any]:
    """An audit event shaped like engine.views.audit_events gives it."""
    return {
        "id": seq,
        "stream": "instance:i1",
        "seq": seq,
        "occurred_at": at(seq),
        "actor": actor,
        "action": action,
        "instance_id": "i1",
        "process_id": "credit_check",
        "task_id": task_id,
        "raci_role": raci_role,
        "on_behalf_of": on_behalf_of,
        "reason": reason,
        "details": details,
    }


def ready(seq: int, task_id: str, element: str, name: str) -> dict[str, Any]:
    return event(
        seq,
        "task_ready",
        task_id=task_id,
        element=element,
        name=name,
        lane="Credit",
        due_at=None,
        raci=RACI,
    )


def complete(seq: int, actor: str, *, task_id: str = "t1", **kwargs: Any) -> dict[str, Any]:
    return event(
        seq,
        "complete",
        task_id=task_id,
        actor=actor,
        raci_role="R",
        element="check_credit" if task_id == "t1" else "send_offer",
        data={"limit": 5000},
        **kwargs,
    )


# One instance: check_credit (t1) is refused once, done by a deputy, rejected, redone and
# signed off by a deputy; send_offer (t2) is reassigned and self-approved; archive (t3)
# has its consultation overridden. The tasks' events interleave.
EVENTS = [
    event(1, "start", task_id=None, actor="rita"),
    ready(2, "t1", "check_credit", "Check credit"),
    event(
        3, "consult_requested", raci_role="C", element="check_credit", role="legal", advisory=False
    ),
    ready(4, "t2", "send_offer", "Send offer"),
    event(
        5,
        "consult_answered",
        actor="lena",
        raci_role="C",
        on_behalf_of="carl",
        element="check_credit",
        role="legal",
        comment="Grüße, fine by legal",
    ),
    event(
        6,
        "refused",
        actor="olga",
        raci_role="R",
        reason="olga is not responsible for 'check_credit' (clerk)",
        element="check_credit",
        attempted="complete",
    ),
    complete(7, "dora", on_behalf_of="rita", signoff=True),
    event(
        8,
        "reject",
        actor="alex",
        raci_role="A",
        reason="limit too high",
        element="check_credit",
        rework=True,
    ),
    event(
        9,
        "reassign",
        task_id="t2",
        actor="adam",
        raci_role="R",
        reason="rita is away",
        element="send_offer",
        **{"from": "rita", "to": "ralf"},
    ),
    complete(10, "rita", signoff=True),
    event(11, "approve", actor="dan", raci_role="A", on_behalf_of="alex", element="check_credit"),
    event(12, "notified", raci_role="I", element="check_credit", recipient="ivy", after="signoff"),
    event(13, "notified", raci_role="I", element="check_credit", recipient="zoe", after="signoff"),
    complete(14, "ralf", task_id="t2"),
    event(
        15,
        "approve",
        task_id="t2",
        actor="dee",
        raci_role="A",
        element="send_offer",
        self_approval=True,
    ),
    ready(16, "t3", "archive", "Archive"),
    event(
        17,
        "consult_overridden",
        task_id="t3",
        actor="alex",
        raci_role="A",
        reason="customer waiting",
        element="archive",
        roles=["legal", "tax"],
    ),
    event(18, "instance_completed", task_id=None),
]


def executions() -> dict[str, Execution]:
    return {execution.task_id: execution for execution in build(EVENTS)}


# --- build ----------------------------------------------------------------------------


def test_build_given_only_events_without_a_task_expect_no_executions():
    events = [event(1, "start", task_id=None), event(2, "instance_completed", task_id=None)]
    assert build(events) == []


def test_build_groups_events_per_task_in_order_of_first_appearance():
    assert [execution.task_id for execution in build(EVENTS)] == ["t1", "t2", "t3"]


def test_build_given_tasks_ready_in_another_order_expect_that_order():
    events = [ready(1, "t2", "send_offer", "Send offer"), *EVENTS]
    assert [execution.task_id for execution in build(events)] == ["t2", "t1", "t3"]


def test_build_takes_instance_process_activity_and_name_from_the_task_ready_event():
    execution = executions()["t1"]
    assert (execution.instance_id, execution.process_id) == ("i1", "credit_check")
    assert (execution.activity, execution.name) == ("check_credit", "Check credit")


def test_build_given_a_task_first_seen_without_a_name_expect_the_element_as_its_name():
    # e.g. a report period starting after the task became ready
    [execution] = build([complete(1, "rita")])
    assert (execution.activity, execution.name) == ("check_credit", "check_credit")


def test_build_given_a_task_only_made_ready_expect_an_execution_with_no_acts():
    [execution] = build([ready(1, "t1", "check_credit", "Check credit")])
    assert execution == Execution("i1", "credit_check", "t1", "check_credit", "Check credit")


def test_build_lists_every_completion_as_r_so_rework_gives_two():
    assert executions()["t1"].responsible == [
        Act("dora", at(7), on_behalf_of="rita"),
        Act("rita", at(10)),
    ]


def test_build_records_the_sign_off_as_a_with_the_principal_a_deputy_acted_for():
    assert executions()["t1"].accountable == Act("dan", at(11), on_behalf_of="alex")


def test_build_given_no_sign_off_expect_no_a():
    assert executions()["t3"].accountable is None


def test_build_lists_rejections_with_their_reasons():
    assert executions()["t1"].rejected == [Act("alex", at(8), note="limit too high")]


def test_build_lists_consultation_answers_with_role_and_comment_but_not_requests():
    assert executions()["t1"].consulted == [
        Act("lena", at(5), on_behalf_of="carl", note="legal: Grüße, fine by legal")
    ]


def test_build_lists_the_recipients_of_notifications_as_i_with_when_they_were_told():
    assert executions()["t1"].informed == [
        Act("ivy", at(12), note="signoff"),
        Act("zoe", at(13), note="signoff"),
    ]


def test_build_lists_refusals_as_violations_with_letter_attempt_and_message():
    assert executions()["t1"].violations == [
        Act(
            "olga",
            at(6),
            note="R: complete refused: olga is not responsible for 'check_credit' (clerk)",
        )
    ]


def test_build_given_an_ordinary_sign_off_expect_no_override():
    assert executions()["t1"].overrides == []


def test_build_lists_a_self_approval_as_an_override_and_as_the_sign_off():
    execution = executions()["t2"]
    assert execution.accountable == Act("dee", at(15))
    assert Act("dee", at(15), note="self-approval") in execution.overrides


def test_build_lists_a_reassignment_as_an_override_with_from_to_and_reason():
    assert executions()["t2"].overrides == [
        Act("adam", at(9), note="reassigned rita -> ralf: rita is away"),
        Act("dee", at(15), note="self-approval"),
    ]


def test_build_given_a_reassignment_of_an_unclaimed_task_without_reason_expect_from_nobody():
    reassign = event(1, "reassign", actor="adam", raci_role="R", element="check_credit", to="ralf")
    [execution] = build([reassign])
    assert execution.overrides == [Act("adam", at(1), note="reassigned nobody -> ralf")]


def test_build_lists_an_overridden_consultation_with_its_roles_and_reason():
    assert executions()["t3"].overrides == [
        Act("alex", at(17), note="consultation of legal, tax overridden: customer waiting")
    ]


# --- as_csv ---------------------------------------------------------------------------


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_as_csv_starts_with_a_header_of_the_report_columns():
    header = as_csv(build(EVENTS)).splitlines()[0]
    assert header == (
        "instance_id,process_id,task_id,activity,name,"
        "responsible,accountable,rejected,consulted,informed,violations,overrides"
    )
    assert tuple(header.split(",")) == COLUMNS


def test_as_csv_given_no_executions_expect_the_header_only():
    assert csv_rows(as_csv([])) == []
    assert as_csv([]).splitlines() == [",".join(COLUMNS)]


def test_as_csv_has_one_row_per_execution():
    assert [row["task_id"] for row in csv_rows(as_csv(build(EVENTS)))] == ["t1", "t2", "t3"]


def test_as_csv_joins_the_acts_of_a_column_with_semicolons():
    row = csv_rows(as_csv(build(EVENTS)))[0]
    assert row["responsible"] == f"dora for rita at {at(7)}; rita at {at(10)}"
    assert row["informed"] == f"ivy at {at(12)} (signoff); zoe at {at(13)} (signoff)"


def test_as_csv_writes_a_single_act_with_its_deputy_and_note():
    row = csv_rows(as_csv(build(EVENTS)))[0]
    assert row["accountable"] == f"dan for alex at {at(11)}"
    assert row["rejected"] == f"alex at {at(8)} (limit too high)"


def test_as_csv_leaves_columns_without_acts_empty():
    row = csv_rows(as_csv(build(EVENTS)))[2]
    assert (row["responsible"], row["accountable"], row["informed"]) == ("", "", "")


# --- as_json --------------------------------------------------------------------------


def test_as_json_parses_back_to_one_object_per_execution_with_every_field():
    parsed = json.loads(as_json(build(EVENTS)))
    assert [item["task_id"] for item in parsed] == ["t1", "t2", "t3"]
    assert all(set(item) == {f.name for f in fields(Execution)} for item in parsed)


def test_as_json_writes_acts_as_objects_and_a_missing_sign_off_as_null():
    t1, _, t3 = json.loads(as_json(build(EVENTS)))
    assert t1["responsible"] == [
        {"user": "dora", "at": at(7), "on_behalf_of": "rita", "note": None},
        {"user": "rita", "at": at(10), "on_behalf_of": None, "note": None},
    ]
    assert t1["accountable"] == {"user": "dan", "at": at(11), "on_behalf_of": "alex", "note": None}
    assert t3["accountable"] is None


def test_as_json_round_trips_to_the_same_executions():
    built = build(EVENTS)
    parsed = json.loads(as_json(built))
    restored = [
        Execution(
            **{
                **item,
                "accountable": Act(**item["accountable"]) if item["accountable"] else None,
                **{
                    column: [Act(**act) for act in item[column]]
                    for column in COLUMNS[5:]
                    if column != "accountable"
                },
            }
        )
        for item in parsed
    ]
    assert restored == built


def test_as_json_keeps_non_ascii_text_as_is():
    assert "Grüße" in as_json(build(EVENTS))


def test_as_json_given_no_executions_expect_an_empty_list():
    assert json.loads(as_json([])) == []


# --- as_text --------------------------------------------------------------------------


def test_as_text_given_no_executions_says_so():
    assert as_text([]) == "no activity executions in this period"


def test_as_text_heads_each_execution_and_lists_only_the_columns_with_acts():
    events = [
        ready(1, "t1", "check_credit", "Check credit"),
        complete(2, "rita"),
        event(3, "approve", actor="alex", raci_role="A", element="check_credit"),
    ]
    assert as_text(build(events)) == (
        "Check credit [check_credit] in i1\n"
        f"  responsible rita at {at(2)}\n"
        f"  accountable alex at {at(3)}"
    )


def test_as_text_separates_executions_with_a_blank_line():
    blocks = as_text(build(EVENTS)).split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == [
        "Check credit [check_credit] in i1",
        "Send offer [send_offer] in i1",
        "Archive [archive] in i1",
    ]


def test_a_voided_sign_off_is_an_override_naming_the_signer_and_each_change():
    events = [
        ready(1, "t1", "work", "Report the job"),
        event(2, "complete", actor="thanasis", raci_role="R", element="work"),
        event(3, "approve", actor="irini", raci_role="A", element="work", digest="ab"),
        event(
            4,
            "signoff_voided",
            actor="admin",
            raci_role="A",
            element="work",
            signed_by="irini",
            changes={"serial": ["EQ-00001", "EQ-00002"]},
        ),
        event(5, "approve", actor="irini", raci_role="A", element="work", digest="cd"),
    ]
    [execution] = build(events)
    [voided] = execution.overrides
    assert (voided.user, voided.note) == (
        "admin",
        "sign-off by irini voided: serial 'EQ-00001' -> 'EQ-00002'",
    )
    assert execution.accountable.user == "irini"
    assert execution.accountable.at == events[-1]["occurred_at"]  # signed again, not voided


def test_a_voided_sign_off_not_yet_signed_again_leaves_no_signer():
    """The compliance report listed the voided signature as the execution's A while the
    changed work still waited to be signed again."""
    events = [
        ready(1, "t1", "work", "Report the job"),
        event(2, "complete", actor="thanasis", raci_role="R", element="work"),
        event(3, "approve", actor="irini", raci_role="A", element="work"),
        event(4, "signoff_voided", actor="admin", raci_role="A", element="work", signed_by="irini"),
    ]
    [execution] = build(events)
    assert execution.accountable is None
    assert execution.overrides[0].note.startswith("sign-off by irini voided")
