"""Where a case stops short of what it was for: the end events of a refusal, a decline,
a cancellation, by process.

BPMN says where a case ended, not whether that end is what the case was for: an
emergency order that customer service cancelled ended "completed" at "Order cancelled",
with the green badge of an order sent on its way, and the case list's "cancelled" did
not find it (that status is a case someone stopped). The deployment, which knows its
processes, says which ends fall short; the pages show those cases as closed, not
completed, and the case list filters them apart. An end not listed here (a new one a
process owner draws) reads as completed until it is.
"""

from __future__ import annotations

SHORT_ENDS: dict[str, frozenset[str]] = {
    "credit_limit_change": frozenset({"declined"}),
    "customer_onboarding": frozenset({"not_onboarded"}),
    "emergency_order": frozenset({"refused", "cancelled"}),
    "equipment_request": frozenset({"declined"}),
    "order_cleaning": frozenset({"cancelled"}),
    "order_release": frozenset({"cancelled", "nothing_to_deliver"}),
}


def fell_short(process_id: str | None, outcome: str | None) -> bool:
    """Whether a case of `process_id` that ended at `outcome` stopped short of its goal."""
    return outcome in SHORT_ENDS.get(process_id or "", frozenset())


def short_ends() -> tuple[tuple[str, str], ...]:
    """Every (process, end event) that falls short, for a query."""
    return tuple((process, end) for process, ends in SHORT_ENDS.items() for end in sorted(ends))
