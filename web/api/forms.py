"""A task's form (a marshmallow schema of workflows/forms) as a JSON list of fields.

API clients build their input screens from it; the engine still validates what
they send through the same schema.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from workflows.forms import schema_for

TYPES: tuple[tuple[type[fields.Field], str], ...] = (
    # Most specific first: Email is a String, AwareDateTime a DateTime, ...
    (fields.Email, "email"),
    (fields.String, "string"),
    (fields.Boolean, "boolean"),
    (fields.Integer, "integer"),
    (fields.Number, "number"),
    (fields.DateTime, "datetime"),
    (fields.Date, "date"),
    (fields.Nested, "object"),
    (fields.List, "list"),
)


def form_fields(process_id: str, element: str) -> list[dict[str, Any]] | None:
    """The fields of a task's form (element "start": the start form), or None without one."""
    schema = schema_for(process_id, element)
    return describe(schema) if schema is not None else None


def describe(schema: Schema) -> list[dict[str, Any]]:
    return [_field(name, field) for name, field in schema.fields.items() if not field.dump_only]


def _field(name: str, field: fields.Field) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": field.data_key or name,
        "type": next((kind for cls, kind in TYPES if isinstance(field, cls)), "any"),
        "required": field.required,
    }
    for rule in field.validators:
        described.update(_rule(rule))
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        described["fields"] = describe(field.schema)
    if isinstance(field, fields.List):
        described["item"] = _field("item", field.inner)
    return described


def _rule(rule: Any) -> dict[str, Any]:
    if isinstance(rule, validate.OneOf):
        return {"choices": [_plain(choice) for choice in rule.choices]}
    if isinstance(rule, validate.Range):
        bounds = (("min", rule.min), ("max", rule.max))
        return {k: _plain(v) for k, v in bounds if v is not None}
    if isinstance(rule, validate.Length):
        bounds = (("min_length", rule.min), ("max_length", rule.max))
        return {k: v for k, v in bounds if v is not None}
    if isinstance(rule, validate.Regexp):
        return {"pattern": rule.regex.pattern}
    return {}


def _plain(value: Any) -> Any:
    """A JSON value as is; anything else (a date bound) as its ISO text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
