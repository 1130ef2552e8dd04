"""Who may see a task or a case, and who may cancel one (raci.visibility), as specifications."""

from __future__ import annotations

import pytest

from raci.matrix import ActivityRow, Letter, RaciMatrix
from raci.visibility import (
    CasePart,
    TaskPart,
    may_cancel,
    may_retry,
    may_see_case,
    may_see_task,
    may_start,
    oversees,
)

NOBODY = TaskPart(governed=True, letters=frozenset(), acted=False, started=False)
NO_PART = CasePart(started=False, acted=False, notified=False, letters=frozenset())
STAFF = frozenset({"credit_controller"})


@pytest.mark.parametrize("letter", ["R", "A", "C", "I"])
def test_any_letter_on_a_task_shows_it_and_its_case(letter):
    assert may_see_task(STAFF, TaskPart(True, frozenset({letter}), False, False))
    assert may_see_case(STAFF, CasePart(False, False, False, frozenset({letter})))


def test_a_staff_member_with_no_part_sees_neither_the_task_nor_the_case():
    assert not may_see_task(STAFF, NOBODY)
    assert not may_see_case(STAFF, NO_PART)


@pytest.mark.parametrize(
    "part",
    [
        TaskPart(True, frozenset(), acted=True, started=False),
        TaskPart(True, frozenset(), acted=False, started=True),
        TaskPart(False, frozenset(), acted=False, started=False),  # ungoverned: anyone's
    ],
)
def test_acting_starting_or_an_ungoverned_process_shows_the_task(part):
    assert may_see_task(STAFF, part)


@pytest.mark.parametrize(
    "part",
    [
        CasePart(started=True, acted=False, notified=False, letters=frozenset()),
        CasePart(started=False, acted=True, notified=False, letters=frozenset()),
        CasePart(started=False, acted=False, notified=True, letters=frozenset()),
        CasePart(False, False, False, frozenset(), open_to_anyone=True),
    ],
)
def test_starting_acting_being_told_or_open_work_for_anyone_shows_the_case(part):
    assert may_see_case(STAFF, part)


@pytest.mark.parametrize("role", ["auditor", "process_owner", "admin"])
def test_oversight_reads_everything(role):
    assert may_see_task({role}, NOBODY)
    assert may_see_case({role}, NO_PART)
    assert oversees({role})


def test_staff_do_not_oversee_however_many_roles_they_hold():
    assert not oversees(STAFF | {"bd", "cfo", "sales_manager"})


def test_the_starter_a_process_owner_or_an_admin_may_cancel():
    assert may_cancel("giorgos.bd", {"bd"}, started_by="giorgos.bd")
    assert may_cancel("lena.owner", {"process_owner"}, started_by="giorgos.bd")
    assert may_cancel("admin", {"admin"}, started_by="giorgos.bd")


def test_who_asked_for_a_case_another_case_started_may_not_cancel_it():
    assert not may_cancel("katerina.call", set(), started_by="katerina.call", by_another_case=True)
    assert may_cancel("lena.owner", {"process_owner"}, started_by="k", by_another_case=True)


@pytest.mark.parametrize(
    ("user", "roles"),
    [("fotis.audit", {"auditor"}), ("eleni.bd", {"bd"}), ("anna.credit", {"credit_controller"})],
)
def test_nobody_else_may_cancel_not_even_the_auditor(user, roles):
    assert not may_cancel(user, roles, started_by="giorgos.bd")


def test_retrying_is_for_process_owners_and_admins_not_the_auditor():
    assert may_retry({"process_owner"}) and may_retry({"admin"})
    assert not may_retry({"auditor"}) and not may_retry(STAFF)


# --- may_start: one rule for the start page and the API -----------------------------

CHECK = ActivityRow("check", {"clerk": frozenset({Letter.R}), "boss": frozenset({Letter.A})})
FILE = ActivityRow("file", {"archivist": frozenset({Letter.R})})
MATRIX = RaciMatrix("p", ("clerk", "boss", "archivist"), (CHECK, FILE))


@pytest.mark.parametrize(
    ("roles", "starters", "matrix", "allowed"),
    [
        ({"bd"}, ("bd",), MATRIX, True),  # the CRM names who asks for it
        ({"clerk"}, ("bd",), MATRIX, False),  # working its first task is not asking for it
        ({"admin"}, ("bd",), MATRIX, True),
        ({"admin"}, (), MATRIX, True),
        ({"bd"}, (), MATRIX, False),  # started by another process only
        ({"clerk"}, None, MATRIX, True),  # not named: the first row's R
        ({"archivist"}, None, MATRIX, False),  # R of a later row only
        ({"anyone"}, None, None, True),  # ungoverned
    ],
)
def test_who_may_start_a_process(roles, starters, matrix, allowed):
    assert may_start(roles, starters=starters, matrix=matrix) is allowed
