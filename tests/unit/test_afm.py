"""The Greek tax id (ΑΦΜ) check: nine digits, the last a weighted check digit."""

from __future__ import annotations

import pytest

from workflows.afm import afm_problem, check_digit, complete_afm, is_valid_afm


@pytest.mark.parametrize(
    "afm",
    [
        "090000045",  # ΔΕΗ Α.Ε.
        "094019245",  # ΟΤΕ Α.Ε.
        "094014201",
        "997000000",  # a legal entity's range: a check digit of 0 from a remainder of 0
    ],
)
def test_known_valid_afms_pass(afm):
    assert afm_problem(afm) is None
    assert is_valid_afm(afm)


def test_a_remainder_of_ten_gives_check_digit_zero():
    # 1*256 + 9*2 = 274 = 24*11 + 10: the remainder 10 is written as 0
    assert check_digit("10000009") == 0
    assert is_valid_afm("100000090")
    assert afm_problem("100000091") == "the check digit does not match"


@pytest.mark.parametrize("afm", ["090000046", "094019240", "123456789", "100000099"])
def test_a_wrong_check_digit_is_refused(afm):
    assert afm_problem(afm) == "the check digit does not match"


@pytest.mark.parametrize(
    "afm",
    [
        "09000004",  # 8 digits
        "0900000450",  # 10 digits
        "",
        "09000004A",  # a letter
        "EL0900000",  # a country prefix is not part of the number
        "090 00004",  # a space inside
        "-90000045",
        "０９００００００４５",  # full-width digits are digits to Python, not to the tax office
        "٠٩٠٠٠٠٠٤٥",  # Arabic-Indic digits, likewise
    ],
)
def test_anything_but_nine_ascii_digits_is_refused(afm):
    assert afm_problem(afm) == "an AFM has exactly nine digits"
    assert not is_valid_afm(afm)


def test_all_zeros_is_refused_although_its_check_digit_matches():
    assert check_digit("00000000") == 0
    assert afm_problem("000000000") == "000000000 is not an AFM"


@pytest.mark.parametrize("first_eight", ["00000001", "12345678", "99999999", "10000009"])
def test_complete_afm_appends_the_check_digit_that_validates(first_eight):
    afm = complete_afm(first_eight)
    assert afm[:8] == first_eight
    assert len(afm) == 9
    assert is_valid_afm(afm)


def test_a_typo_in_the_check_digit_itself_is_always_caught():
    afm = "094019245"
    for digit in "0123456789":
        if digit != afm[-1]:
            assert not is_valid_afm(afm[:-1] + digit)


def test_the_known_blind_spot_remainders_zero_and_ten_share_check_digit_zero():
    # Both pass, one digit apart: why the processes also look for duplicates by name + address.
    assert is_valid_afm("100000090")  # remainder 10
    assert is_valid_afm("100000040")  # remainder 0
