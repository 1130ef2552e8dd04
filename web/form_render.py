"""HTML forms from marshmallow schemas: which inputs to draw, and how to read them back.

A task's form (workflows/forms) is the single source of truth: `form_fields`
maps each field to an input (String/Email: text/email, long strings: textarea,
Integer/Float/Decimal: number with min/max from Range, Boolean: checkbox,
OneOf: select, Date: date, DateTime: datetime-local, a list of nested schemas:
repeated row groups, a list of plain values: one per line, anything else: a
JSON textarea). `BoundForm` carries the values and errors a template draws
next to each input; web/form_values.py reads submitted strings back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from workflows.forms.needed import conditions

from .form_values import MAX_ROWS, values_from_data

LONG_TEXT = 200  # strings allowed to be longer than this get a textarea
SPARE_ROWS = 1  # empty row groups drawn after the filled ones (static/rows.js adds more)


@dataclass(frozen=True)
class FormField:
    """One input: its name (the schema's data key), label, kind and constraints."""

    name: str
    label: str
    kind: str  # text email textarea number checkbox select date datetime rows group lines json
    value_type: str = "str"  # str int float decimal bool date datetime aware json
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    min: float | None = None
    max: float | None = None
    minlength: int | None = None
    maxlength: int | None = None
    help: str | None = None
    columns: tuple[FormField, ...] = ()  # the inputs of each row ("rows") or of the "group"
    # Required only while another field holds one of these values: ((field, (values...)),...)
    needed_when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    suggest: str | None = None  # a list of known values the input offers (web/suggestions.py)
    choose_from: str | None = None  # a short list whose values are the only ones: a select

    @property
    def step(self) -> str:
        return "1" if self.value_type == "int" else "any"

    @property
    def needed_when_json(self) -> str:
        """The `needed_when` conditions for static/forms.js: {"outcome": ["fix"]}."""
        return json.dumps({name: list(values) for name, values in self.needed_when})


def form_fields(schema: Schema) -> list[FormField]:
    """The inputs of `schema`, in declaration order (dump-only fields left out)."""
    return [_field(f.data_key or name, f) for name, f in schema.load_fields.items()]


def _field(name: str, f: fields.Field) -> FormField:
    base: dict[str, Any] = {
        "name": name,
        "label": f.metadata.get("label") or name.replace("_", " ").capitalize(),
        "required": bool(f.required),
        "help": f.metadata.get("description"),
        "needed_when": tuple(conditions(f.metadata).items()),
        "suggest": f.metadata.get("suggest"),
        "choose_from": f.metadata.get("choose_from"),
    }
    for check in f.validators:
        if isinstance(check, validate.Range):
            base.update(min=check.min, max=check.max)
        elif isinstance(check, validate.Length) and not isinstance(f, fields.List):
            # a list's Length counts its items, not the characters typed for them
            base.update(minlength=check.min, maxlength=check.max)
        elif isinstance(check, validate.OneOf):
            labels = list(check.labels) or [str(c).replace("_", " ") for c in check.choices]
            base["choices"] = tuple(
                (str(c), str(lbl)) for c, lbl in zip(check.choices, labels, strict=False)
            )
    value_type = _value_type(f)
    if (isinstance(f, fields.List) and isinstance(f.inner, fields.Nested)) or _many(f):
        nested = f.inner if isinstance(f, fields.List) else f
        return FormField(**base, kind="rows", value_type="rows", columns=_columns(nested))
    if isinstance(f, fields.Nested):  # one nested record (an address): its inputs, grouped
        columns = _columns(f)
        if not f.required:  # an optional record left blank is no record: no input required
            columns = tuple(replace(c, required=False) for c in columns)
        return FormField(**base, kind="group", value_type="group", columns=columns)
    if isinstance(f, fields.List) and _value_type(f.inner) in ("str", "int", "float"):
        return FormField(**base, kind="lines", value_type=_value_type(f.inner))
    if base.get("choices") and value_type in ("str", "int", "float", "decimal"):
        return FormField(**base, kind="select", value_type=value_type)
    return FormField(
        **base, kind=_kind(f, value_type, base.get("maxlength")), value_type=value_type
    )


def _many(f: fields.Field) -> bool:
    return isinstance(f, fields.Nested) and bool(f.many)


def _columns(nested: fields.Field) -> tuple[FormField, ...]:
    schema = nested.schema  # type: ignore[attr-defined]
    columns = tuple(form_fields(schema))
    # Nesting deeper is past what a hand-held form should hold: JSON instead.
    return tuple(
        replace(c, kind="json", value_type="json", columns=())
        if c.kind in ("rows", "lines", "group")
        else c
        for c in columns
    )


def _value_type(f: fields.Field) -> str:
    for kind, name in (
        (fields.Boolean, "bool"),
        (fields.Integer, "int"),
        (fields.Decimal, "decimal"),
        (fields.Number, "float"),
        (fields.AwareDateTime, "aware"),
        (fields.DateTime, "datetime"),
        (fields.Date, "date"),
        (fields.String, "str"),
    ):
        if isinstance(f, kind):
            return "date" if name == "str" and f.metadata.get("format") == "date" else name
    return "json"


def _kind(f: fields.Field, value_type: str, maxlength: int | None) -> str:
    if value_type == "str":
        if isinstance(f, fields.Email):
            return "email"
        return "textarea" if maxlength and maxlength > LONG_TEXT else "text"
    return {
        "bool": "checkbox",
        "int": "number",
        "float": "number",
        "decimal": "number",
        "date": "date",
        "datetime": "datetime",
        "aware": "datetime",
    }.get(value_type, "json")


@dataclass
class BoundForm:
    """A form's inputs with the values to show and the errors to show beside them."""

    fields: list[FormField]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    max_rows: int = MAX_ROWS

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def errors_for(self, key: str) -> list[str]:
        """The messages of input `key`, with those of its items when it takes a list
        ("release_lines.0": a line that is not a number belongs beside the whole box)."""
        items = [
            message
            for name, messages in self.errors.items()
            if name.startswith(f"{key}.") and name[len(key) + 1 :].isdigit()
            for message in messages
        ]
        return [*self.errors.get(key, []), *dict.fromkeys(items)]

    def rows(self, f: FormField) -> range:
        """Row indexes to draw: the filled ones, then one spare (without script, the way to
        add a row is to submit; a blank row is never required)."""
        prefix = f"{f.name}-"
        used = [
            int(key[len(prefix) :].split("-", 1)[0])
            for key, value in self.values.items()
            if key.startswith(prefix) and key[len(prefix) :].split("-", 1)[0].isdigit() and value
        ]
        return range(min(MAX_ROWS, max(used, default=-1) + 1 + SPARE_ROWS))

    def choice_labels(self, name: str, values: tuple[str, ...]) -> list[str]:
        """The labels a select shows for `values` of field `name` (for "needed when" hints)."""
        choices = dict(next((f.choices for f in self.fields if f.name == name), ()))
        return [choices.get(v, v.replace("_", " ")) for v in values]

    def suggested(self) -> list[str]:
        """The lists of known values this form's inputs offer (one datalist each)."""
        inputs = [c for f in self.fields for c in (f, *f.columns)]
        return sorted({f.suggest for f in inputs if f.suggest})

    def label_of(self, name: str) -> str:
        return next((f.label for f in self.fields if f.name == name), name)

    def general_errors(self) -> list[str]:
        """Messages that belong to no drawn input (the schema's own, or unknown fields)."""
        placed = {f.name for f in self.fields}
        return [
            f"{key}: {message}" if key != "_schema" else message
            for key, messages in self.errors.items()
            if key.split(".", 1)[0] not in placed
            for message in messages
        ]


def bind(
    schema: Schema | None,
    *,
    form: MultiDict[str, str] | None = None,
    data: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> BoundForm:
    """A form for `schema`: showing what was submitted (`form`) or stored (`data`)."""
    inputs = form_fields(schema) if schema is not None else []
    if form is not None:
        values = _compact_rows(inputs, form.to_dict())
    else:
        values = values_from_data(inputs, data)
    return BoundForm(inputs, values, dict(errors or {}))


def _compact_rows(inputs: list[FormField], values: dict[str, str]) -> dict[str, str]:
    """Number the filled rows 0, 1, 2... as parse_form does, so errors land on their row."""
    for f in inputs:
        if f.kind != "rows":
            continue
        cells = {c.name for c in f.columns}
        filled = [
            index
            for index in range(MAX_ROWS)
            if any(values.get(f"{f.name}-{index}-{c}", "").strip() for c in cells)
        ]
        old = {k: values.pop(k) for k in list(values) if k.startswith(f"{f.name}-")}
        for new, index in enumerate(filled):
            for c in cells:
                if f"{f.name}-{index}-{c}" in old:
                    values[f"{f.name}-{new}-{c}"] = old[f"{f.name}-{index}-{c}"]
    return values
