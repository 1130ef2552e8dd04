"""One cell of a CSV download, safe to open in a spreadsheet.

A spreadsheet runs a cell that starts like a formula (=, +, -, @, a tab or a carriage
return): such text is kept text by a leading quote (OWASP, CSV injection). A number is
never a formula, so it stays a number: a sigma level of -5.53 read as '-5.53, which a
spreadsheet takes for text.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> str:
    """`value` as a CSV cell: records and lists as JSON, formula-like text quoted."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
