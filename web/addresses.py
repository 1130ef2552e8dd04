"""Addresses as people write them, with a map link for whoever has to drive there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask_babel import gettext
from markupsafe import Markup

MAP_SEARCH = "https://www.openstreetmap.org/search"
PARTS = frozenset({"street", "city", "postcode"})


def is_address(value: Any) -> bool:
    return isinstance(value, Mapping) and "street" in value and set(value) <= PARTS | {"kind"}


def address_text(address: Mapping[str, Any]) -> str:
    """ "Αχαρνών 210, 104 46 Αθήνα": street, then postcode and city, as Greek post writes it."""
    town = " ".join(str(address[k]) for k in ("postcode", "city") if address.get(k))
    return ", ".join(part for part in (str(address.get("street") or ""), town) if part)


def map_url(address: Mapping[str, Any]) -> str:
    """An OpenStreetMap search for the address (a link: no map is drawn, nothing leaks)."""
    return f"{MAP_SEARCH}?{urlencode({'query': address_text(address)})}"


def address_html(address: Mapping[str, Any]) -> Markup:
    text = address_text(address)
    if not text:
        return Markup('<span class="muted">—</span>')
    return Markup(
        '<span class="address">{}</span> <a class="map-link" href="{}" target="_blank" '
        'rel="noopener noreferrer">{}</a>'
    ).format(text, map_url(address), gettext("Map"))
