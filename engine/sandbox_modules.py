"""The modules, formatter and clock that sandboxed scripts may use (see engine/sandbox.py).

Scripts get stand-ins, never the real modules: each is a fresh module object
holding only the names listed here, so ``json.__loader__`` or ``re.sys`` do not
exist to be walked. What could allocate or spin in one C call is wrapped:

* ``re`` is the ``regex`` package with a timeout of the script's remaining time
  (``re`` cannot be interrupted: ``(a+)+$`` on thirty characters runs for ever),
  and ``sub`` builds its result in a Python loop that counts what it made;
* ``json.dumps`` asks the size first (the C encoder is one call);
* ``math`` leaves out ``factorial``, ``comb``, ``perm`` and ``prod`` (minutes of C);
* ``date.today()``, ``datetime.now()`` and ``uuid`` follow the engine: the clock
  is the one the command runs with, so timers and tests stay deterministic.
"""

from __future__ import annotations

import _string  # type: ignore[import-not-found]  # the parser str.format uses
import datetime as _datetime
import decimal as _decimal
import json as _json
import math as _math
import string
import types
import uuid as _uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import regex

from .errors import ScriptError
from .sandbox_sizes import spec_width, text_size

MAX_ITEMS = 1_000_000  # the same bound as engine/sandbox.py's (one operation's output)

_NOW: ContextVar[Callable[[], datetime] | None] = ContextVar("sandbox_now", default=None)
_DEADLINE: ContextVar[Callable[[], float] | None] = ContextVar("sandbox_left", default=None)


@contextmanager
def engine_clock(now: Callable[[], datetime]) -> Iterator[None]:
    """Let scripts run in the block see `now()` (aware, UTC) as the current time."""
    token = _NOW.set(now)
    try:
        yield
    finally:
        _NOW.reset(token)


@contextmanager
def time_left(seconds_left: Callable[[], float]) -> Iterator[None]:
    """Tell the wrapped C calls (regular expressions) how long the script may still run."""
    token = _DEADLINE.set(seconds_left)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _now_utc() -> datetime:
    now = _NOW.get()
    return now() if now is not None else datetime.now(UTC)


def _refuse_text(size: int, what: str) -> None:
    if size > MAX_ITEMS:
        raise ScriptError(
            f"text too large: {what} would exceed the sandbox limit of {MAX_ITEMS} characters"
        )


# -- the clock, as the classes' own methods --------------------------------------------


def _datetime_now(tz: Any = None) -> datetime:
    """datetime.now(): naive UTC without a zone (the engine stores UTC), else in `tz`."""
    now = _now_utc()
    return now.astimezone(tz) if tz is not None else now.replace(tzinfo=None)


def _datetime_utcnow() -> datetime:
    return _now_utc().replace(tzinfo=None)


def _date_today() -> date:
    return _now_utc().date()


# Attributes of the classes themselves (`date.today`, `Decimal.from_float`): the values'
# own attributes are allowed by engine/sandbox.py; a class's are only these.
CLASS_ATTRIBUTES: dict[type, dict[str, Any]] = {
    date: {"today": _date_today, "fromisoformat": date.fromisoformat,
           "fromordinal": date.fromordinal, "fromisocalendar": date.fromisocalendar,
           "min": date.min, "max": date.max},
    datetime: {"now": _datetime_now, "utcnow": _datetime_utcnow, "today": _datetime_utcnow,
               "fromisoformat": datetime.fromisoformat, "strptime": datetime.strptime,
               "combine": datetime.combine, "min": datetime.min, "max": datetime.max},
    timedelta: {"min": timedelta.min, "max": timedelta.max, "resolution": timedelta.resolution},
    timezone: {"utc": UTC},
    _decimal.Decimal: {"from_float": _decimal.Decimal.from_float},
}  # fmt: skip
# What an instance answers for the same names (`some_date.today()` is the class's).
INSTANCE_OVERRIDES: dict[type, dict[str, Any]] = {
    date: {"today": _date_today},
    datetime: {"now": _datetime_now, "utcnow": _datetime_utcnow, "today": _datetime_utcnow},
}


# -- regular expressions -----------------------------------------------------------------


def _timeout() -> float:
    left = _DEADLINE.get()
    return max(left(), 0.001) if left is not None else 1.0


MAX_PATTERN = 10_000  # characters of a regular expression
MAX_EXPANDED = 100_000  # what a pattern may write out: (a{100}){100} is 10,000
_COUNTED = regex.compile(r"\{(\d*)(?:,(\d*))?\}")


def check_pattern(pattern: str) -> None:
    """Refuse a pattern whose compiling would be huge: `regex` writes counted repetitions
    out, so (a{1000}){1000} compiles to 275 MB and (a{10000}){10000} kills the process,
    in one C call. Each item counts its repetitions, a group's count multiplies what it
    holds, and the whole may write out at most MAX_EXPANDED items.
    """
    if len(pattern) > MAX_PATTERN:
        raise ScriptError(f"regular expression longer than {MAX_PATTERN} characters")
    stack, i, in_class = [0], 0, False  # what each open group writes out so far
    while i < len(pattern):
        char = pattern[i]
        step = 2 if char == "\\" else 1
        if in_class:
            in_class = char != "]"
            i += step
            continue
        if char == "[":
            in_class = True
            size = 1
        elif char == "(":
            stack.append(0)
            i += 1
            continue
        elif char == ")" and len(stack) > 1:
            size = max(stack.pop(), 1)
        else:
            size = 1
        times, after = _count_after(pattern, i + step if char != "[" else _class_end(pattern, i))
        stack[-1] += size * times
        if stack[-1] > MAX_EXPANDED:
            raise ScriptError(
                f"regular expression repeats too much (over {MAX_EXPANDED} items written out)"
            )
        if char == "[":
            in_class = False
        i = after


def _class_end(pattern: str, at: int) -> int:
    """Where the character class opening at `at` ends (just after its ']')."""
    i = at + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return min(i + 1, len(pattern))


def _count_after(pattern: str, at: int) -> tuple[int, int]:
    """The count of a {n}, {n,m} or {n,} quantifier at `at` (1 if none), and where it ends."""
    found = _COUNTED.match(pattern, at)
    if found is None:
        return 1, at
    low, high = found.group(1), found.group(2)
    numbers = [int(n) for n in (low, high) if n]
    return (max(numbers) if numbers else 1), found.end()


def _regex_call(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(pattern: Any, string_: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(pattern, str):
            raise ScriptError("a regular expression must be given as a string")
        check_pattern(pattern)
        try:
            return function(pattern, string_, *args, timeout=_timeout(), **kwargs)
        except TimeoutError:
            raise ScriptError("regular expression exceeded the script's time limit") from None
        except regex.error as err:
            raise ScriptError(f"invalid regular expression: {err}") from None

    return call


def _sub(pattern: str, repl: Any, text: str, count: int = 0, flags: int = 0) -> str:
    """re.sub, counting what the replacements add (a C call could make gigabytes)."""
    made = [len(text)]

    def replace(match: Any) -> str:
        if callable(repl):
            piece = repl(match)
        else:
            widest = max(len(match.group(i) or "") for i in range(len(match.groups()) + 1))
            _refuse_text(made[0] + len(repl) * max(widest, 1), "re.sub")
            piece = match.expand(repl)
        made[0] += len(piece)
        _refuse_text(made[0], "re.sub")
        return piece

    return _regex_call(regex.sub)(pattern, replace, text, count=count, flags=flags)


def _module(name: str, attributes: dict[str, Any]) -> types.ModuleType:
    module = types.ModuleType(f"sandbox.{name}")  # not a name in sys.modules
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


_re_flags = {f: getattr(regex, f) for f in ("IGNORECASE", "I", "MULTILINE", "M", "DOTALL", "S")}
_re = _module(
    "re",
    {
        "match": _regex_call(regex.match),
        "search": _regex_call(regex.search),
        "fullmatch": _regex_call(regex.fullmatch),
        "findall": _regex_call(regex.findall),
        "finditer": _regex_call(regex.finditer),
        "split": _regex_call(regex.split),
        "sub": _sub,
        "escape": regex.escape,
        **_re_flags,
    },
)
MATCH_ATTRIBUTES = frozenset(["group", "groups", "groupdict", "start", "end", "span", "string"])
MATCH_TYPE = type(regex.match("", ""))


# -- json ------------------------------------------------------------------------------


def _dumps(value: Any, **options: Any) -> str:
    allowed = {"indent", "sort_keys", "ensure_ascii", "separators", "default"}
    unknown = set(options) - allowed
    if unknown:
        raise ScriptError(f"json.dumps does not take {', '.join(sorted(unknown))} in scripts")
    indent = options.get("indent")
    if indent is not None and not (isinstance(indent, int) and 0 <= indent <= 8):
        raise ScriptError("json.dumps indent must be a number from 0 to 8 in scripts")
    # Without indent the C encoder writes it all in one call: ask its size first.
    _refuse_text(text_size(value, MAX_ITEMS), "json.dumps of this value")
    return _json.dumps(value, **options)


_json_module = _module("json", {"dumps": _dumps, "loads": _json.loads,
                                "JSONDecodeError": _json.JSONDecodeError})  # fmt: skip

# -- the others ------------------------------------------------------------------------

_datetime_module = _module(
    "datetime",
    {"date": date, "datetime": datetime, "timedelta": timedelta, "timezone": timezone,
     "time": _datetime.time, "UTC": UTC, "MINYEAR": _datetime.MINYEAR,
     "MAXYEAR": _datetime.MAXYEAR},
)  # fmt: skip
_decimal_module = _module(
    "decimal",
    {
        "Decimal": _decimal.Decimal,
        "InvalidOperation": _decimal.InvalidOperation,
        **{name: getattr(_decimal, name) for name in dir(_decimal) if name.startswith("ROUND_")},
    },
)
_MATH_NAMES = [
    "ceil",
    "floor",
    "trunc",
    "fabs",
    "sqrt",
    "isqrt",
    "exp",
    "log",
    "log10",
    "log2",
    "pow",
    "fsum",
    "gcd",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "copysign",
    "hypot",
    "sin",
    "cos",
    "tan",
    "atan",
    "atan2",
    "radians",
    "degrees",
    "pi",
    "e",
    "tau",
    "inf",
    "nan",
]
_math_module = _module("math", {name: getattr(_math, name) for name in _MATH_NAMES})
_uuid_module = _module("uuid", {"uuid4": _uuid.uuid4, "UUID": _uuid.UUID})
UUID_ATTRIBUTES = frozenset(["hex", "int", "version", "urn"])

SAFE_MODULES: dict[str, types.ModuleType] = {
    "datetime": _datetime_module,
    "decimal": _decimal_module,
    "json": _json_module,
    "math": _math_module,
    "re": _re,
    "uuid": _uuid_module,
}
_MODULE_IDS = frozenset(id(module) for module in SAFE_MODULES.values())
# Imported by the C code of allowed types (date.strftime imports time, strptime
# _strptime) through the builtins' __import__; scripts themselves cannot name them.
_INTERNAL_IMPORTS = frozenset(["time", "_strptime"])


def is_safe_module(value: Any) -> bool:
    return id(value) in _MODULE_IDS


def guarded_import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> types.ModuleType:
    """__import__ for scripts: the stand-ins above, and what allowed C code needs."""
    if level == 0 and name in SAFE_MODULES:
        return SAFE_MODULES[name]
    if level == 0 and name in _INTERNAL_IMPORTS:
        import importlib

        return importlib.import_module(name)
    raise ScriptError(f"import of '{name}' is not allowed in scripts; {allowed_modules()}")


def allowed_modules() -> str:
    return "scripts may import " + ", ".join(sorted(SAFE_MODULES))


# -- str.format ------------------------------------------------------------------------


class SafeFormatter(string.Formatter):
    """str.format and format_map that walk attributes and items as scripts may.

    '{0.__class__}' goes through the sandbox's getattr, which refuses it; each
    field's size is known before it is formatted, and the total is counted.
    """

    def __init__(self, getattr_guard: Callable[[Any, str], Any]) -> None:
        self._getattr = getattr_guard
        self._made = 0

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, Any]:
        first, rest = _string.formatter_field_name_split(field_name)
        value = self.get_value(first, args, kwargs)
        for is_attribute, key in rest:
            if is_attribute:
                value = self._getattr(value, key)
            else:
                if isinstance(key, str) and key.startswith("_"):
                    raise ScriptError(f"format field '{field_name}' is not allowed in scripts")
                value = value[key]
        return value, first

    def format_field(self, value: Any, format_spec: str) -> str:
        size = text_size(value, MAX_ITEMS) + spec_width(format_spec)
        self._made += size
        _refuse_text(self._made, "this str.format")
        return format(value, format_spec)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion in ("r", "a"):
            _refuse_text(text_size(value, MAX_ITEMS), "this str.format")
        return super().convert_field(value, conversion)
