"""Spot likely duplicate customers by name and address, however they are spelled.

People type Greek names and streets in many ways: with or without accents, in
capitals ("ΚΑΦΕΝΕΙΟ ΠΑΠΑΔΟΠΟΥΛΟΣ"), with the street type spelled out or
abbreviated ("Οδός Ερμού 12", "Λεωφ. Κηφισίας"), with the legal form after
the name ("ΕΠΕ", "& ΣΙΑ") or the name in the genitive ("Καφενείο
Παπαδοπούλου"). Both sides are folded to the same keys before comparing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

# Names this close (0..1, on the folded keys) at the same address are taken for one shop.
NAME_SIMILARITY = 0.85

# Legal forms and "& ΣΙΑ" (and partners) say nothing about which shop it is.
_LEGAL_FORMS = [
    *("οε", "εε", "επε", "αε", "ικε", "μικε", "μεπε", "σια"),
    *("ae", "oe", "ee", "epe", "ike"),  # the same in Latin letters
]
# Street types are often left out or abbreviated: the street's own name identifies it.
_STREET_TYPES = ["οδός", "οδ", "λεωφόρος", "λεωφ", "λ", "πλατεία", "πλ", "πλατ"]
# Saints in street names are written in full ("Αγίου Νικολάου") or short ("Αγ.").
_SAINTS = ["αγίου", "αγίας", "αγίων", "άγιος", "αγία", "αγ"]

# Dots and apostrophes join what they separate: "Ε.Π.Ε." is the word "ΕΠΕ".
_DROPPED = re.compile(r"[.'\u0384`\u2019]")
_SEPARATORS = re.compile(r"[^\w]+|_")


@dataclass(frozen=True)
class Place:
    """A customer's name at one address: what duplicates are judged on."""

    name: str
    street: str
    city: str
    postcode: str


def fold(text: str) -> str:
    """Lower-case `text` without accents, dialytika or punctuation, single-spaced."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    # casefold also turns the final sigma into the plain one
    bare = _DROPPED.sub("", bare.casefold())
    return " ".join(_SEPARATORS.sub(" ", bare).split())


# Folded like what they are compared with.
LEGAL_FORMS = frozenset(fold(word) for word in _LEGAL_FORMS)
STREET_TYPES = frozenset(fold(word) for word in _STREET_TYPES)
ABBREVIATIONS = {fold(word): "αγ" for word in _SAINTS}


def name_key(name: str) -> str:
    """The words that identify a business, in a fixed order (word order varies)."""
    words = [w for w in fold(name).split() if w not in LEGAL_FORMS]
    return " ".join(sorted(words))


def street_key(street: str) -> str:
    """The street's name and number, without its type, abbreviations unified."""
    words = [ABBREVIATIONS.get(w, w) for w in fold(street).split()]
    return " ".join(sorted(w for w in words if w not in STREET_TYPES))


def postcode_digits(postcode: str) -> str:
    return "".join(c for c in postcode if c.isdigit())


def postcode_area(postcode: str) -> str:
    """The first three digits of a Greek postcode: the area to look for duplicates in."""
    return postcode_digits(postcode)[:3]


def similar_names(first: str, second: str) -> bool:
    """Whether two business names are the same but for spelling, word order or case."""
    a, b = name_key(first), name_key(second)
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b).ratio() >= NAME_SIMILARITY


def same_address(first: Place, second: Place) -> bool:
    """Same street and number, in the same postcode or the same city."""
    if not street_key(first.street) or street_key(first.street) != street_key(second.street):
        return False
    same_postcode = postcode_digits(first.postcode) == postcode_digits(second.postcode)
    return same_postcode or fold(first.city) == fold(second.city)


def is_likely_duplicate(new: Place, existing: Place) -> bool:
    """Whether `new` is probably `existing` typed again: a similar name at the same address."""
    return same_address(new, existing) and similar_names(new.name, existing.name)
