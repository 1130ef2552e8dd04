"""Routing to a named person inside the R role: the matrix keys and the one rule.

docs/raci.md, "Routing to a named person" and "Audience scopes".
"""

from __future__ import annotations

import pytest

from raci.loading import MatrixFormatError, load_matrix
from raci.matrix import ActivityRow, Letter, case_value
from raci.policy import Refused, informed, may_answer, may_reassign, may_work, route
from raci.render import as_csv, as_rows
from raci.validation import Activity, errors, validate
from tests.unit.test_raci_policy import DIRECTORY, MID_NOV, ROW

R_AND_A = frozenset({Letter.R, Letter.A})
ASSIGNED = ROW.__class__(ROW.activity, ROW.cells, ROW.rules.__class__(assign_to="job.clerk"))


# --- the matrix file ------------------------------------------------------------------


def test_a_csv_row_names_the_case_variable_its_task_goes_to():
    matrix = load_matrix(
        "job.raci.csv",
        "activity,clerk,controller,@assign_to\nbook,R,A,schedule.technician\nfile,R,A,\n",
    )
    assert [row.rules.assign_to for row in matrix.rows] == ["schedule.technician", None]


def test_a_yaml_row_names_the_case_variable_its_task_goes_to():
    text = "activities:\n  - {activity: book, raci: {clerk: R, controller: A}, assign_to: tech}\n"
    assert load_matrix("job.raci.yaml", text).rows[0].rules.assign_to == "tech"


@pytest.mark.parametrize("variable", ["schedule technician", "1st", "a..b", "x;drop"])
def test_an_assign_to_that_is_no_variable_is_refused_naming_the_line(variable):
    with pytest.raises(MatrixFormatError) as error:
        load_matrix("job.raci.csv", f"activity,clerk,@assign_to\nbook,R/A,{variable}\n")
    assert error.value.line == 2
    assert "@assign_to" in error.value.message and "not a case variable" in error.value.message


def test_a_role_is_scoped_to_the_case_in_yaml_and_in_a_csv_header():
    yaml_text = (
        "scopes: {bd: customer_bd}\nactivities:\n  - {activity: book, raci: {clerk: R/A, bd: I}}\n"
    )
    csv_text = "activity,clerk,bd[customer_bd]\nbook,R/A,I\n"
    for name, text in (("job.raci.yaml", yaml_text), ("job.raci.csv", csv_text)):
        matrix = load_matrix(name, text)
        assert (matrix.roles, matrix.scopes) == (("clerk", "bd"), {"bd": "customer_bd"})


def test_the_long_yaml_form_of_a_scope_reads_the_same():
    text = "scopes: {bd: {scope: customer_bd}}\nactivities:\n  - {activity: a, raci: {bd: R/A}}\n"
    assert load_matrix("job.raci.yaml", text).scopes == {"bd": "customer_bd"}


def test_a_scope_for_a_role_the_matrix_does_not_have_is_refused():
    text = "scopes: {cfo: customer_bd}\nactivities:\n  - {activity: a, raci: {bd: R/A}}\n"
    with pytest.raises(MatrixFormatError, match="'scopes' names 'cfo'"):
        load_matrix("job.raci.yaml", text)


def test_assign_to_and_scopes_survive_writing_the_matrix_back_as_csv():
    text = "activity,clerk,bd[customer_bd],@assign_to\nbook,R/A,I,job.clerk\n"
    matrix = load_matrix("job.raci.csv", text)
    again = load_matrix("job.raci.csv", as_csv(matrix))
    assert (again.scopes, again.rows[0].rules.assign_to) == ({"bd": "customer_bd"}, "job.clerk")
    assert as_rows(matrix)[0]["assign_to"] == "job.clerk"
    assert as_rows(matrix)[0]["scopes"] == {"bd": "customer_bd"}


def test_case_value_follows_a_dotted_path_and_gives_none_when_absent():
    case = {"schedule": {"technician": "rita"}, "x": 1}
    assert case_value(case, "schedule.technician") == "rita"
    assert case_value(case, "schedule.missing") is None
    assert case_value(case, "x.y") is None


# --- the rule -------------------------------------------------------------------------


def test_route_gives_the_task_to_a_member_of_its_r_role():
    assert route(DIRECTORY, ASSIGNED, "rita") == "rita"


@pytest.mark.parametrize(
    ("person", "says"),
    [
        (None, "names nobody"),
        ("", "names nobody"),
        ("alex", "alex is not responsible"),  # a controller, not a clerk
        ("dora", "dora is not responsible"),  # rita's deputy: deputies stand in, not receive
        ("gone", "gone is not responsible"),  # deactivated
    ],
)
def test_route_refuses_anyone_outside_the_r_role_saying_why(person, says):
    with pytest.raises(Refused, match=says) as refused:
        route(DIRECTORY, ASSIGNED, person)
    assert refused.value.template is not None  # a msgid the web translates


def test_only_the_named_person_or_their_deputy_may_work_a_routed_task():
    assert may_work(DIRECTORY, ROW, "rita", MID_NOV, routed_to="rita").on_behalf_of is None
    assert may_work(DIRECTORY, ROW, "dora", MID_NOV, routed_to="rita").on_behalf_of == "rita"
    with pytest.raises(Refused) as refused:
        may_work(DIRECTORY, ROW, "ralf", MID_NOV, routed_to="rita")
    assert str(refused.value) == (
        "'check_credit' is assigned to rita: ralf may not take it (a supervisor may reassign it)"
    )
    assert refused.value.params == {"task": "check_credit", "person": "rita", "user": "ralf"}


def test_a_routed_task_is_reassigned_by_its_person_a_supervisor_or_an_admin_only():
    assert may_reassign(DIRECTORY, ROW, "rita", "ralf", MID_NOV, routed_to="rita")[1].user == "ralf"
    by, _ = may_reassign(DIRECTORY, ROW, "alex", "ralf", MID_NOV, routed_to="rita")
    assert (by.user, by.role) == ("alex", "controller")
    assert may_reassign(DIRECTORY, ROW, "adam", "ralf", MID_NOV, routed_to="rita")[0] is None
    with pytest.raises(Refused, match="only they, controller or an admin may reassign it"):
        may_reassign(DIRECTORY, ROW, "ralf", "ralf", MID_NOV, routed_to="rita")
    with pytest.raises(Refused, match="ivy is not responsible"):  # still to an R member only
        may_reassign(DIRECTORY, ROW, "alex", "ivy", MID_NOV, routed_to="rita")


def test_on_a_row_its_r_role_signs_itself_no_peer_takes_a_routed_task_as_supervisor():
    own_work = ActivityRow("revise", {"clerk": R_AND_A})  # R/A: the clerk signs their own
    with pytest.raises(Refused, match="only they or an admin may reassign it"):
        may_reassign(DIRECTORY, own_work, "ralf", "ralf", MID_NOV, routed_to="rita")
    assert may_reassign(DIRECTORY, own_work, "adam", "ralf", MID_NOV, routed_to="rita")[0] is None
    assert may_reassign(DIRECTORY, own_work, "rita", "ralf", MID_NOV, routed_to="rita")


# --- audience scopes ------------------------------------------------------------------

SCOPED_CSV = "activity,clerk,legal[own_lawyer],sales[own_rep]\ncheck_credit,R/A,C,I\nfile,R/A,,\n"


def test_a_scoped_role_is_reported_only_on_the_rows_that_give_it_a_letter():
    matrix = load_matrix("job.raci.csv", SCOPED_CSV)
    assert [matrix.scopes_of(row) for row in matrix.rows] == [
        {"legal": "own_lawyer", "sales": "own_rep"},
        {},
    ]


def test_a_row_may_scope_a_role_the_matrix_leaves_unscoped():
    text = (
        "activities:\n"
        "  - {activity: ask, raci: {clerk: R/A, sales: I}}\n"
        "  - {activity: tell, raci: {clerk: R/A, sales: I}, scopes: {sales: own_rep}}\n"
    )
    matrix = load_matrix("job.raci.yaml", text)
    assert [matrix.scopes_of(row) for row in matrix.rows] == [{}, {"sales": "own_rep"}]


def test_an_unknown_scope_is_an_error_naming_each_row_and_role():
    matrix = load_matrix("job.raci.csv", SCOPED_CSV)
    activities = [Activity("check_credit", None, None, True), Activity("file", None, None, True)]
    found = errors(validate(matrix, activities, None, {"own_rep": ()}))
    assert [str(f) for f in found] == [
        "error: job / check_credit / legal: unknown scope 'own_lawyer' (known: own_rep)"
    ]
    assert errors(validate(matrix, activities, None, {"own_rep": (), "own_lawyer": ()})) == []
    assert errors(validate(matrix, activities, None)) == []  # scopes not known: not checked


def test_a_scope_given_to_a_role_it_cannot_narrow_is_an_error():
    # own_lawyer names a lawyer: given to "legal" it narrows; to another role it would
    # pass and do nothing, a control that is not there.
    matrix = load_matrix("job.raci.csv", SCOPED_CSV)
    activities = [Activity("check_credit", None, None, True), Activity("file", None, None, True)]
    known = {"own_rep": ("sales",), "own_lawyer": ("legal",)}
    assert errors(validate(matrix, activities, None, known)) == []
    known = {"own_rep": ("sales",), "own_lawyer": ("lawyer",)}
    assert [str(f) for f in errors(validate(matrix, activities, None, known))] == [
        "error: job / check_credit / legal: scope 'own_lawyer' narrows only lawyer"
    ]


def test_informed_narrows_a_scoped_role_to_the_cases_person_or_keeps_the_role():
    assert informed(DIRECTORY, ROW) == ["ian", "ivy", "zoe"]
    assert informed(DIRECTORY, ROW, {"sales": "zoe"}) == ["ian", "ivy", "zoe"]  # ivy: audit
    assert informed(DIRECTORY, ROW, {"sales": "zoe", "audit": "ian"}) == ["ian", "zoe"]
    assert informed(DIRECTORY, ROW, {"sales": None}) == ["ian", "ivy", "zoe"]


def test_only_the_cases_person_or_their_deputy_answers_a_scoped_consultation():
    assert may_answer(DIRECTORY, "legal", "carl", MID_NOV, routed_to="carl").user == "carl"
    assert may_answer(DIRECTORY, "legal", "lena", MID_NOV, routed_to="carl").on_behalf_of == "carl"
    with pytest.raises(Refused, match="Only ivy, the case's own sales, may answer this"):
        may_answer(DIRECTORY, "sales", "zoe", MID_NOV, routed_to="ivy")
