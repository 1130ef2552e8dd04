"""A task's outcome: what its person decided, read from the data they submitted.

By convention the forms name it `decision`, `outcome`, `recommendation` or `action`,
or end its name in `_decision` (`credit_decision`, `emergency_decision`). Notices say
it: "signed off" alone told a BD that the entry master data had sent back was signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

OUTCOME_KEYS = ("decision", "outcome", "recommendation", "action")


def outcome_of(data: Mapping[str, Any] | None) -> str | None:
    """The code of what was decided (e.g. "return"), or None if the data holds none."""
    for key, value in (data or {}).items():
        named = key in OUTCOME_KEYS or key.endswith("_decision")
        if named and isinstance(value, str) and value.strip():
            return value
    return None
