"""Known values a text input offers as the user types (an HTML datalist): product codes
on the order forms, with their names, so nobody has to know the codes. A short list (the
warehouses) is a select instead (`choose_from`): a clerk typed "Αθήνα" for "ATH".

A suggested input stays free text, checked on submit as before (a discontinued or
unknown code gets its record check); the list only saves looking codes up.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.tables import assets, products, warehouses

from .services import engine
from .vocabulary import term

Choices = list[tuple[str, str]]  # (code, what the person reads)


def _products(session: Session) -> Choices:
    query = (
        select(products.c.code, products.c.name)
        .where(products.c.discontinued.is_(False))
        .order_by(products.c.code)
    )
    return [(code, f"{code} · {name}") for code, name in session.execute(query)]


def _warehouses(session: Session) -> Choices:
    query = select(warehouses.c.code, warehouses.c.name).order_by(warehouses.c.code)
    return [(code, f"{code} · {name}") for code, name in session.execute(query)]


def _assets_in_stock(session: Session) -> Choices:
    """The units a technician may place: their serial and kind, in the reader's language."""
    query = (
        select(assets.c.serial, assets.c.type)
        .where(assets.c.status == "in_stock")
        .order_by(assets.c.serial)
    )
    return [(serial, f"{serial} · {term(kind)}") for serial, kind in session.execute(query)]


LISTS: dict[str, Callable[[Session], Choices]] = {
    "products": _products,
    "warehouses": _warehouses,
    "assets_in_stock": _assets_in_stock,
}


def suggestions(name: str) -> Choices:
    """The values of list `name`, read once per request."""
    cache: dict[str, Choices] = g.setdefault("suggestions", {})
    if name not in cache:
        uow = engine().uow()
        with uow.read_only():
            cache[name] = LISTS[name](uow.session)
    return cache[name]
