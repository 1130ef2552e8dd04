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
            found.append(Warning(title, "; ".join(reasons) or None, blocking=True))
    return sorted(found, key=lambda w: not w.blocking)


def without_warnings(case: Mapping[str, Any]) -> dict[str, Any]:
    """`case` without the anomaly lists `warnings` shows at the top."""
    return {
        key: (
            {k: v for k, v in value.items() if k != "anomalies"}
            if isinstance(value, Mapping)
            else value
        )
        for key, value in case.items()
        if key != "anomalies"
    }


def _records(case: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [case, *(v for v in case.values() if isinstance(v, Mapping))]


def _anomaly(anomaly: Mapping[str, Any]) -> Warning:
    code = str(anomaly.get("code") or "")
    title = str(ANOMALIES[code]) if code in ANOMALIES else gettext(code.replace("_", " "))
    line = anomaly.get("line_no")
    return Warning(
        title=title,
        detail=anomaly.get("message") or None,
        blocking=bool(anomaly.get("hard")),
        line=line if isinstance(line, int) else None,
    )
