"""What the signer of a task signs beyond the submitted work: the change it lets through.

The R of a sensitive data change submits a justification; what master data signs is
the change itself, which an earlier service step found in the request. A credit
controller's analysis recommends a limit; what its signer lets through is the
customer's credit limit becoming it. The sign-off card shows the change beside the
submitted work, each field as it is now and as it will be, so that nobody signs what
they were not shown.
"""

from __future__ import annotations

from typing import Any

# (process, task) -> the path in the case data of the change its A signs.
SIGNED_CHANGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("customer_data_change", "submit_sensitive_change"): ("sensitive_check", "pending"),
}


# (process, task) -> (record field -> the submitted field it becomes once signed, and the
# submitted answer under which it does: a declined increase changes nothing).
ANALYSES = ("analyse_controller", "analyse_finance", "analyse_cfo")
RECOMMENDED_LIMIT = ({"credit_limit": "approved_limit"}, ("recommendation", "approve"))
SUBMITTED_CHANGES: dict[tuple[str, str], tuple[dict[str, str], tuple[str, str]]] = {
    ("credit_limit_change", task): RECOMMENDED_LIMIT for task in ANALYSES
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


# (process, record field) -> where the case data holds what was asked for: shown only the
# value now and once signed, a signer let a limit four times the request through.
ASKED_FOR: dict[tuple[str, str], tuple[str, ...]] = {
    ("credit_limit_change", "credit_limit"): ("requested_limit",),
}


def beyond_asked(
    process_id: str, case: dict[str, Any], change: list[tuple[str, Any, Any]]
) -> list[tuple[str, Any]]:
    """(field, what was asked) for each field the signer sets above what the case asked
    for (`change` as `before_and_after` gives it)."""
    found = []
    for field, _now, after in change:
        path = ASKED_FOR.get((process_id, field))
        if path is None:
            continue
        asked: Any = case
        for part in path:
            asked = asked.get(part) if isinstance(asked, dict) else None
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (asked, after)
        )
        if numbers and after > asked:
            found.append((field, asked))
    return found


def submitted_change(
    process_id: str, element: str, submitted: dict[str, Any]
) -> dict[str, Any] | None:
    """The record's fields the submitted work of `element` sets once signed (None: none)."""
    fields, (answer, when) = SUBMITTED_CHANGES.get((process_id, element), ({}, ("", "")))
    if not fields or submitted.get(answer) != when:
        return None
    change = {field: submitted[source] for field, source in fields.items() if source in submitted}
    return change or None
