"""Forms any process may use, for a task its process owner adds in the modeler.

A process's own forms are code, registered for a task id (workflows/forms/*.py), so a
task drawn in the browser has none until a developer writes one. A general form gives
it one at once: a task whose id begins with a general form's prefix uses that form, in
every process. The modeler's form picker names the task so (docs/forms.md).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

CHECK_PREFIX = "check_"


class CheckForm(Schema):
    """A check: the person responsible writes what they checked and found; the task's
    A signs it off like any other."""

    check_note = fields.String(required=True, validate=validate.Length(min=3, max=2000))


# prefix -> form; the longest matching prefix wins (one rule: `general_prefix`).
GENERAL_FORMS: dict[str, type[Schema]] = {CHECK_PREFIX: CheckForm}


def general_prefix(task_id: str) -> str | None:
    """The prefix of the general form a task id names, if any (the longest that fits)."""
    found = [p for p in GENERAL_FORMS if task_id.startswith(p) and len(task_id) > len(p)]
    return max(found, key=len) if found else None


def general_form(task_id: str) -> type[Schema] | None:
    """The general form a task id names by its prefix, if any."""
    prefix = general_prefix(task_id)
    return GENERAL_FORMS[prefix] if prefix else None
