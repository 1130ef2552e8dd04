"""The roll-up's calendar blocks: a period is read as the fewest whole blocks, every day
exactly once; a block is rebuilt after the parts it adds up."""

from __future__ import annotations

from datetime import date

import pytest

from engine.analytics.spans import SPANS, covering, day_number, rebuilt


def days_of(blocks: dict[str, list[int]]) -> list[int]:
    return sorted(
        day
        for span, firsts in blocks.items()
        for first in firsts
        for day in range(first, SPANS[span].end(first))
    )


def d(text: str) -> int:
    return day_number(date.fromisoformat(text))


@pytest.mark.parametrize(
    ("since", "until"),
    [("2026-01-05", "2027-01-04"), ("2026-09-28", "2026-12-28"), ("2025-12-31", "2028-01-02"),
     ("2026-11-03", "2026-11-10"), ("2026-02-27", "2026-03-02"), ("2026-03-01", "2026-03-02")],
)  # fmt: skip
def test_every_day_of_a_period_is_read_once(since, until):
    assert days_of(covering(d(since), d(until))) == list(range(d(since), d(until)))


def test_a_year_from_a_monday_reads_three_dozen_blocks_not_365_days():
    blocks = covering(d("2026-01-05"), d("2027-01-04"))
    assert blocks["quarter"] == [d("2026-04-01"), d("2026-07-01"), d("2026-10-01")]
    assert blocks["month"] == [d("2026-02-01"), d("2026-03-01")]
    assert blocks["week"] == [d("2026-01-05"), d("2026-01-12"), d("2026-01-19")]
    assert len(blocks["day"]) == 6 + 3  # 26-31 January; 1-3 January 2027
    assert covering(d("2026-01-01"), d("2027-01-01")) == {"year": [d("2026-01-01")]}


def test_weeks_are_read_only_within_a_month():
    blocks = covering(d("2026-06-29"), d("2026-07-06"))  # Monday to Monday across July
    assert "week" not in blocks and len(blocks["day"]) == 7


def test_blocks_are_rebuilt_after_their_parts():
    def order(first: str, end: str) -> list[tuple[str, int]]:
        return [(span.name, start) for span, start in rebuilt(d(first), d(end))]

    assert order("2026-03-10", "2026-03-11") == [
        ("week", d("2026-03-09")),
        ("month", d("2026-03-01")),
        ("quarter", d("2026-01-01")),
        ("year", d("2026-01-01")),
    ]
    # 30 March - 5 April crosses a month: never read, so not kept.
    assert [span for span, _ in order("2026-03-30", "2026-04-01")] == ["month", "quarter", "year"]
