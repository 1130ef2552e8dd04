"""Greek phone numbers, postcodes and addresses, as people type them and as we store them."""

from __future__ import annotations

import re

_PHONE_NOISE = re.compile(r"[\s\-./()]")


def normalise_phone(text: str) -> str | None:
    """The ten digits of a Greek landline (2...) or mobile (69...), or None if it is not one.

    Spaces, dashes, dots, brackets and the country code (+30, 0030) are accepted.
    """
    digits = _PHONE_NOISE.sub("", text.strip())
    for prefix in ("+30", "0030"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return None
    return digits if digits.startswith(("2", "69")) else None


def normalise_postcode(text: str) -> str | None:
    """The five digits of a Greek postcode ("104 31" -> "10431"), or None if it is not one."""
    digits = text.replace(" ", "").strip()
    if len(digits) != 5 or not digits.isascii() or not digits.isdigit():
        return None
    return digits if "1" <= digits[0] <= "8" else None  # Greek postcodes run 10xxx-85xxx


def format_address(address: dict[str, str] | None) -> str | None:
    """An address on one line, as the change log keeps it: "Ερμού 12, 10431 Αθήνα"."""
    if not address:
        return None
    return f"{address['street']}, {address['postcode']} {address['city']}"
