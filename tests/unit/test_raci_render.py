"""A matrix shows as a text chart, as JSON-ready rows, and as a CSV file that loads back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raci.loading import load_matrix, parse_duration
from raci.matrix import ActivityRow, ActivityRules, Letter, RaciMatrix
from raci.render import as_csv, as_rows, as_text_table, format_duration

CREDIT_CSV = """\
activity,credit_controller,finance_manager,bd,@advisory,@signoff_due
analyse_credit,R,A,C,true,P2D
approve_limit,,A/R,I,,
"""


def credit_matrix() -> RaciMatrix:
    return load_matrix("credit_limit_change.raci.csv", CREDIT_CSV)


def test_given_a_matrix_expect_an_aligned_chart_with_its_flags():
    assert as_text_table(credit_matrix()) == (
        "activity        credit_controller  finance_manager  bd  flags\n"
        "--------------  -----------------  ---------------  --  ----------------------\n"
        "analyse_credit  R                  A                C   advisory, sign-off P2D\n"
        "approve_limit                      R/A              I\n"
    )


def test_given_no_flags_set_expect_no_flags_column():
    matrix = load_matrix("p.raci.csv", "activity,PM,Sponsor\nDefine the Scope,R,A\n")
    assert as_text_table(matrix).splitlines()[0] == "activity          PM  Sponsor"


def test_given_every_flag_expect_all_named():
    rules = ActivityRules(self_approval=True, advisory=True, signoff_due=timedelta(hours=4))
    row = ActivityRow("review", {"PM": frozenset({Letter.R})}, rules)
    table = as_text_table(RaciMatrix("p", ("PM",), (row,)))
    assert table.splitlines()[2] == "review    R   self-approval, advisory, sign-off PT4H"


def test_given_a_matrix_expect_json_ready_rows_with_only_given_cells():
    assert as_rows(credit_matrix()) == [
        {
            "activity": "analyse_credit",
            "cells": {"credit_controller": "R", "finance_manager": "A", "bd": "C"},
            "self_approval": False,
            "advisory": True,
            "signoff_due": "P2D",
        },
        {
            "activity": "approve_limit",
            "cells": {"finance_manager": "R/A", "bd": "I"},
            "self_approval": False,
            "advisory": False,
            "signoff_due": None,
        },
    ]


def test_given_a_matrix_expect_csv_with_only_the_flag_columns_used():
    assert as_csv(credit_matrix()) == (
        "activity,credit_controller,finance_manager,bd,@advisory,@signoff_due\n"
        "analyse_credit,R,A,C,true,P2D\n"
        "approve_limit,,R/A,I,false,\n"
    )


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(days=2), "P2D"),
        (timedelta(hours=4), "PT4H"),
        (timedelta(days=1, hours=2), "P1DT2H"),
        (timedelta(weeks=2), "P14D"),
        (timedelta(minutes=90), "PT1H30M"),
        (timedelta(seconds=1.5), "PT1.5S"),
        (timedelta(0), "PT0S"),
    ],
)
def test_given_a_duration_expect_its_iso_form(duration, text):
    assert format_duration(duration) == text


def test_given_a_negative_duration_expect_an_error():
    with pytest.raises(ValueError, match="negative"):
        format_duration(timedelta(hours=-1))


@given(st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=400)))
def test_any_positive_duration_reads_back_from_its_iso_form(duration):
    duration = timedelta(seconds=round(duration.total_seconds()))  # files give whole seconds
    assert parse_duration(format_duration(duration)) == duration


NAMES = st.text(st.sampled_from("abcxyz ΑΒΓαβγ.,&'\"-"), min_size=1, max_size=10).map(str.strip)
ROLE_NAMES = NAMES.filter(bool)
ACTIVITY_NAMES = NAMES.filter(bool)
RULES = st.builds(
    ActivityRules,
    st.booleans(),
    st.booleans(),
    st.none() | st.integers(1, 10**7).map(lambda s: timedelta(seconds=s)),
)


@st.composite
def matrices(draw: st.DrawFn) -> RaciMatrix:
    roles = tuple(draw(st.lists(ROLE_NAMES, unique=True, max_size=5)))
    activities = draw(st.lists(ACTIVITY_NAMES, unique_by=str.casefold, max_size=6))
    rows = tuple(
        ActivityRow(
            activity,
            {role: draw(st.frozensets(st.sampled_from(list(Letter)))) for role in roles},
            draw(RULES),
        )
        for activity in activities
    )
    return RaciMatrix("credit_limit_change", roles, rows, "credit_limit_change.raci.csv")


@given(matrices())
def test_any_matrix_loads_back_equal_from_its_csv(matrix):
    loaded = load_matrix(matrix.source, as_csv(matrix))

    assert loaded.roles == matrix.roles
    assert tuple(replace(row, line=None) for row in loaded.rows) == matrix.rows
