"""Find customers, and a customer's cases, by what people type.

A customer is found by the start of its code, by words of its name in any order
("μητσου ψητοπωλειο" finds "Ψητοπωλείο του Μήτσου"), by its phone or a contact person's (as a
caller's number reads: spaces, dashes and +30 are ignored), or by its tax id (ΑΦΜ).

Names are compared folded (workflows.duplicates.fold: lower case, no accents, no
punctuation), on both sides: the stored `crm_customers.name_folded` and the typed
text, so "ταβερνα" and "Ταβέρνα" (or capitals) find the same shops, in SQL, the same
on SQLite and PostgreSQL. A case's business key is its customer's code, or (order
release) the order's number: both are selected.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, union_all

from engine.views.inbox_sections import KeySearch

from .contact_details import normalise_phone
from .duplicates import fold
from .tables import customer_contacts, customers, orders

MAX_TEXT = 200  # longer input is cut before it is folded


def name_pattern(text: str) -> str | None:
    """A LIKE pattern for names containing `text` folded (None when nothing is left)."""
    folded = fold(text[:MAX_TEXT])
    if not folded:
        return None
    return f"%{_literal(folded)}%"


def _literal(text: str) -> str:
    """`text` as a LIKE pattern matches it (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_TAX_ID = re.compile(r"[0-9]{9}")


def customers_matching(text: str) -> ColumnElement[bool] | None:
    """Which customers `text` names (see above); None when it names none (blank)."""
    text = text.strip()[:MAX_TEXT]
    if not text:
        return None
    matches = [customers.c.code.ilike(f"{_literal(text)}%", escape="\\")]
    if words := fold(text).split():
        matches.append(
            and_(*(customers.c.name_folded.like(f"%{_literal(w)}%", escape="\\") for w in words))
        )
    if (phone := normalise_phone(text)) is not None:
        contacts = select(customer_contacts.c.customer_id).where(customer_contacts.c.phone == phone)
        matches.append(or_(customers.c.phone == phone, customers.c.id.in_(contacts)))
    if _TAX_ID.fullmatch(text):
        matches.append(customers.c.afm == text)
    return or_(*matches)


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


def cases_named(text: str, case_id: Any, business_key: Any) -> ColumnElement[bool] | None:
    """The cases `text` names, for the case list (engine.views.oversight.CaseSearch): a
    customer's (found as above) by key, the releases of that customer's orders (their
    key is the order's number), and the cases that took an order of theirs or one whose
    number `text` starts (started without a key, by a terminal say)."""
    who = customers_matching(text)
    if who is None:  # nothing typed
        return None
    text = text.strip()[:MAX_TEXT]
    by_number = func.upper(orders.c.number).like(f"{_literal(text.upper())}%", escape="\\")
    took = select(orders.c.instance_id).join(customers, customers.c.id == orders.c.customer_id)
    codes = select(customers.c.code).where(who)
    numbers = select(orders.c.number).join(customers, customers.c.id == orders.c.customer_id)
    return or_(
        business_key.in_(union_all(codes, numbers.where(who))),
        case_id.in_(took.where(or_(who, by_number))),
    )
