"""How much text an operation would produce, known before the C call that makes it.

A single C call cannot be interrupted by the sandbox's trace function, so the
sandbox asks here first and refuses the call if the answer is too large:
``str(x)`` and f-strings of containers that hold the same big string many
times, ``%``-formatting, and format specs with huge widths or precisions.

Estimates are upper-bound-ish and cheap: the walk over a container stops as
soon as the running total passes the budget, so asking costs at most about
`budget` steps whatever the value is.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

_SMALL = 64  # a number, a date, None, a function's repr: at most this many characters


def text_size(value: Any, budget: int) -> int:
    """About how many characters str(value) or repr(value) has; stops past `budget`."""
    total = 0
    stack: list[Any] = [value]
    pop, push = stack.pop, stack.extend
    while stack and total <= budget:
        item = pop()
        kind = type(item)  # the common exact types first: task data is walked every script
        if kind is str:
            total += len(item) + 3
        elif kind is dict:
            total += 2 + 4 * len(item)
            push(item.keys())
            push(item.values())
        elif kind is list or kind is tuple:
            total += 2 + 2 * len(item)
            push(item)
        elif kind is int:
            total += item.bit_length() // 3 + 2
        elif isinstance(item, (str, bytes, bytearray)):
            total += len(item) + 3  # quotes and a separator, when inside a container
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2  # decimal digits, generously
        elif isinstance(item, Decimal):
            total += _decimal_digits(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            push(item.keys())
            push(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            push(item)
        elif isinstance(item, (float, date, datetime, time, timedelta)):
            total += _SMALL
        else:
            total += _SMALL
    return total


def _decimal_digits(value: Decimal) -> int:
    """Digits of the value written out in full (as 'f' and int() write it)."""
    if not value.is_finite():
        return 10
    return len(value.as_tuple().digits) + abs(value.as_tuple().exponent) + 10


_SPEC_NUMBER = re.compile(r"\d+")


def spec_width(spec: str) -> int:
    """The largest width or precision a format spec asks for (0 if none)."""
    return max((int(run) for run in _SPEC_NUMBER.findall(spec)), default=0)


# One %-conversion: optional (key), flags, width or *, .precision or .*, length, type.
_PERCENT = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?[hlL]?(?P<type>.)",
    re.DOTALL,
)


def percent_size(template: str | bytes, args: Any, budget: int) -> int:
    """About how long `template % args` is; stops past `budget`.

    Widths and precisions given as '*' are read from `args` as Python does.
    Mistakes (too few arguments, a missing key) are left for Python to report.
    """
    text = template.decode("latin-1") if isinstance(template, (bytes, bytearray)) else template
    positional = list(args) if isinstance(args, tuple) else [args]
    total = len(text)
    for match in _PERCENT.finditer(text):
        if total > budget:
            break
        if match["type"] == "%":
            continue
        for part in ("width", "prec"):
            given = match[part]
            if given == "*":
                star = positional.pop(0) if positional else 0
                total += abs(star) if isinstance(star, int) else 0
            elif given:
                total += int(given)
        if match["key"] is not None and isinstance(args, dict):
            value = args.get(match["key"])
        else:
            value = positional.pop(0) if positional else None
        total += text_size(value, budget - total)
    return total
