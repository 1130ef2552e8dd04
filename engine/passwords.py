"""The password rule, in one place: every way of setting a password applies it."""

from __future__ import annotations

import secrets
import string

from raci.people import N_, PeopleRuleBroken

MIN_PASSWORD_LENGTH = 10
ONE_TIME_PASSWORD_LENGTH = 14
_KINDS = (str.isalpha, str.isdigit)


def check_strength(password: str, username: str) -> None:
    """Refuse a weak password: under 10 characters, one kind of character only (letters,
    digits, or others such as spaces and punctuation), or containing the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PeopleRuleBroken(
            N_("A password needs at least %(count)s characters."), {"count": MIN_PASSWORD_LENGTH}
        )
    kinds = {next((i for i, kind in enumerate(_KINDS) if kind(c)), len(_KINDS)) for c in password}
    if len(kinds) < 2:
        raise PeopleRuleBroken(
            N_("Mix at least two kinds of character: letters, digits, spaces or symbols.")
        )
    if username and username.casefold() in password.casefold():
        raise PeopleRuleBroken(N_("A password may not contain the username."))


def one_time_password(username: str) -> str:
    """A random password for `username` to hand over once (they must change it at first
    sign-in), drawn again until the rule takes it: a short username ("an1") turns up in
    one draw of a few hundred, and creating that user failed."""
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(ONE_TIME_PASSWORD_LENGTH))
        try:
            check_strength(password, username)
        except PeopleRuleBroken:
            continue
        return password
