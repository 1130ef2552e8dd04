"""What every page of the Greek UI must not show, checked on its visible text.

Pure functions over text (the crawler in test_every_page.py feeds them), so they are easy
to test and to read: a Python/JSON repr, an English word, a time shown as UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Latin-letter words a Greek page may show: the product's name, standards and codes,
# and the brand and trade words of the demo company's product names (its own data).
ALLOWED = frozenset(
    word.lower()
    for word in (
        "raciflow",
        "BPMN",
        "DMN",
        "RACI",
        "SLA",
        "PDF",
        "CSV",
        "AFM",
        "API",
        "JSON",
        "HHT",
        "URL",
        "SMTP",
        "IBAN",
        "EUR",
        "FIFO",
        "ATP",
        "OpenAPI",
        "Merkle",
        "SHA",
        "DPMO",  # Six Sigma's defects per million opportunities (the analytics pages)
        "mail",  # "e-mail"
        # The language switch names the other language in itself, as every site does.
        "English",
        # Product names of the demo catalogue (user data: brands and trade terms).
        "Cola",
        "Zero",
        "Ice",
        "tea",
        "lager",
        "pils",
        "promo",
        "HoReCa",
    )
)

# A repr: a dict or a list of dicts, or Python's constants as words.
_REPR = re.compile(r"\{'|\[\{|\{\"|\bNone\b|\bTrue\b|\bFalse\b|\bnull\b|\bDecimal\(|datetime\.")
# A time shown as UTC: the zone's name, a +00:00 offset, or an ISO time ending in Z.
_UTC = re.compile(r"\bUTC\b|\bGMT\b|\+00:?00\b|\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z\b")
# A run of characters that may form a code, an id, an e-mail or a username.
_TOKEN = re.compile(r"[A-Za-z0-9_.@/:+#-]+")
_WORD = re.compile(r"[A-Za-z]{3,}")
_USERNAME = re.compile(r"[a-z]+\.[a-z]+")


def repr_problems(text: str) -> list[str]:
    """Python or JSON reprs in `text`, each with a little context."""
    return [_context(text, m.start(), m.end()) for m in _REPR.finditer(text)]


def utc_problems(text: str) -> list[str]:
    """Times shown in UTC rather than in the display time zone."""
    return [_context(text, m.start(), m.end()) for m in _UTC.finditer(text)]


def english_words(text: str, user_data: Iterable[str] = ()) -> list[str]:
    """Latin-letter words of three letters or more that are neither allowed nor user data.

    A token holding a digit or '@' is a code, an id or an address (C00012, EQ-00042,
    giorgos.bd@example.com); `user_data` are the usernames and the like a page may show.
    Words joined by '_' (raw ids such as credit_limit_change) are not user data: they fail.
    """
    skip = {value.lower() for value in user_data}
    found: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group().strip(".:/-+#")
        if not token or token.lower() in skip or _is_code(token):
            continue
        for word in _WORD.findall(token):
            if word.lower() not in ALLOWED and word.lower() not in skip:
                found.append(token)
                break
    return sorted(set(found))


def _is_code(token: str) -> bool:
    """A code, an id, an address or a username (name.role, as the directory spells them)."""
    return (
        any(ch.isdigit() for ch in token)
        or "@" in token
        or token.startswith("http")
        or _USERNAME.fullmatch(token) is not None
        # A case's short id as lists show it: its first 8 hex digits, now and then all
        # letters ("cadaafee" failed a whole crawl once).
        or _SHORT_ID.fullmatch(token) is not None
    )


_SHORT_ID = re.compile(r"[0-9a-f]{8}")


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    return " ".join(text[max(0, start - width) : end + width].split())
