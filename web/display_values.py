"""Process data as HTML people read: records as label lists, lists of records as tables.

`show(value, key)` is the one way a page draws a stored value of unknown shape (the
case so far, submitted work, start data): never a Python or JSON repr. The key says
what a number is (money, a percentage, a count) and labels come from the form where
it has a field, else from web/display_labels.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from markupsafe import Markup, escape

from . import addresses, display, vocabulary
from .display_labels import LABELS

_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_MONEY = ("_limit", "_amount", "_balance", "_price", "_value", "_total")
MONEY_KEYS = frozenset(
    {"total", "amount", "exposure", "increase", "price", "available", "credited_on_invoice"}
)
PERSON_KEYS = frozenset(
    {"bd", "technician", "opened_by", "requested_by", "issued_by", "changed_by", "assignee"}
)
# Keys that are database ids: meaningless to people (a customer id shows as the customer).
HIDDEN = frozenset({"id", "order_id", "instance_id", "release_instance"})
# A table's first columns, in this order: what a row is before its figures. Stored records
# often come back with their keys sorted (JSON columns and the trail are canonical JSON),
# which would put an order line's discount before its product.
LEADING = ("line_no", "product_code", "code", "name", "description", "quantity")


def field_label(key: str, labels: Mapping[str, str] | None = None) -> str:
    """The label of a data key: the known one, else the form's, else its words.

    The known labels come first: a form's label is often just its field name in words
    ("Afm", "Discount pct"), fine beside an input but not what a record reads as.
    """
    if key in LABELS:
        return str(LABELS[key])
    if labels and key in labels:
        return gettext(labels[key])
    if "." in key:  # a username as a key (a technician's open jobs): the person's name
        return display.person(key)
    return gettext(key.replace("_", " ").capitalize())


def code_words(value: str) -> str:
    """A code ("call_agent", "placement") as words in the user's language (the one lookup
    of codes: web/vocabulary.py)."""
    return str(vocabulary.term(value))


def is_money(key: str | None) -> bool:
    return bool(key) and (key in MONEY_KEYS or key.endswith(_MONEY))


def is_blank(value: Any) -> bool:
    """Whether `value` holds nothing a reader could read: None, "", [] or {}."""
    return value is None or value == "" or value == [] or value == {}


def show(value: Any, key: str | None = None, labels: Mapping[str, str] | None = None) -> Markup:
    """`value` (stored under `key`) as HTML for people."""
    if is_blank(value):
        return Markup('<span class="muted">—</span>')
    if isinstance(value, bool):
        return escape(display.yesno(value))
    if key == "customer_id" and isinstance(value, int) and not isinstance(value, bool):
        return escape(display.customer(value))
    if isinstance(value, int | float | Decimal):
        return escape(_number(value, key))
    if isinstance(value, Mapping):
        if addresses.is_address(value):
            return addresses.address_html(value)
        return record(value, labels)
    if isinstance(value, list | tuple):
        if all(isinstance(item, Mapping) for item in value):
            return table(value, labels)
        return Markup(", ").join(show(item, key, labels) for item in value)
    return _text(str(value), key)


def record(data: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> Markup:
    """A record as a list of labelled values (ids left out)."""
    items = [
        Markup("<div><dt>{}</dt><dd>{}</dd></div>").format(
            field_label(key, labels), show(value, key, labels)
        )
        for key, value in data.items()
        if key not in HIDDEN and not (key == "customer_id" and "customer_name" in data)
    ]
    if not items:
        return Markup('<span class="muted">—</span>')
    return Markup('<dl class="data record">{}</dl>').format(Markup("").join(items))


def table(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str] | None = None) -> Markup:
    """Records as a table, one column per key some row fills (a card each on a phone)."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k, v in row.items() if k not in columns + list(HIDDEN) and _filled(v)]
    columns.sort(key=lambda c: LEADING.index(c) if c in LEADING else len(LEADING))
    heads = [field_label(column, labels) for column in columns]
    head = Markup("").join(Markup("<th>{}</th>").format(h) for h in heads)
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(
            Markup("").join(
                Markup('<td data-label="{}"{}>{}</td>').format(
                    h, _align(row.get(c), c), show(row.get(c), c, labels)
                )
                for c, h in zip(columns, heads, strict=True)
            )
        )
        for row in rows
    )
    return Markup(
        '<div class="records-wrap"><table class="cards records"><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table></div>"
    ).format(head, body)


def _text(value: str, key: str | None) -> Markup:
    if display.is_timestamp(value):
        return Markup('<time datetime="{}">{}</time>').format(value, display.local_time(value))
    if display.is_duration(value):
        return escape(display.duration(value))
    if key == "product_code":
        return escape(display.product(value))
    if key == "warehouse_code":
        return escape(display.warehouse(value))
    if key in PERSON_KEYS or (key is None and "." in value):
        named = display.person(value)
        if named != value:
            return escape(named)
    if _CODE.match(value) and (key not in ("code", "product_code", "name")):
        return escape(code_words(value))
    return escape(_catalogued(value))


def _catalogued(value: str) -> str:
    """A sentence the catalog knows in the reader's language, e.g. a decision table's
    outcome ("segment A: always eligible", web/babel_extract.py); other text as written."""
    if len(value) > _LONGEST_OUTCOME or "\n" in value:  # a person's text, not an outcome
        return value
    return gettext(value)


_LONGEST_OUTCOME = 200


def _number(value: Any, key: str | None) -> str:
    if is_money(key):
        return display.money(value)
    if key and key.endswith("_pct"):
        return f"{display.number(value)} %"
    return display.number(value)


def _filled(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _align(value: Any, key: str) -> Markup:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return Markup(' class="num"') if numeric else Markup("")
