"""Inputs that name a person of a role: a select of the role's members, the proposal chosen.

A form field declares `metadata={"people_of": ROLE, "proposed": "case.path"}`
(workflows/forms): the page draws it as a select of the role's active members
(never free text, so a typo cannot send a job to nobody), with the proposal the
process carries (e.g. the least loaded technician) chosen when nothing else is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from marshmallow import Schema

from raci.directory import Directory
from raci.matrix import case_value

from .form_render import BoundForm


def with_people(
    form: BoundForm, schema: Schema | None, case: dict[str, Any], directory: Directory
) -> BoundForm:
    """`form` with each person field a select of its role, the proposal pre-filled."""
    if schema is None:
        return form
    declared = {
        f.data_key or name: f.metadata
        for name, f in schema.load_fields.items()
        if f.metadata.get("people_of")
    }
    if not declared:
        return form
    fields = []
    for f in form.fields:
        meta = declared.get(f.name)
        if meta is None:
            fields.append(f)
            continue
        members = directory.members(meta["people_of"])
        choices = tuple((name, _label(directory, name)) for name in members)
        fields.append(replace(f, kind="select", choices=choices))  # the page adds "Choose…"
        proposed = case_value(case, meta["proposed"]) if meta.get("proposed") else None
        if not form.value(f.name) and proposed in members:
            form.values[f.name] = str(proposed)
    form.fields = fields
    return form


def _label(directory: Directory, username: str) -> str:
    user = directory.users[username]
    return f"{user.name} ({username})" if user.name else username
