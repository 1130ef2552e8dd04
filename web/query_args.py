"""Whole numbers read from a page's query string, bounded before they reach the database.

A number too large for the database's integers (`?page=99999999999999999999`) would
otherwise fail deep in the driver with a 500.
"""

from __future__ import annotations

from flask import request

MAX_PAGE = 100_000  # far past any list a person pages through
MAX_NUMBER = 2**31 - 1  # the database's INTEGER


def page_number() -> int:
    """The `page` argument: 1 when missing or unreadable, at most MAX_PAGE."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def number_arg(name: str) -> int | None:
    """A positive whole-number argument; None when missing, unreadable or out of range."""
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_NUMBER else None
