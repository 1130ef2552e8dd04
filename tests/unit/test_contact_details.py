"""Greek phone numbers and postcodes as typed, and as stored."""

from __future__ import annotations

import pytest

from workflows.contact_details import format_address, normalise_phone, normalise_postcode


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2101234567", "2101234567"),
        ("210 123 4567", "2101234567"),
        ("210-1234567", "2101234567"),
        ("(210) 123.45.67", "2101234567"),
        ("+30 697 123 4567", "6971234567"),
        ("0030 2310 123456", "2310123456"),
        ("  6971234567 ", "6971234567"),
    ],
)
def test_greek_numbers_are_stored_as_ten_digits(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "210123456",  # nine digits
        "21012345678",  # eleven
        "1101234567",  # no Greek number starts with 1
        "6812345678",  # mobiles are 69...
        "+44 20 7946 0958",
        "210123456x",
        "２１０１２３４５６７",  # full-width digits
    ],
)
def test_anything_else_is_not_a_phone(typed):
    assert normalise_phone(typed) is None


@pytest.mark.parametrize(("typed", "stored"), [("10563", "10563"), ("105 63", "10563")])
def test_postcodes_are_stored_as_five_digits(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["", "1056", "105633", "09563", "95631", "1O563"])
def test_anything_else_is_not_a_postcode(typed):
    assert normalise_postcode(typed) is None


def test_an_address_on_one_line():
    address = {"street": "Ερμού 12", "city": "Αθήνα", "postcode": "10563"}
    assert format_address(address) == "Ερμού 12, 10563 Αθήνα"
    assert format_address(None) is None
