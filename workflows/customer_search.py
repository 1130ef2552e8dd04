"""Find a customer's cases by what people type: the code, or any part of the name.

Names are compared folded (workflows.duplicates.fold: lower case, no accents, no
punctuation), on both sides: the stored `crm_customers.name_folded` and the typed
text, so "ταβερνα" and "Ταβέρνα" (or capitals) find the same shops, in SQL, the same
on SQLite and PostgreSQL. A case's business key is its customer's code, or (order
release) the order's number: both are selected.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, union_all

from engine.views.inbox_sections import KeySearch

from .duplicates import fold
from .tables import customers, orders

MAX_TEXT = 200  # longer input is cut before it is folded


def name_pattern(text: str) -> str | None:
    """A LIKE pattern for names containing `text` folded (None when nothing is left)."""
    folded = fold(text[:MAX_TEXT])
    if not folded:
        return None
    return "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _keys_by_name() -> object:
    named = customers.c.name_folded.like(bindparam("key_search"), escape="\\")
    codes = select(customers.c.code.label("key")).where(named)
    numbers = (
        select(orders.c.number.label("key"))
        .join(customers, customers.c.id == orders.c.customer_id)
        .where(named)
    )
    return select(union_all(codes, numbers).subquery().c.key)


CASES_BY_CUSTOMER_NAME = KeySearch(keys=_keys_by_name(), prepare=name_pattern)
