"""Form values both ways: submitted strings into the types a schema loads, stored data
into the strings inputs show, and times as the staff read them (Greek time).

`parse_form` leaves text it cannot convert as it is, so that the schema's own
message ("Not a valid integer.") reaches the user beside the input.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MultiDict

from . import display

if TYPE_CHECKING:
    from .form_render import FormField

MAX_ROWS = 100  # rows of a list read back (and drawn) at most
_INTEGER = re.compile(r"^[+-]?\d+$")


def parse_form(
    form_fields_: list[FormField], form: MultiDict[str, str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The submitted strings as the types the schema loads, and any unreadable input.

    Empty inputs are left out, so that the schema reports a required field as
    missing and applies its defaults to the others.
    """
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in form_fields_:
        if f.kind == "checkbox":
            data[f.name] = form.get(f.name) in ("on", "true", "1", "yes")
        elif f.kind == "rows":
            rows = _parse_rows(f, form, errors)
            if rows or f.required:
                data[f.name] = rows
        elif f.kind == "group":
            record = _parse_record(f, f"{f.name}-", f"{f.name}.", form, errors)
            if record is not None:  # all blank: left out, as an empty input is
                data[f.name] = record
        else:
            raw = form.get(f.name, "").strip()
            if raw:
                _read(f, raw, f.name, data, errors)
    return data, errors


def _parse_rows(
    f: FormField, form: MultiDict[str, str], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index in range(MAX_ROWS):
        row = _parse_record(f, f"{f.name}-{index}-", f"{f.name}.{len(rows)}.", form, errors)
        if row is not None:  # blank rows are spare rows, not mistakes
            rows.append(row)
    return rows


def _parse_record(
    f: FormField,
    prefix: str,
    error_prefix: str,
    form: MultiDict[str, str],
    errors: dict[str, list[str]],
) -> dict[str, Any] | None:
    """The inputs of one row or group (named `prefix` + column), or None if all are blank."""
    cells = {c.name: form.get(f"{prefix}{c.name}", "").strip() for c in f.columns}
    if not any(cells.values()):
        return None
    record: dict[str, Any] = {}
    for column in f.columns:
        raw = cells[column.name]
        if column.kind == "checkbox":
            record[column.name] = raw in ("on", "true", "1", "yes")
        elif raw:
            _read(column, raw, f"{error_prefix}{column.name}", record, errors)
    return record


def _read(
    f: FormField, raw: str, error_key: str, into: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    if f.kind == "lines":
        into[f.name] = [_convert(f.value_type, line.strip()) for line in raw.splitlines() if line]
        return
    if f.value_type == "json":
        try:
            into[f.name] = json.loads(raw)
        except ValueError:
            errors[error_key] = ["Not valid JSON."]
        return
    into[f.name] = _convert(f.value_type, raw)


def _convert(value_type: str, raw: str) -> Any:
    """The value the schema expects; text it cannot be is passed on for it to refuse."""
    if value_type == "int":
        compact = raw.replace(" ", "")
        return int(compact) if _INTEGER.match(compact) else raw
    if value_type in ("float", "decimal"):
        number = _decimal_text(raw)
        if value_type == "decimal":
            return number
        try:
            return float(number)
        except ValueError:
            return raw
    if value_type == "aware":
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        return (moment if moment.tzinfo else moment.replace(tzinfo=display.zone())).isoformat()
    return raw


def _decimal_text(raw: str) -> str:
    """'1.234,56' and '1234,56' (Greek) and '1234.56' all read as 1234.56."""
    text = raw.replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return text


def values_from_data(form_fields_: list[FormField], data: dict[str, Any] | None) -> dict[str, str]:
    """Stored data (e.g. work sent back for rework) as the strings the inputs show."""
    values: dict[str, str] = {}
    for f in form_fields_:
        value = (data or {}).get(f.name)
        if value is None:
            continue
        if f.kind == "rows" and isinstance(value, list):
            for index, row in enumerate(value[:MAX_ROWS]):
                values.update(_record_values(f, f"{f.name}-{index}-", row))
        elif f.kind == "group":
            values.update(_record_values(f, f"{f.name}-", value))
        else:
            values[f.name] = _text(f, value)
    return values


def _record_values(f: FormField, prefix: str, record: Any) -> dict[str, str]:
    if not isinstance(record, dict):
        return {}
    return {
        f"{prefix}{c.name}": _text(c, record[c.name])
        for c in f.columns
        if record.get(c.name) is not None
    }


def _text(f: FormField, value: Any) -> str:
    if f.kind == "checkbox":
        return "on" if value else ""
    if f.kind == "lines" and isinstance(value, list):
        return "\n".join(_text(f, v) for v in value)
    if f.kind == "json":
        return json.dumps(value, ensure_ascii=False, indent=1)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if f.kind == "datetime" and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        local = moment.astimezone(display.zone()) if moment.tzinfo else moment
        return local.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def local_time(iso: str | None) -> str:
    """An ISO timestamp as the staff read it: in the display zone, to the minute."""
    return display.local_time(iso)
