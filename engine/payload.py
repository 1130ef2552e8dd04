"""Checks every piece of data entering an instance must pass, whatever its form."""

from __future__ import annotations

import json
from typing import Any

from .errors import InvalidTaskData

MAX_PAYLOAD_BYTES = 256 * 1024
MAX_PAYLOAD_DEPTH = 32  # forms nest a few levels; thousands only ever exhaust the stack


def check_payload(data: Any, *, max_bytes: int = MAX_PAYLOAD_BYTES) -> dict[str, Any]:
    """Return `data` if it is a JSON object of bounded size whose keys scripts can use."""
    if not isinstance(data, dict):
        raise InvalidTaskData({"_schema": ["data must be a JSON object"]})
    errors: dict[str, list[str]] = {}
    for key in data:
        if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
            errors[str(key)] = ["field names must be identifiers not starting with '_'"]
    if too_deep(data):
        errors["_schema"] = [f"data is nested more than {MAX_PAYLOAD_DEPTH} levels deep"]
        raise InvalidTaskData(errors)
    try:
        size = len(json.dumps(data, allow_nan=False).encode("utf-8"))
    except (TypeError, ValueError) as err:
        errors["_schema"] = [f"data must be plain JSON: {err}"]
    else:
        if size > max_bytes:
            errors["_schema"] = [f"data is {size} bytes; the limit is {max_bytes} bytes"]
    if errors:
        raise InvalidTaskData(errors)
    return data


def too_deep(data: Any, limit: int = MAX_PAYLOAD_DEPTH) -> bool:
    """Whether lists and objects nest more than `limit` levels in `data` (no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False
