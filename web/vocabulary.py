"""The one lookup of the codes people see as words: role names and enum values.

A role id (`cs_agent`) becomes its name in the reader's language; an enum value or a
decision outcome (`approve`, `placement`, `Increase`, `awaiting_signoff`) becomes a word.
Templates use the `role` and `term` filters; messages (web/i18n.py) and the trail use
these functions. A value that is a role id reads as the role (a DMN level table's
outcome names the role that signs).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

ROLES = {
    "bd": _l("Business developer"),
    "call_agent": _l("Call agent"),
    "cs_agent": _l("Customer service agent"),
    "cs_supervisor": _l("Customer service supervisor"),
    "credit_controller": _l("Credit controller"),
    "finance_manager": _l("Finance manager"),
    "cfo": _l("Chief financial officer"),
    "sales_manager": _l("Sales manager"),
    "trade_marketing": _l("Trade marketing"),
    "technician": _l("Equipment technician"),
    "service_manager": _l("Technical service manager"),
    "master_data": _l("Master data steward"),
    "logistics": _l("Logistics and warehouse"),
    "process_owner": _l("Process owner"),
    "process_approver": _l("Process approver"),
    "auditor": _l("Auditor"),
    "analyst": _l("Process analyst"),
    "admin": _l("Administrator"),
}

# Values whose words are not the code with '_' as ' ' (those need no entry here).
TERMS = {
    "awaiting_signoff": _l("awaiting sign-off"),
    "blocked_credit": _l("blocked for credit"),
    "blocked_stock": _l("blocked for stock"),
    "cfo_by_increase": _l("CFO, for the size of the increase"),
    "Increase": _l("increase"),
    "Decrease": _l("decrease"),
    "customer_bd": _l("the customer's own BD"),  # an audience scope (docs/raci.md)
    "True": _l("yes"),
    "False": _l("no"),
}


def role_name(role: str | None) -> str:
    """A role id as its name in the reader's language; an unknown id as written."""
    if not role:
        return ""
    found = ROLES.get(role)
    return str(found) if found is not None else role.replace("_", " ")


def role_names(roles: Any) -> str:
    return ", ".join(role_name(r) for r in roles) if roles else ""


def term(value: Any) -> Any:
    """An enum value or outcome as a word in the reader's language; other values unchanged."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if not isinstance(value, str) or not value:
        return value
    if value in ROLES:
        return role_name(value)
    if value in TERMS:
        return str(TERMS[value])
    from .display_labels import CODES  # the codes of process data (web/display_labels.py)

    if value in CODES:
        return str(CODES[value])
    words = value.replace("_", " ")
    found = gettext(words)
    if found == words and _CAMEL.fullmatch(words):  # a BPMN kind the catalog does not word
        return _CAMEL_HUMP.sub(lambda hump: " " + hump.group().lower(), words)  # "user task"
    if found == words and words != words.lower():
        found = gettext(words.lower())
    return found


_CAMEL = re.compile(r"[a-z]+(?:[A-Z][a-z]+)+")  # userTask, businessRuleTask
_CAMEL_HUMP = re.compile(r"[A-Z]")
