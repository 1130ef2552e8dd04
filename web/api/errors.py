"""Errors of the API: one JSON shape, `{"error": {"status", "code", "message", "fields"?}}`.

Engine errors already get it from web/errors.py. Here the HTTP errors raised
inside the API (webargs' 400/422, 401, 413, 429, ...) get it too, with the
validation messages by field, instead of flask-smorest's own payload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.exceptions import Forbidden, HTTPException

from web.errors import error_body, protocol_headers

MESSAGES = {
    401: "a valid API token is required: Authorization: Bearer <token>",
    413: "the request body is too large",
    422: "the request is invalid; see fields",
}


class ErrorDetail(Schema):
    status = fields.Integer(required=True, metadata={"description": "The HTTP status"})
    code = fields.String(
        required=True, metadata={"description": "A stable name, e.g. RaciRefusal, NotFound"}
    )
    message = fields.String(required=True)
    by_field = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages by field name (dotted for nested fields)"},
    )


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class ReauthenticationFailed(Forbidden):
    """The password given to sign off is not the signer's."""

    name = "Reauthentication Failed"
    description = "signing off needs your own password"


def documented(blueprint: Blueprint, *statuses: int) -> Callable[[Any], Any]:
    """Document the error answers of an endpoint (401 always) in the one error shape."""

    def decorator(view: Any) -> Any:
        for status in sorted({401, *statuses}, reverse=True):
            view = blueprint.alt_response(status, schema=Error)(view)
        return view

    return decorator


def handle_http_error(error: HTTPException) -> Any:
    """Answer an HTTP error raised in an API blueprint in the API's error shape."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    by_field = fields_of(data.get("messages")) if status == 422 else None
    code = (error.name or "Error").replace(" ", "")
    response = jsonify(error_body(status, code, _message(error, status, data), by_field))
    response.status_code = status
    response.headers.extend(protocol_headers(error))
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="raciflow"'
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


def _message(error: HTTPException, status: int, data: dict[str, Any]) -> str:
    if error.description != type(error).description:  # raised with its own message
        return error.description or ""
    if status == 400 and data:  # webargs could not parse the body
        return "the request body is not valid JSON"
    return MESSAGES.get(status, error.description or "")


def fields_of(messages: Any) -> dict[str, list[str]]:
    """Webargs messages, {location: {field: [...]}}, as {"field" or "a.b": [...]}."""
    flat: dict[str, list[str]] = {}
    for value in messages.values() if isinstance(messages, dict) else [messages]:
        flat.update(_flatten(value, ""))
    return flat


def _flatten(value: Any, name: str) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        messages = value if isinstance(value, list) else [value]
        return {name or "_schema": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, inner in value.items():
        flat.update(_flatten(inner, f"{name}.{key}" if name else str(key)))
    return flat
