"""Inputs that begin with what the case already holds.

A form field may declare `metadata={"starts_from": "case.path"}`: on a task's first page
its inputs show that value of the case (the order's lines, for the corrected lines of a
flagged order), so that a person corrects instead of retyping. Work sent back keeps what
was submitted; a refused submit keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from raci.matrix import case_value

from .form_render import BoundForm
from .form_values import values_from_data


def starting_values(form: BoundForm, schema: Schema | None, case: dict[str, Any]) -> BoundForm:
    """`form` with each `starts_from` field's inputs filled from `case` where still empty."""
    if schema is None:
        return form
    for name, declared in schema.load_fields.items():
        path = declared.metadata.get("starts_from")
        name = declared.data_key or name
        if not path or _has_values(form, name):
            continue
        fields = [f for f in form.fields if f.name == name]
        form.values.update(values_from_data(fields, {name: case_value(case, path)}))
    return form


def _has_values(form: BoundForm, name: str) -> bool:
    return any(
        value.strip() and (key == name or key.startswith(f"{name}-"))
        for key, value in form.values.items()
    )
