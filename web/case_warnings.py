"""What a task's data says must be acted on, pulled out to the top of its page.

The order check's anomalies and a credit block sit deep in the case data; an agent
has to see them before the form, not read them out of a dump. `warnings` finds
them; `without_warnings` is the case data left to show below, without repeating them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .display import local_time, money, number
from .display_labels import ANOMALIES


@dataclass(frozen=True)
class Warning:
    title: str
    detail: str | None = None
    blocking: bool = False
    line: int | None = None


def warnings(case: Mapping[str, Any]) -> list[Warning]:
    """The anomalies and blocks in `case` (at its top level or one record down), hard first."""
    found: list[Warning] = []
    for record in _records(case):
        for anomaly in record.get("anomalies") or []:
            if isinstance(anomaly, Mapping):
                found.append(_anomaly(anomaly))
        if record.get("blocked") is True:
            reasons = [r for r in record.get("reasons") or [] if isinstance(r, str)]
            title = gettext("Blocked for credit") if reasons else gettext("The customer is blocked")
            detail = _credit_words(record) or "; ".join(reasons) or None
            found.append(Warning(title, detail, blocking=True))
    return sorted(found, key=lambda w: not w.blocking)


def without_warnings(case: Mapping[str, Any]) -> dict[str, Any]:
    """`case` without what `warnings` shows at the top: the anomaly lists, and the reasons
    of a credit block (the check's English words; the warning says them in the reader's)."""
    shown_above = {"anomalies", "reasons"}
    return {
        key: (
            {k: v for k, v in value.items() if k not in shown_above}
            if isinstance(value, Mapping)
            else value
        )
        for key, value in case.items()
        if key not in shown_above
    }


def _credit_words(record: Mapping[str, Any]) -> str | None:
    """Why an order waits for credit control, from the check's figures, in the reader's
    words and numbers ("overdue balance of 777.52" read as English in Greek)."""
    figures = [record.get(k) for k in ("overdue_balance", "exposure", "credit_limit", "total")]
    if not all(isinstance(f, int | float) and not isinstance(f, bool) for f in figures):
        return None
    overdue, exposure, limit, total = figures
    said = []
    if overdue > 0:
        said.append(gettext("Overdue balance of %(amount)s.", amount=money(overdue)))
    if exposure + total > limit:
        said.append(
            gettext(
                "Exposure %(exposure)s and this order %(order)s exceed the credit limit %(limit)s.",
                exposure=money(exposure),
                order=money(total),
                limit=money(limit),
            )
        )
    return " ".join(said) or None


def _records(case: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [case, *(v for v in case.values() if isinstance(v, Mapping))]


def _anomaly(anomaly: Mapping[str, Any]) -> Warning:
    code = str(anomaly.get("code") or "")
    title = str(ANOMALIES[code]) if code in ANOMALIES else gettext(code.replace("_", " "))
    line = anomaly.get("line_no")
    return Warning(
        title=title,
        detail=_detail(code, anomaly),
        blocking=bool(anomaly.get("hard")),
        line=line if isinstance(line, int) else None,
    )


# What an order check found, in the reader's words; its figures as their locale writes them.
DETAILS = {
    "unknown_product": _l("%(product)s is not in the catalogue."),
    "discontinued_product": _l("%(product)s is no longer sold."),
    "possible_duplicate": _l("The same products as order %(order)s of %(placed_at)s."),
    "below_minimum": _l("The total %(total)s is below the minimum order of %(minimum)s."),
    "unusually_large": _l(
        "The total %(total)s is more than %(factor)s times the customer's average order"
        " (%(average)s)."
    ),
    "unusually_small": _l(
        "The total %(total)s is less than 1/%(factor)s of the customer's average order"
        " (%(average)s)."
    ),
    "price_above_list": _l("%(product)s at %(price)s, above its list price %(list_price)s."),
    "discount_above_policy": _l(
        "%(product)s is %(below)s%% below its list price (the policy allows %(most)s%%)."
    ),
}
MONEY = {"total", "minimum", "average", "price", "list_price"}
NUMBERS = {"factor", "below", "most"}


def _detail(code: str, anomaly: Mapping[str, Any]) -> str | None:
    if code in ANOMALIES and code not in DETAILS:  # its title says it all ("blocked")
        return None
    params = anomaly.get("params")
    if code not in DETAILS or not isinstance(params, Mapping):  # checked before params
        return anomaly.get("message") or None
    shown = {}
    for key, value in params.items():
        if key in MONEY:
            shown[key] = money(value)
        elif key in NUMBERS:
            shown[key] = number(value)
        elif key == "placed_at":
            shown[key] = local_time(value)
        else:
            shown[key] = str(value)
    try:
        return str(DETAILS[code]) % shown
    except (KeyError, TypeError, ValueError):  # params of another shape: the English text
        return anomaly.get("message") or None
