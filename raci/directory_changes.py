"""What a directory import changes: the roles it brings, the memberships it moves.

A directory file replaces the whole directory, and a role is only a name in it: a
role misspelt on a few rows ("credit_controler") would silently become a new role and
take its members out of the real one, emptying their queues. So an import may bring a
role the directory does not have only when told to; and what it changes for each
person is put on the trail, not only counted.
"""

from __future__ import annotations

from dataclasses import replace
from difflib import get_close_matches
from typing import Any

from .directory import Directory, User


def roles_brought(before: Directory, after: Directory) -> list[str]:
    """The roles `after` has that `before` does not (none when `before` has no roles yet:
    the first import brings them all)."""
    if not before.roles:
        return []
    return sorted(after.roles.keys() - before.roles.keys())


def unexpected_role(role: str, before: Directory) -> str:
    """Why `role` is refused, with the existing role it was probably meant to be."""
    [near] = get_close_matches(role, sorted(before.roles), n=1) or [None]
    meant = f" (did you mean '{near}'?)" if near else ""
    return f"'{role}' is not a role of the directory{meant}"


def with_blanks_kept(before: Directory, after: Directory) -> Directory:
    """`after`, where it leaves a text blank keeping what `before` had: a role's
    description (a CSV file holds none: exporting and importing it again lost every
    one), a user's name and e-mail (a cell left empty, or a CSV file without the
    column, wiped them for everyone, and e-mail notices stopped without a word).
    A file changes these texts; the admin's user page is where one is erased."""
    roles = {
        name: replace(role, description=before.roles[name].description)
        if not role.description and name in before.roles
        else role
        for name, role in after.roles.items()
    }
    users = {
        username: _user_blanks_kept(before.users.get(username), user)
        for username, user in after.users.items()
    }
    return replace(after, roles=roles, users=users)


def _user_blanks_kept(before: User | None, user: User) -> User:
    if before is None:
        return user
    return replace(user, name=user.name or before.name, email=user.email or before.email)


def membership_changes(before: Directory, after: Directory) -> dict[str, Any]:
    """The trail's account of an import: roles added and removed, and per user the roles
    gained and lost (users new to the directory count as gaining all of theirs)."""
    people: dict[str, dict[str, list[str]]] = {}
    for username in sorted(before.users.keys() | after.users.keys()):
        had = before.users[username].roles if username in before.users else frozenset()
        has = after.users[username].roles if username in after.users else had
        gained, lost = sorted(has - had), sorted(had - has)
        if gained or lost:
            people[username] = {"gained": gained, "lost": lost}
    return {
        "roles_added": sorted(after.roles.keys() - before.roles.keys()),
        "roles_removed": sorted(before.roles.keys() - after.roles.keys()),
        "memberships": people,
    }
