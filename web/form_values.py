"""Form values both ways: submitted strings into the types a schema loads, stored data
into the strings inputs show, and times as the staff read them (Greek time).

`parse_form` leaves text it cannot convert as it is, so that the schema's own
message ("Not a valid integer.") reaches the user beside the input. Numbers are read in
the user's locale with Babel: in Greek "1.234,50" and "1234,5"; a lone "." or "," that
cannot be a thousands separator is a decimal mark, whatever the locale (keypads), and a
number not valid in the user's locale is tried as Greek (the company's): "5.000,00" in English.
"""

from __future__ import annotations

import json
import math
import re
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel.numbers import NumberFormatError, format_decimal, get_group_symbol, parse_decimal
from flask import has_request_context
from flask_babel import get_locale
from werkzeug.datastructures import MultiDict

from . import display

if TYPE_CHECKING:
    from .form_render import FormField

MAX_ROWS = 100  # rows of a list read back (and drawn) at most
_LOCALE: ContextVar[str] = ContextVar("form_locale", default="en")
_INTEGER = re.compile(r"^[+-]?\d+$")
_ONE_MARK = re.compile(r"^[+-]?\d*[.,]\d+$")  # 12.5 or 12,5: one mark, digits around it
DEFAULT_LOCALE = "en"
COMPANY_LOCALE = "el"  # numbers not valid in the user's locale are tried as Greek


def user_locale() -> str:
    """The signed-in user's locale in a request, else English (CLI, tests)."""
    if has_request_context():
        return str(get_locale() or DEFAULT_LOCALE)
    return DEFAULT_LOCALE


def parse_number(raw: str, locale: str) -> Decimal | None:
    """`raw` as a number written in `locale`, or None when it is not one."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not text:
        return None
    if _ONE_MARK.match(text) and not _grouped(text, locale):  # "1234.5" typed in Greek
        return Decimal(text.replace(",", "."))
    for reading in dict.fromkeys((locale, COMPANY_LOCALE)):  # a Greek "5.000,00" in English
        try:
            return parse_decimal(text, locale=reading, strict=True)
        except NumberFormatError:
            continue
    return None


def _grouped(text: str, locale: str) -> bool:
    """Whether the one mark in `text` is `locale`'s thousands separator ("1.234" in Greek)."""
    mark = "." if "." in text else ","
    return mark == get_group_symbol(locale) and len(text.rsplit(mark, 1)[1]) == 3


def format_number(value: float | int | Decimal, locale: str) -> str:
    """A number as the user writes it in `locale`, ungrouped, so it reads back the same."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value, locale=locale, group_separator=False, decimal_quantization=False)


def parse_form(
    form_fields_: list[FormField], form: MultiDict[str, str], locale: str | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The submitted strings as the types the schema loads, and any unreadable input.

    Empty inputs are left out, so that the schema reports a required field as
    missing and applies its defaults to the others; blank rows of a list are dropped.
    Numbers are read in `locale` (default: the user's).
    """
    token = _LOCALE.set(locale or user_locale())
    try:
        return _parse_form(form_fields_, form)
    finally:
        _LOCALE.reset(token)


def _parse_form(
    form_fields_: list[FormField], form: MultiDict[str, str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
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
        # Whole numbers may also be typed in a row ("1, 3"): no number holds a comma.
        items = re.split(r"[,;\s]+", raw) if f.value_type == "int" else raw.splitlines()
        into[f.name] = [_convert(f.value_type, item.strip()) for item in items if item.strip()]
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
        if _INTEGER.match(compact):
            return int(compact)
        number = parse_number(raw, _LOCALE.get())  # "1.000" in Greek
        return int(number) if number is not None and number == number.to_integral() else raw
    if value_type in ("float", "decimal"):
        number = parse_number(raw, _LOCALE.get())
        if number is None:
            return raw
        if value_type == "decimal":
            return str(number)
        # "1e400" is a Decimal but no float: the schema refuses the text, by its field.
        return float(number) if math.isfinite(float(number)) else raw
    if value_type == "aware":
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        return (moment if moment.tzinfo else moment.replace(tzinfo=display.zone())).isoformat()
    return raw


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
    if f.kind == "number" and isinstance(value, int | float | Decimal) and value is not True:
        return format_number(value, user_locale())
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
