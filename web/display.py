"""How every page shows a value to people: times, money, numbers, yes/no, durations, people.

One module, registered as Jinja filters by `init_app`, so that no template formats a
value itself. Times are stored in UTC and shown in the one display zone
(RACIFLOW_TIMEZONE, Europe/Athens by default); money and numbers are written the way
the user's locale writes them (Babel: "15.000,00 €" in Greek). Records and lists of
records (order lines, anomalies, contacts) become tables: see web/display_values.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta
from flask import Flask, current_app, g, has_app_context, has_request_context
from flask_babel import (
    format_currency,
    format_decimal,
    format_percent,
    get_locale,
    gettext,
    lazy_gettext,
)

from engine.settle import SYSTEM_ACTOR

DEFAULT_ZONE = "Europe/Athens"
ZONE_KEY = "RACIFLOW_TIMEZONE"
CURRENCY = "EUR"
MISSING = "—"
TIME_FORMAT = "%Y-%m-%d %H:%M"  # unambiguous in both languages, to the minute
_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def init_app(app: Flask, timezone: str = DEFAULT_ZONE) -> None:
    """Register the filters on `app` (after the blueprints: these are the ones pages use)."""
    from . import display_values
    from .action_labels import action_words

    app.config[ZONE_KEY] = timezone
    filters = {
        "local_time": local_time,
        "money": money,
        "number": number,
        "yesno": yesno,
        "duration": duration,
        "span": span,
        "percent": percent,
        "person": person,
        "process_name": process_name,
        "show": display_values.show,
        "field_label": display_values.field_label,
        "action_words": action_words,
    }
    app.jinja_env.filters.update(filters)
    app.jinja_env.globals["display_zone"] = zone


def zone() -> ZoneInfo:
    """The display time zone of the running app (the default outside one)."""
    name = current_app.config.get(ZONE_KEY, DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def local_time(value: str | datetime | date | None) -> str:
    """A stored moment (UTC; ISO text or datetime) in the display zone, to the minute.

    A bare date stays a date; a naive time is UTC (how raciflow stores times).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if _DATE_ONLY.match(value):
            return value
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(zone()).strftime(TIME_FORMAT)
    return value.isoformat()


def local_iso(value: str | None) -> str:
    """A stored ISO time as ISO 8601 in the display zone, with its offset: still read by
    machines, and on the day the pages show (a CSV's UTC times fell on another day)."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(zone()).isoformat(timespec="seconds")


def file_stamp() -> str:
    """Now, for a download's file name, in the display zone as the pages read it."""
    return datetime.now(zone()).strftime("%Y%m%d-%H%M")


def is_timestamp(value: Any) -> bool:
    return isinstance(value, datetime) or (isinstance(value, str) and bool(_TIMESTAMP.match(value)))


def money(value: Any) -> str:
    """An amount in euros, as the user's locale writes it ("15.000,00 €" in Greek)."""
    amount = _number_or_none(value)
    if amount is None:
        return MISSING if value is None else str(value)
    return format_currency(amount, CURRENCY)


def number(value: Any) -> str:
    """A number with the locale's separators ("9.000", "2,5" in Greek)."""
    amount = _number_or_none(value)
    if amount is None:
        return MISSING if value is None else str(value)
    return format_decimal(amount)


def yesno(value: Any) -> str:
    if value is None:
        return MISSING
    return gettext("Yes") if value else gettext("No")


def is_duration(value: Any) -> bool:
    return isinstance(value, str) and bool(_DURATION.match(value))


def duration(value: Any) -> str:
    """An ISO 8601 duration (the SLAs: "P2D", "PT4H") or a timedelta in words: "2 days"."""
    if isinstance(value, timedelta):
        minutes, seconds = divmod(int(value.total_seconds()), 60)
        hours, minutes = divmod(minutes, 60)
        days, hours = divmod(hours, 24)
        amounts = {"days": days, "hours": hours, "minutes": minutes, "seconds": seconds}
    else:
        found = _DURATION.match(value) if isinstance(value, str) else None
        if found is None:
            return MISSING if value is None else str(value)
        amounts = {unit: int(n) for unit, n in found.groupdict().items() if n}
    locale = str(get_locale() or "en")
    parts = [
        format_timedelta(
            timedelta(**{unit: amount}),
            granularity=unit[:-1],
            threshold=10**9,  # "36 hours" stays 36 hours, never "2 days"
            locale=locale,
        )
        for unit, amount in amounts.items()
        if amount
    ]
    return " ".join(parts) or format_timedelta(timedelta(0), locale=locale)


def span(seconds: float | None) -> str:
    """A measured time in its two largest units, short, rounded at the second:
    "2 ημέρες 3 ώ.", "4 ώ. 10 λ." (the analytics pages; `duration` words a setting)."""
    if seconds is None:
        return MISSING
    sizes = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}
    step = 3600 if seconds >= 86400 else 60 if seconds >= 3600 else 1
    left = round(seconds / step) * step
    amounts = []
    for unit, size in sizes.items():
        amount, left = divmod(left, size)
        if amount or amounts:
            amounts.append((unit, int(amount)))
    amounts = amounts[:2]
    locale = str(get_locale() or "en")
    parts = [
        format_timedelta(
            timedelta(seconds=amount * sizes[unit]),
            granularity=unit,
            threshold=10**9,
            format="short",
            locale=locale,
        )
        for unit, amount in amounts
        if amount
    ]
    return " ".join(parts) or format_timedelta(timedelta(0), format="short", locale=locale)


def percent(fraction: float | None) -> str:
    """A share as the locale writes a percentage, to a tenth: "97,3%"."""
    if fraction is None:
        return MISSING
    return format_percent(fraction, "#,##0.0%")


def person(username: str | None) -> str:
    """Whom a username names, as the directory calls them (the username if unknown);
    the engine's own acts are the system's, in the user's words."""
    if not username:
        return MISSING
    if username == SYSTEM_ACTOR:
        return gettext("system")
    directory = _directory()
    user = directory.users.get(username) if directory is not None else None
    if user is not None and user.name:
        return user.name
    program = _PROGRAM_ACTORS.get(username)
    if program is not None:
        return str(program)
    if username.startswith("cli:"):  # the command line, run by this operating-system login
        return gettext("command line (%(login)s)", login=username.removeprefix("cli:"))
    return username


# Who a program records (web/cli: `init`'s default; "cli", of commands run before a
# command's --user defaulted to "cli:<login>", web/cli/common.py).
_PROGRAM_ACTORS = {
    "init": lazy_gettext("installation (raciflow init)"),
    "cli": lazy_gettext("command line"),
}


def process_name(process_id: str | None) -> str:
    """A process as its BPMN names it, in the user's language (web/names.py decides)."""
    from . import names

    return names.process_name(process_id) if process_id else MISSING


def customer(customer_id: int) -> str:
    """A customer id as people know the customer: "Name (C00007)" (the id if unknown)."""
    from .customer_card import customer_label

    return _named("display_customers", customer_id, customer_label)


def product(code: str) -> str:
    """A product code as people know the product: "Name (P0040)" (the code if unknown)."""
    from .customer_card import product_label

    return _named("display_products", code, product_label)


def warehouse(code: str) -> str:
    """A warehouse code as people know the warehouse: "ATH · Name" (the code if unknown)."""
    from .customer_card import warehouse_label

    return _named("display_warehouses", code, warehouse_label)


def _named(kind: str, key: Any, label: Callable[[Any, Any], str | None]) -> str:
    """`label(uow, key)`, read once per request and `kind` of record; the key if unknown."""
    engine = current_app.extensions.get("raciflow") if has_app_context() else None
    if engine is None:
        return str(key)
    cache = g.setdefault(kind, {}) if has_request_context() else {}
    if key not in cache:
        cache[key] = label(engine.uow(), key)
    return cache[key] or str(key)


def _directory() -> Any:
    """The directory, read once per request (a page names many people)."""
    if not has_app_context():
        return None
    if has_request_context() and "display_directory" in g:
        return g.display_directory
    engine = current_app.extensions.get("raciflow")
    found = engine.directory() if engine is not None else None
    if has_request_context():
        g.display_directory = found
    return found


def _number_or_none(value: Any) -> Decimal | float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except ArithmeticError:
            return None
    return None
