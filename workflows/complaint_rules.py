"""The business rules of customer complaints that need no database.

What a complaint may be, how long its SLA may be, how a resolution and the
customer contact are written down, and how credit notes are numbered.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

KINDS = ("broken_product", "bad_taste", "invoice_difference")
ROUTES = ("quality_check", "replacement", "finance_check")
OUTCOMES = ("accepted", "rejected")
CHANNELS = ("phone", "email", "visit", "sms")
OPENER_ROLES = ("bd", "call_agent", "cs_agent")  # who takes a complaint from a customer

# An SLA is hours or days, never months: "P3D", "PT24H", "P1DT12H", "PT90M".
_SLA = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
MAX_SLA = timedelta(days=30)  # a complaint left a month is no longer "resolved quickly"
CREDIT_NOTE_PREFIX = "CN"


def parse_sla(text: str) -> timedelta:
    """Return the SLA `text` (an ISO 8601 duration in days, hours, minutes) as a timedelta.

    Raise ValueError for anything else, so that a mistyped DMN cell stops the
    complaint with a clear message instead of starting a timer that never fires.
    """
    match = _SLA.match(text.strip()) if isinstance(text, str) else None
    if match is None or not any(match.groups()) or text.strip().endswith("T"):
        raise ValueError(f"SLA {text!r} is not a duration like PT24H or P3D")
    days, hours, minutes = (int(part or 0) for part in match.groups())
    sla = timedelta(days=days, hours=hours, minutes=minutes)
    if not timedelta(0) < sla <= MAX_SLA:
        raise ValueError(f"SLA {text!r} must be more than nothing and at most {MAX_SLA.days} days")
    return sla


def has_cents_at_most(amount: float) -> bool:
    """Whether `amount` is a money amount: no more than two decimals."""
    try:
        exponent = Decimal(str(amount)).as_tuple().exponent
    except InvalidOperation:
        return False
    return isinstance(exponent, int) and exponent >= -2


def check_credit(amount: float, claimed: float | None) -> None:
    """Refuse a credit note that is not positive or exceeds what the customer claimed.

    The sign-off level was chosen on the claimed amount, so crediting more
    would bypass the level the DMN asked for.
    """
    if amount <= 0:
        raise ValueError(f"a credit note must be positive, not {amount:.2f}")
    if claimed is None:
        raise ValueError("only a complaint with a claimed amount can be credited")
    if amount > claimed:
        raise ValueError(
            f"a credit note of {amount:.2f} exceeds the claimed {claimed:.2f};"
            " a larger difference needs a new complaint"
        )


def next_credit_note_number(year: int, last: str | None) -> str:
    """The credit note number after `last` in `year`: CN-2026-000001, CN-2026-000002, ..."""
    prefix = f"{CREDIT_NOTE_PREFIX}-{year}-"
    if last is None:
        return f"{prefix}000001"
    if not last.startswith(prefix) or not last[len(prefix) :].isdigit():
        raise ValueError(f"{last!r} is not a credit note number of {year}")
    return f"{prefix}{int(last[len(prefix) :]) + 1:06d}"


def resolution_text(outcome: str, text: str) -> str:
    """The resolution as stored: the handler's words. The outcome is the complaint's
    status, worded by the pages; a code in front of the words read as English in Greek."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    return text.strip()


def contact_text(
    channel: str, contacted_at: datetime, person: str, summary: str, recorded_by: str
) -> str:
    """How and when the customer was told, as stored on the complaint."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
    when = contacted_at.isoformat(timespec="minutes")
    return (
        f"{when} by {channel} with {person.strip()} (recorded by {recorded_by}): {summary.strip()}"
    )


def check_contact_time(contacted_at: datetime, opened_at: datetime, now: datetime) -> None:
    """Refuse a contact time before the complaint was opened or in the future.

    People type the time to the minute: the minute the complaint was opened counts.
    """
    if contacted_at < opened_at.replace(second=0, microsecond=0):
        raise ValueError(
            f"the customer cannot have been told at {contacted_at.isoformat()},"
            f" before the complaint was opened ({opened_at.isoformat()})"
        )
    if contacted_at > now:
        raise ValueError(f"the contact time {contacted_at.isoformat()} is in the future")
