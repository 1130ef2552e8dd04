"""Matrix files load from CSV or YAML, and bad files are refused naming file, line and fault."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from raci.loading import (
    MatrixFormatError,
    is_matrix_file,
    load_matrix,
    parse_duration,
    process_id_of,
)
from raci.matrix import ActivityRules, Authority, Letter
from raci.validation import Activity, errors, validate

RACI_FIXTURES = Path(__file__).parents[1] / "fixtures" / "raci"
CHART_ROLES = ("PM", "Sponsor", "Analyst", "Tech. Specialist")
CHART_ACTIVITIES = [
    "Define Project Purpose",
    "Define the Scope",
    "Define Project Deliverables",
    "Define Stakeholder Matrix",
    "Define Governance Structure",
    "Define the Implementation Approach",
    "Define Risks & Issues",
    "Project Charter",
]


def load_fixture(name: str):
    return load_matrix(name, (RACI_FIXTURES / name).read_bytes())


def csv_error(text: str, name: str = "approval.raci.csv") -> MatrixFormatError:
    with pytest.raises(MatrixFormatError) as caught:
        load_matrix(name, text)
    return caught.value


def yaml_error(text: str, name: str = "credit_limit_change.raci.yaml") -> MatrixFormatError:
    return csv_error(text, name)


# File names


@pytest.mark.parametrize(
    ("name", "process_id"),
    [
        ("approval.raci.csv", "approval"),
        ("credit_limit_change.raci.yaml", "credit_limit_change"),
        ("bpmn/sales/credit_limit_change.raci.yml", "credit_limit_change"),
        ("Approval.RACI.CSV", "Approval"),
    ],
)
def test_given_a_matrix_file_name_expect_its_process_id(name, process_id):
    assert is_matrix_file(name)
    assert process_id_of(name) == process_id


@pytest.mark.parametrize("name", ["approval.bpmn", "approval.csv", ".raci.csv", "raci.yaml"])
def test_given_another_file_name_expect_no_matrix_file(name):
    assert not is_matrix_file(name)
    with pytest.raises(ValueError, match="is not named"):
        process_id_of(name)


def test_when_loading_a_file_not_named_as_a_matrix_expect_an_error():
    error = csv_error("activity,PM\n", name="approval.csv")
    assert error.message.startswith("not a RACI matrix file")


# The project initiation chart


def test_given_the_chart_csv_expect_its_roles_rows_and_cells_as_written():
    matrix = load_fixture("project_initiation.raci.csv")

    assert matrix.process_id == "project_initiation"
    assert matrix.source == "project_initiation.raci.csv"
    assert matrix.roles == CHART_ROLES
    assert [row.activity for row in matrix.rows] == CHART_ACTIVITIES
    purpose = matrix.row_for("define_project_purpose", "Define Project Purpose")
    assert purpose is not None
    assert purpose.line == 2
    assert purpose.responsible == ["PM"]
    assert purpose.accountable == "Sponsor"
    assert purpose.cells["Tech. Specialist"] == {Letter.I}
    risks = matrix.row_for("define_risks_issues", "define risks & issues")
    assert risks is not None
    assert (risks.accountable, risks.responsible, risks.consulted, risks.informed) == (
        "PM",
        ["Analyst"],
        ["Tech. Specialist"],
        ["Sponsor"],
    )


def test_given_the_chart_csv_expect_it_valid_against_its_process_and_roles():
    matrix = load_fixture("project_initiation.raci.csv")
    activities = [
        Activity(re.sub(r"\W+", "_", name.lower()).strip("_"), name, None, True)
        for name in CHART_ACTIVITIES
    ]
    assert activities[0].id == "define_project_purpose"

    assert errors(validate(matrix, activities, set(CHART_ROLES))) == []


def test_given_the_chart_as_yaml_expect_the_same_matrix_as_the_csv():
    from_csv = load_fixture("project_initiation.raci.csv")
    from_yaml = load_fixture("project_initiation.raci.yaml")

    assert from_yaml.roles == from_csv.roles
    assert [(r.activity, r.cells, r.rules) for r in from_yaml.rows] == [
        (r.activity, r.cells, r.rules) for r in from_csv.rows
    ]
    assert [row.line for row in from_yaml.rows][:2] == [5, 7]


# CSV


def test_given_csv_flag_columns_expect_rules_per_row():
    matrix = load_matrix(
        "approval.raci.csv",
        "Activity,clerk,manager,@Self_Approval,@advisory,@signoff_due\n"
        "review,R,A,yes,1,P1DT12H\n"
        "\n"
        "archive,,I,,false,\n",
    )

    review, archive = matrix.rows
    assert review.rules == ActivityRules(True, True, timedelta(days=1, hours=12))
    assert archive.rules == ActivityRules()
    assert archive.line == 4
    assert archive.cells == {"clerk": frozenset(), "manager": {Letter.I}}


def test_given_utf8_bytes_with_bom_and_greek_text_expect_them_read():
    # Greek letters that look Latin are the point here
    text = "activity,Υπεύθυνος,Διευθυντής\nΈγκριση δαπάνης,R,A/R\n"
    matrix = load_matrix("approval.raci.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))

    assert matrix.roles == ("Υπεύθυνος", "Διευθυντής")
    assert matrix.rows[0].activity == "Έγκριση δαπάνης"
    assert matrix.rows[0].cells["Διευθυντής"] == {Letter.A, Letter.R}


def test_given_a_bad_letter_expect_the_file_line_and_cell_named():
    error = csv_error("activity,PM,Sponsor\n\nreview,R,A\napprove,X,A\n")

    assert (error.file_name, error.line) == ("approval.raci.csv", 4)
    assert str(error) == (
        "approval.raci.csv, line 4: 'X' is not a RACI cell (use R, A, C, I or e.g. A/R)"
    )


def test_given_no_activity_header_expect_an_error():
    assert str(csv_error("task,PM\nreview,R\n")) == (
        "approval.raci.csv, line 1: the first column must be named 'activity', not 'task'"
    )
    assert (
        csv_error("\n\n").message == "the first column must be named 'activity' (the file is empty)"
    )


def test_given_an_unknown_flag_column_expect_an_error():
    error = csv_error("activity,PM,@deadline\n")
    assert error.message == (
        "unknown column '@deadline' (flags are @self_approval, @advisory, @signoff_due, @assign_to)"
    )


def test_given_a_second_row_for_an_activity_expect_both_lines_named():
    error = csv_error("activity,PM\nreview,R\napprove,R\nReview,A\n")
    assert error.line == 4
    assert error.message == "activity 'Review' has a second row (the first is on line 2)"


def test_given_a_role_column_twice_expect_an_error():
    assert csv_error("activity,PM,Sponsor,PM\n").message == "column 'PM' appears twice"


def test_given_a_bad_duration_expect_an_error_naming_the_column():
    error = csv_error("activity,PM,@signoff_due\nreview,R,two days\n")
    assert (error.line, error.message) == (
        2,
        "@signoff_due: 'two days' is not an ISO-8601 duration such as P2D, PT4H or P1DT12H",
    )


def test_given_a_bad_boolean_expect_an_error():
    error = csv_error("activity,PM,@advisory\nreview,R,maybe\n")
    assert error.message == (
        "@advisory: 'maybe' is not true or false (use true, false, yes, no, 1 or 0)"
    )


def test_given_more_cells_than_columns_expect_an_error():
    assert csv_error("activity,PM\nreview,R,A\n").message == "3 cells, but the header has 2 columns"


def test_given_a_file_over_256_kib_expect_it_refused_unread():
    error = csv_error("activity,PM\n" + "x" * 256 * 1024)
    assert str(error) == "approval.raci.csv: file is larger than the 256 KiB limit"


def test_given_bytes_that_are_not_utf8_expect_an_error():
    with pytest.raises(MatrixFormatError, match="not UTF-8"):
        load_matrix("approval.raci.csv", "activity,Διευθυντής\n".encode("iso-8859-7"))


# Durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P2D", timedelta(days=2)),
        ("PT4H", timedelta(hours=4)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("P1W", timedelta(weeks=1)),
        ("PT90M", timedelta(minutes=90)),
        ("PT1.5S", timedelta(seconds=1.5)),
        (" p1d ", timedelta(days=1)),
    ],
)
def test_given_an_iso_duration_expect_its_timedelta(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P1M", "P1Y", "P1Y2M3D"])
def test_given_months_or_years_expect_an_error_saying_why(text):
    with pytest.raises(ValueError, match="months and years have no fixed length"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["", "P", "PT", "2D", "P2DT", "P-1D", "PT1H2D"])
def test_given_no_duration_expect_an_error(text):
    with pytest.raises(ValueError, match="is not an ISO-8601 duration"):
        parse_duration(text)


def test_given_a_zero_duration_expect_an_error():
    with pytest.raises(ValueError, match="longer than zero"):
        parse_duration("PT0S")


# YAML

CREDIT_YAML = """\
process: credit_limit_change
roles: [bd, credit_controller, finance_manager, sales_manager]
defaults: {self_approval: false, advisory: false, signoff_due: P2D}
activities:
  - activity: analyse_credit
    raci: {credit_controller: R, finance_manager: A, bd: C, sales_manager: I}
    advisory: true
    signoff_due: P1D
  - activity: approve_limit
    raci: {finance_manager: A/R}
    self_approval: yes
"""


def test_given_yaml_expect_rows_in_the_declared_column_order_with_defaults_overridden():
    matrix = load_matrix("credit_limit_change.raci.yaml", CREDIT_YAML)

    assert matrix.roles == ("bd", "credit_controller", "finance_manager", "sales_manager")
    analyse, approve = matrix.rows
    assert list(analyse.cells) == list(matrix.roles)
    assert analyse.accountable == "finance_manager"
    assert analyse.rules == ActivityRules(advisory=True, signoff_due=timedelta(days=1))
    assert analyse.line == 5
    assert approve.cells["finance_manager"] == {Letter.A, Letter.R}
    assert approve.cells["bd"] == frozenset()
    assert approve.rules == ActivityRules(self_approval=True, signoff_due=timedelta(days=2))


def test_given_yaml_without_roles_expect_columns_in_order_of_first_appearance():
    matrix = load_matrix(
        "credit_limit_change.raci.yml",
        "activities:\n"
        "  - {activity: a, raci: {sales: R, finance: A}}\n"
        "  - {activity: b, raci: {bd: I, sales: R}, signoff_due: null}\n",
    )
    assert matrix.roles == ("sales", "finance", "bd")
    assert matrix.rows[1].rules.signoff_due is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "activities: [\n",
            2,
            "not valid YAML (expected the node content, but found '<stream end>')",
        ),
        (
            "- just a list\n",
            None,
            "the file must be a mapping of process, roles, defaults, levels, scopes, defects, activities",
        ),
        (
            "process: approval\nactivities: []\n",
            1,
            "process 'approval' is not 'credit_limit_change' as the file name says",
        ),
        ("activities: {a: R}\n", 1, "'activities' must be a list of rows"),
        (
            "activities:\n  - activity: a\n    raci: [R]\n",
            2,
            "'raci' must map role names to letters, e.g. {bd: C, finance_manager: A}",
        ),
        (
            "activities:\n  - activity: a\n    owner: bd\n",
            2,
            "unknown key owner (known: activity, raci, authority, assign_to, scopes, self_approval,"
            " advisory, signoff_due)",
        ),
        (
            "activities:\n  - activity: a\n    advisory: maybe\n",
            2,
            "activity 'a': advisory: 'maybe' is not true or false (use true, false, yes, no, 1 or 0)",
        ),
        (
            "defaults: {signoff_due: P1M}\nactivities: []\n",
            1,
            "defaults: signoff_due: 'P1M': months and years have no fixed length; use weeks or days",
        ),
        (
            "activities:\n  - activity: a\n    signoff_due: 2\n",
            2,
            "activity 'a': signoff_due: 2 is not an ISO-8601 duration such as P2D",
        ),
        (
            "roles: [bd]\nactivities:\n  - activity: a\n    raci: {bd: R, sales: A}\n",
            3,
            "role 'sales' is not in the 'roles' list",
        ),
        (
            "activities:\n  - activity: a\n    raci: {bd: Q}\n",
            2,
            "'Q' is not a RACI cell (use R, A, C, I or e.g. A/R)",
        ),
        (
            "activities:\n  - {activity: a}\n  - {activity: A}\n",
            3,
            "activity 'A' has a second row (the first is on line 2)",
        ),
        (
            "activities:\n  - raci: {bd: R}\n",
            2,
            "each row needs an 'activity' (its BPMN id or name)",
        ),
    ],
)
def test_given_bad_yaml_expect_the_line_and_fault_named(text, line, message):
    error = yaml_error(text)
    assert (error.line, error.message) == (line, message)


def test_given_levels_and_an_authority_expect_them_on_the_matrix_and_the_row():
    matrix = load_matrix(
        "credit_limit_change.raci.yaml",
        "levels: [credit_controller, cfo]\n"
        "activities:\n"
        "  - activity: analyse\n"
        "    raci: {credit_controller: R/A}\n"
        "    authority: {decided_by: level, reads: {requested_limit: approved_limit}}\n"
        "  - {activity: request, raci: {bd: R/A}}\n",
    )
    assert matrix.levels == ("credit_controller", "cfo")
    assert matrix.rows[0].rules.authority == Authority(
        "level", (("requested_limit", "approved_limit"),)
    )
    assert matrix.rows[1].rules.authority is None


@pytest.mark.parametrize(
    ("authority", "message"),
    [
        ("{reads: {a: b}}", "'authority' needs 'decided_by'"),
        ("{decided_by: level, reads: [a, b]}", "'reads' must map table inputs to fields"),
        ("{decided_by: level, by: cfo}", "unknown key by (known: decided_by, reads)"),
        ("cfo", "'authority' must be a mapping of decided_by, reads"),
    ],
)
def test_given_a_bad_authority_expect_the_fault_named(authority, message):
    text = f"activities:\n  - activity: a\n    raci: {{x: R/A}}\n    authority: {authority}\n"
    assert message in yaml_error(text).message


def test_given_levels_naming_a_role_twice_expect_an_error():
    error = yaml_error("levels: [cfo, cfo]\nactivities: []\n")
    assert error.message == "'levels' names a role twice"
