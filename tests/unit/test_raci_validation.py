"""A matrix is checked against its process and the directory, one rule per finding."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from raci.matrix import ActivityRow, ActivityRules, Authority, Letter, RaciMatrix, parse_letters
from raci.validation import Activity, Decision, Finding, errors, validate

ROLES = ("bd", "credit_controller", "finance_manager", "sales_manager")
ANALYSE = Activity("analyse_credit", "Analyse credit", None, True)
APPROVE = Activity("approve_limit", "Approve limit", "Finance Manager", True)
NOTIFY = Activity("notify_customer", "Notify customer", None, False)
PROCESS = [ANALYSE, APPROVE, NOTIFY]


def matrix(*rows: tuple[str, dict[str, str]]) -> RaciMatrix:
    """A matrix over ROLES from (activity, {role: cell}) pairs."""
    return RaciMatrix(
        "credit_limit_change",
        ROLES,
        tuple(
            ActivityRow(activity, {role: parse_letters(cells.get(role, "")) for role in ROLES})
            for activity, cells in rows
        ),
    )


GOOD_ROWS = (
    ("analyse_credit", {"credit_controller": "R", "finance_manager": "A", "bd": "C"}),
    ("Approve Limit", {"finance_manager": "A/R", "sales_manager": "I"}),
    ("notify_customer", {"bd": "I"}),
)


def findings_for(*rows: tuple[str, dict[str, str]], known_roles=ROLES) -> list[str]:
    return [str(finding) for finding in validate(matrix(*rows), PROCESS, known_roles)]


def test_given_a_good_matrix_expect_no_findings():
    assert validate(matrix(*GOOD_ROWS), PROCESS, ROLES) == []


def test_a_finding_names_process_activity_and_role_when_it_has_them():
    finding = Finding("error", "credit_limit_change", "analyse_credit", "bd", "something")
    assert str(finding) == "error: credit_limit_change / analyse_credit / bd: something"
    assert str(Finding("warning", "p", None, "bd", "x")) == "warning: p / bd: x"


def test_given_a_user_task_without_a_row_expect_an_error():
    assert findings_for(GOOD_ROWS[1], GOOD_ROWS[2]) == [
        "error: credit_limit_change / analyse_credit: user task has no RACI row"
    ]


def test_given_a_row_for_no_activity_expect_an_error():
    assert findings_for(*GOOD_ROWS, ("archive", {"bd": "I"})) == [
        "error: credit_limit_change / archive: row names no activity of the process"
    ]


def test_given_two_rows_for_one_activity_by_id_and_by_name_expect_the_ignored_one_named():
    assert findings_for(*GOOD_ROWS, ("analyse credit", {"bd": "R", "sales_manager": "A"})) == [
        "error: credit_limit_change / analyse credit: row is ignored: "
        "another row names this activity by its id ('analyse_credit')"
    ]


def test_given_a_user_task_row_without_an_a_expect_an_error():
    rows = (("analyse_credit", {"credit_controller": "R"}), *GOOD_ROWS[1:])
    (finding,) = validate(matrix(*rows), PROCESS, ROLES)
    assert finding == Finding(
        "error",
        "credit_limit_change",
        "analyse_credit",
        None,
        "no A role; exactly one is required",
    )


def test_given_a_user_task_row_with_two_as_expect_an_error_naming_them():
    rows = (("analyse_credit", {"credit_controller": "R", "bd": "A", "finance_manager": "A"}),)
    assert findings_for(*rows, *GOOD_ROWS[1:]) == [
        "error: credit_limit_change / analyse_credit: "
        "2 A roles (bd, finance_manager); exactly one is required"
    ]


def test_given_a_user_task_row_without_an_r_expect_an_error():
    rows = (("analyse_credit", {"finance_manager": "A", "bd": "C"}), *GOOD_ROWS[1:])
    assert findings_for(*rows) == [
        "error: credit_limit_change / analyse_credit: no R role; at least one is required"
    ]


def test_given_r_or_a_on_an_activity_that_is_not_a_user_task_expect_an_error_per_role():
    rows = (
        *GOOD_ROWS[:2],
        ("Notify Customer", {"bd": "R/I", "sales_manager": "A", "finance_manager": "C"}),
    )
    assert findings_for(*rows) == [
        "error: credit_limit_change / Notify Customer / bd: "
        "R on an activity that is not a user task; only C or I may be given",
        "error: credit_limit_change / Notify Customer / sales_manager: "
        "A on an activity that is not a user task; only C or I may be given",
    ]


def test_given_roles_missing_from_the_directory_expect_an_error_per_role():
    known = ("credit_controller", "finance_manager")
    (bd, sales) = validate(matrix(*GOOD_ROWS), PROCESS, known)
    assert bd == Finding("error", "credit_limit_change", None, "bd", "role is not in the directory")
    assert str(sales) == "error: credit_limit_change / sales_manager: role is not in the directory"


def test_given_a_used_role_that_is_not_a_column_expect_it_checked_too():
    row = ActivityRow("analyse_credit", {"auditor": frozenset({Letter.R, Letter.A})})
    the_matrix = RaciMatrix("credit_limit_change", (), (row,))
    assert [f.role for f in validate(the_matrix, [ANALYSE], ())] == ["auditor"]


def test_given_no_directory_expect_roles_unchecked():
    assert validate(matrix(*GOOD_ROWS), PROCESS, None) == []


def test_given_a_lane_matching_no_r_role_expect_only_a_warning():
    rows = (
        GOOD_ROWS[0],
        ("approve_limit", {"credit_controller": "R", "finance_manager": "A"}),
        GOOD_ROWS[2],
    )
    findings = validate(matrix(*rows), PROCESS, ROLES)

    assert [str(f) for f in findings] == [
        "warning: credit_limit_change / approve_limit: lane 'Finance Manager' matches none "
        "of the R roles (credit_controller); the matrix, not the lane, decides who does the work"
    ]
    assert errors(findings) == []


def test_a_lane_matches_a_role_ignoring_case_spaces_hyphens_dots_and_underscores():
    lane = Activity("approve_limit", "Approve limit", "Finance-Manager.", True)
    assert validate(matrix(*GOOD_ROWS), [ANALYSE, lane, NOTIFY], ROLES) == []


def test_given_a_row_without_letters_expect_a_warning():
    rows = (*GOOD_ROWS[:2], ("notify_customer", {}))
    (finding,) = validate(matrix(*rows), PROCESS, ROLES)
    assert finding == Finding(
        "warning", "credit_limit_change", "notify_customer", None, "row gives no role any letter"
    )


def test_errors_keeps_only_errors():
    rows = (("analyse_credit", {}), *GOOD_ROWS[1:])
    findings = validate(matrix(*rows), PROCESS, ROLES)

    assert [f.severity for f in findings] == ["error", "error", "warning"]
    assert errors(findings) == findings[:2]


TASKS = [Activity(f"task_{n}", None, None, True) for n in range(4)]
CELLS = st.frozensets(st.sampled_from(list(Letter)))


@given(st.lists(st.fixed_dictionaries({role: CELLS for role in ROLES}), min_size=4, max_size=4))
def test_a_matrix_over_known_roles_has_no_errors_iff_each_task_has_one_a_and_an_r(grid):
    rows = tuple(ActivityRow(task.id, cells) for task, cells in zip(TASKS, grid, strict=True))
    the_matrix = RaciMatrix("process", ROLES, rows)

    well_formed = all(len(row.roles_with(Letter.A)) == 1 and row.responsible for row in rows)
    assert (not errors(validate(the_matrix, TASKS, set(ROLES)))) == well_formed


# h. authority: a level table the engine can run again on the data signed.

LEVELS = ("credit_controller", "finance_manager")
DECIDE = Activity(
    "sign_off_level",
    "Decide the sign-off level",
    None,
    False,
    Decision(
        ("requested_limit", 'profile["credit_limit"]'), ("credit_controller", "finance_manager")
    ),
)


def authority_findings(
    authority: Authority,
    *,
    decide: Activity = DECIDE,
    levels: tuple[str, ...] = LEVELS,
    accountable: str = "finance_manager",
) -> list[str]:
    row = ActivityRow(
        "analyse_credit",
        {
            role: parse_letters({"credit_controller": "R", accountable: "A"}.get(role, ""))
            for role in ROLES
        },
        ActivityRules(authority=authority),
    )
    rows = (row, *matrix(*GOOD_ROWS[1:]).rows)
    declared = RaciMatrix("credit_limit_change", ROLES, rows, levels=levels)
    return [str(f) for f in validate(declared, [*PROCESS, decide], [*ROLES, "cfo"])]


BY_LIMIT = Authority("sign_off_level", (("requested_limit", "approved_limit"),))


def test_given_a_decidable_authority_expect_no_findings():
    assert authority_findings(BY_LIMIT) == []


def test_given_authority_decided_by_no_business_rule_task_expect_an_error():
    assert authority_findings(Authority("notify_customer")) == [
        "error: credit_limit_change / analyse_credit:"
        " 'notify_customer' is not a business rule task of the process"
    ]


def test_given_a_table_that_can_name_a_role_outside_the_levels_expect_an_error():
    boss = replace(
        DECIDE, decision=Decision(("requested_limit",), ("finance_manager", "boss", None))
    )
    assert authority_findings(BY_LIMIT, decide=boss) == [
        "error: credit_limit_change / analyse_credit: level table of 'sign_off_level' can give"
        " 'boss', which is not a level (credit_controller, finance_manager)",
        "error: credit_limit_change / analyse_credit: level table of 'sign_off_level' can give"
        " an expression, which is not a level (credit_controller, finance_manager)",
    ]


def test_given_a_field_bound_to_an_input_the_table_does_not_read_expect_an_error():
    assert authority_findings(Authority("sign_off_level", (("limit", "approved_limit"),))) == [
        "error: credit_limit_change / analyse_credit:"
        " the level table of 'sign_off_level' reads no 'limit'"
    ]


def test_given_an_a_role_outside_the_levels_or_no_levels_expect_errors():
    assert authority_findings(BY_LIMIT, accountable="sales_manager") == [
        "error: credit_limit_change / analyse_credit / sales_manager:"
        " A role is not one of the levels (credit_controller, finance_manager)"
    ]
    assert "'authority' needs the matrix's 'levels'" in " ".join(
        authority_findings(BY_LIMIT, levels=())
    )


def test_given_a_level_missing_from_the_directory_expect_an_error():
    assert authority_findings(BY_LIMIT, levels=(*LEVELS, "board")) == [
        "error: credit_limit_change / board: level is not a role of the directory"
    ]
