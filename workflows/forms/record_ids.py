"""The id of a CRM record a form names (a customer, an order)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

# The database's INTEGER: a larger id names nothing, and must not reach a query
# (SQLite overflows on it).
MAX_RECORD_ID = 2**31 - 1


def record_id(**kwargs: Any) -> fields.Integer:
    """A record's id as typed: a whole number from 1 to MAX_RECORD_ID."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_RECORD_ID), **kwargs)
