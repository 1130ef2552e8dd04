"""The Greek tax id (ΑΦΜ): nine digits, the last a check digit.

The check digit is the sum of the first eight digits weighted by 2^8 .. 2^1,
modulo 11, modulo 10.
"""

from __future__ import annotations


def check_digit(first_eight: str) -> int:
    """The check digit for eight leading digits."""
    total = sum(int(digit) << (8 - index) for index, digit in enumerate(first_eight))
    return total % 11 % 10


def afm_problem(afm: str) -> str | None:
    """Why `afm` is not a valid tax id, or None if it is."""
    if len(afm) != 9 or not afm.isascii() or not afm.isdigit():
        return "an AFM has exactly nine digits"
    if afm == "000000000":
        return "000000000 is not an AFM"
    if check_digit(afm[:8]) != int(afm[8]):
        return "the check digit does not match"
    return None


def is_valid_afm(afm: str) -> bool:
    return afm_problem(afm) is None


def complete_afm(first_eight: str) -> str:
    """Append the check digit (demo data and tests make valid AFMs this way)."""
    return first_eight + str(check_digit(first_eight))
