"""Fields a decision makes necessary: declared on the field, enforced here, shown by the page.

A field declared with `metadata=needed_when(outcome="fix")` is optional in general and
required when the form's `outcome` is "fix"; the other paths (cancel, confirm) do not ask
for it. The web page reads the same metadata (web/form_render.py) to mark the input
required only while that choice is made, so one declaration drives both.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, post_load, validates_schema

NEEDED = "needed for the choice you made"  # beside the input the choice needs


def needed_when(*, error: str = NEEDED, **choices: str | tuple[str, ...]) -> dict[str, Any]:
    """Field metadata: needed when each named field holds (one of) the given value(s);
    `error` is what the form says when it is missing."""
    return {
        "needed_when": {
            field: (values,) if isinstance(values, str) else tuple(values)
            for field, values in choices.items()
        },
        "needed_error": error,
    }


def conditions(metadata: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The `needed_when` conditions of a field's metadata ({} when it has none)."""
    return dict(metadata.get("needed_when") or {})


def is_blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | dict | tuple) and not value)


class Form(Schema):
    """A task form whose decision fields say what else they need (see `needed_when`)."""

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def what_the_decision_needs(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        # Judged on what was sent, so that a value refused for its own reason gets one message.
        sent = original if isinstance(original, dict) else {}
        missing: dict[str, list[str]] = {}
        for name, field in self.load_fields.items():
            key = field.data_key or name
            when = conditions(field.metadata)
            if when and all(data.get(c) in v for c, v in when.items()) and is_blank(sent.get(key)):
                missing[key] = [field.metadata.get("needed_error", NEEDED)]
        if missing:
            raise ValidationError(missing)

    @post_load
    def without_unused_starting_values(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # A field that begins with the case's value (`starts_from`, web/form_prefill.py) was
        # not typed by the person: when their decision does not need it, it is not theirs.
        for name, field in self.load_fields.items():
            when = conditions(field.metadata)
            unused = when and not all(data.get(c) in v for c, v in when.items())
            if field.metadata.get("starts_from") and unused:
                data.pop(field.attribute or name, None)
        return data
