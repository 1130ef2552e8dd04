"""What the signer of a task signs beyond the submitted work: the change it lets through.

The R of a sensitive data change submits a justification; what master data signs is
the change itself, which an earlier service step found in the request. The sign-off
card shows it beside the justification, each field as it is now and as it will be,
so that nobody signs what they were not shown.
"""

from __future__ import annotations

from typing import Any

# (process, task) -> the path in the case data of the change its A signs.
SIGNED_CHANGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("customer_data_change", "submit_sensitive_change"): ("sensitive_check", "pending"),
}


def before_and_after(
    change: dict[str, Any], current: dict[str, Any] | None
) -> list[tuple[str, Any, Any]]:
    """(field, value now, value once signed) for each field of `change`; `current` is the
    record as it stands (None when it cannot be found: every "now" is then unknown)."""
    return [(field, (current or {}).get(field), new) for field, new in change.items()]


def signed_change(process_id: str, element: str, case: dict[str, Any]) -> dict[str, Any] | None:
    """The change the signer of `element` lets through, as the case data holds it."""
    path = SIGNED_CHANGES.get((process_id, element))
    value: Any = case if path else None
    for part in path or ():
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, dict) and value else None
