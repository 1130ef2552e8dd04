"""Validation messages in the user's language, marshmallow's formatted ones included.

Most messages are fixed strings that gettext finds as they are (web/labels.py lists them
for extraction). Marshmallow formats some with the field's limits ("Must be greater than
0 and less than or equal to 10000."): those are matched here and rebuilt from a
translated template, with the numbers written in the user's locale.
"""

from __future__ import annotations

import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .form_values import format_number, parse_number, user_locale

_NUMBER = r"(?P<{}>-?[\d.]+(?:e[+-]?\d+)?)"
_TEMPLATES: list[tuple[re.Pattern[str], object]] = [
    (re.compile(text.format(a=_NUMBER.format("a"), b=_NUMBER.format("b"))), msgid)
    for text, msgid in (
        (
            r"^Must be greater than or equal to {a} and less than or equal to {b}\.$",
            _l("Must be from %(a)s to %(b)s."),
        ),
        (
            r"^Must be greater than {a} and less than or equal to {b}\.$",
            _l("Must be more than %(a)s and at most %(b)s."),
        ),
        (
            r"^Must be greater than or equal to {a} and less than {b}\.$",
            _l("Must be at least %(a)s and less than %(b)s."),
        ),
        (
            r"^Must be greater than {a} and less than {b}\.$",
            _l("Must be more than %(a)s and less than %(b)s."),
        ),
        (r"^Must be greater than or equal to {a}\.$", _l("Must be at least %(a)s.")),
        (r"^Must be greater than {a}\.$", _l("Must be more than %(a)s.")),
        (r"^Must be less than or equal to {a}\.$", _l("Must be at most %(a)s.")),
        (r"^Must be less than {a}\.$", _l("Must be less than %(a)s.")),
        (r"^Shorter than minimum length {a}\.$", _l("At least %(a)s characters.")),
        (r"^Longer than maximum length {a}\.$", _l("At most %(a)s characters.")),
        (r"^Length must be between {a} and {b}\.$", _l("From %(a)s to %(b)s characters.")),
        (r"^Length must be {a}\.$", _l("Exactly %(a)s characters.")),
        (r"^at most {a} lines in one order$", _l("at most %(a)s lines in one order")),
    )
]
_WORDS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"^Must be one of: (?P<a>.+)\.$"), _l("Choose one of the options.")),
    (
        re.compile(r"^one line per product: (?P<a>.+) repeated$"),
        _l("one line per product: %(a)s repeated"),
    ),
    (re.compile(r"^Unknown field\.$"), _l("Unknown field.")),
]


def translate(message: str, locale: str | None = None) -> str:
    """`message` in the user's language (as it is when nothing translates it)."""
    locale = locale or user_locale()
    for pattern, msgid in _TEMPLATES:
        found = pattern.match(message)
        if found:
            return str(msgid) % {k: _number(v, locale) for k, v in found.groupdict().items() if v}
    for pattern, msgid in _WORDS:
        found = pattern.match(message)
        if found:
            return str(msgid) % found.groupdict()
    return gettext(message)


def _number(text: str, locale: str) -> str:
    number = parse_number(text, "en")
    return text if number is None else format_number(number, locale)
