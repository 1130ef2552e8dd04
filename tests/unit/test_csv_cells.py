"""CSV cells: formula-like text is kept text; numbers stay numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from web.csv_cells import cell


@pytest.mark.parametrize(
    "typed", ["=HYPERLINK(evil)", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "-"]
)
def test_text_a_spreadsheet_would_run_is_kept_text(typed):
    assert cell(typed) == "'" + typed


@pytest.mark.parametrize(
    ("value", "written"),
    [(-5.53, "-5.53"), (Decimal("-12.50"), "-12.50"), (-3, "-3"), ("-5.53", "-5.53"), ("+7", "+7")],
)
def test_a_negative_number_stays_a_number(value, written):
    assert cell(value) == written


def test_records_are_json_and_nothing_is_empty():
    assert cell({"b": 1, "a": "Α"}) == '{"a": "Α", "b": 1}'
    assert cell(None) == ""
    assert cell(True) == "True"
