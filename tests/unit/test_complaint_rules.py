"""The complaint rules that need no database: SLAs, amounts, numbering, what is written down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workflows.complaint_rules import (
    check_contact_time,
    check_credit,
    contact_text,
    has_cents_at_most,
    next_credit_note_number,
    parse_sla,
    resolution_text,
)

OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "sla"),
    [
        ("PT24H", timedelta(hours=24)),
        ("P3D", timedelta(days=3)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("PT90M", timedelta(minutes=90)),
        (" PT8H ", timedelta(hours=8)),
        ("P30D", timedelta(days=30)),
    ],
)
def test_an_sla_is_days_hours_or_minutes(text, sla):
    assert parse_sla(text) == sla


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "P3DT", "24h", "3 days", "P1M", "P1Y", "PT-4H", "P1W", "pt24h", None]
)
def test_anything_else_is_not_an_sla(text):
    with pytest.raises(ValueError, match="is not a duration"):
        parse_sla(text)


@pytest.mark.parametrize("text", ["P0D", "PT0H", "P31D", "PT745H"])
def test_an_sla_is_more_than_nothing_and_at_most_a_month(text):
    with pytest.raises(ValueError, match="at most 30 days"):
        parse_sla(text)


@pytest.mark.parametrize(
    ("amount", "ok"), [(10, True), (10.5, True), (0.01, True), (120.50, True), (12.345, False)]
)
def test_an_amount_has_at_most_two_decimals(amount, ok):
    assert has_cents_at_most(amount) is ok


def test_a_credit_may_equal_the_claim():
    check_credit(120.50, 120.50)


@pytest.mark.parametrize(
    ("amount", "claimed", "message"),
    [
        (120.51, 120.50, "exceeds the claimed 120.50"),
        (0, 120.50, "must be positive"),
        (-1, 120.50, "must be positive"),
        (10, None, "only a complaint with a claimed amount"),
    ],
)
def test_a_credit_is_positive_and_within_the_claim(amount, claimed, message):
    with pytest.raises(ValueError, match=message):
        check_credit(amount, claimed)


def test_credit_notes_are_numbered_per_year():
    assert next_credit_note_number(2026, None) == "CN-2026-000001"
    assert next_credit_note_number(2026, "CN-2026-000041") == "CN-2026-000042"
    assert next_credit_note_number(2026, "CN-2026-999999") == "CN-2026-1000000"


@pytest.mark.parametrize("last", ["CN-2025-000007", "CN-2026-00A", "INV-2026-000001"])
def test_a_foreign_last_number_is_refused(last):
    with pytest.raises(ValueError, match="is not a credit note number of 2026"):
        next_credit_note_number(2026, last)


def test_the_resolution_is_the_handlers_words_the_outcome_is_the_status():
    assert resolution_text("accepted", " Two cases replaced ") == "Two cases replaced"
    with pytest.raises(ValueError, match="outcome must be one of"):
        resolution_text("maybe", "Two cases replaced")


def test_the_contact_says_how_when_with_whom_and_who_wrote_it():
    text = contact_text("phone", OPENED, " Μαρία ", "Told her the news ", "sofia.cs")
    assert (
        text
        == "2026-11-02T09:00+00:00 by phone with Μαρία (recorded by sofia.cs): Told her the news"
    )
    with pytest.raises(ValueError, match="channel must be one of"):
        contact_text("pigeon", OPENED, "Μαρία", "Told her", "sofia.cs")


def test_the_customer_is_told_between_opening_and_now():
    now = OPENED + timedelta(hours=5)
    check_contact_time(OPENED, OPENED, now)
    check_contact_time(now, OPENED, now)
    with pytest.raises(ValueError, match="before the complaint was opened"):
        check_contact_time(OPENED - timedelta(minutes=1), OPENED, now)
    with pytest.raises(ValueError, match="in the future"):
        check_contact_time(now + timedelta(minutes=1), OPENED, now)


def test_the_minute_the_complaint_was_opened_counts():
    """A contact typed to the minute, in the minute of opening, is not before the opening."""
    opened = OPENED + timedelta(seconds=48)
    check_contact_time(OPENED, opened, opened + timedelta(seconds=5))
    with pytest.raises(ValueError, match="before the complaint was opened"):
        check_contact_time(OPENED - timedelta(minutes=1), opened, opened)
