"""A draft another version overtook can no longer be signed (engine.drafts.Draft)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.drafts import Draft, DraftStatus

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def draft(base: int | None, status: DraftStatus = DraftStatus.SUBMITTED) -> Draft:
    return Draft("d1", "credit_limit_change", "lena", {}, status, NOW, NOW, base_version=base)


@pytest.mark.parametrize(
    ("base", "latest", "expected"),
    [
        (1, 1, None),  # still the version in use
        (1, 2, 2),  # version 2 came after: signing would undo it
        (1, 3, 3),
        (None, 0, None),  # a new process, still not deployed
        (None, 1, 1),  # a new process someone else deployed meanwhile
    ],
)
def test_outdated_by_given_the_latest_version_expect_the_version_that_overtook_it(
    base, latest, expected
):
    assert draft(base).outdated_by(latest) == expected


def test_outdated_by_given_a_signed_draft_expect_none_it_became_a_version_itself():
    signed = draft(1, DraftStatus.APPROVED)
    assert signed.outdated_by(2) is None
