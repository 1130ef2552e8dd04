"""What a signature covers: a SHA-256 digest of the signed data in canonical JSON.

The digest is stored with the sign-off event, so the trail shows exactly which
data was signed; canonical JSON (RFC 8785) makes equal data give equal digests
whatever the key order or number spelling.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def digest(data: dict[str, Any]) -> str:
    """The hex SHA-256 of `data` in RFC 8785 canonical JSON."""
    return hashlib.sha256(rfc8785.dumps(data)).hexdigest()


def changed_fields(signed: dict[str, Any], change: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The signed fields `change` would give another value: field -> (signed, new)."""
    return {
        field: (signed[field], value)
        for field, value in change.items()
        if field in signed and digest({"v": signed[field]}) != digest({"v": value})
    }
