"""Who is who: users, their roles, deputies, and who may act for a role on a given day.

Pure values: the database keeps them (engine/), raci/directory_io.py reads and
writes them as YAML or CSV.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

ADMIN_ROLE = "admin"  # may reassign any task and manage the directory


@dataclass(frozen=True)
class User:
    username: str
    name: str
    email: str | None = None
    active: bool = True
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Role:
    name: str
    description: str = ""


@dataclass(frozen=True)
class Deputy:
    """`deputy` stands in for `principal` from `starts` to `ends`, both days included."""

    deputy: str
    principal: str
    starts: date
    ends: date

    def active_on(self, day: date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class Acting:
    """A user allowed to act for a role: as a member, or as a deputy on behalf of one."""

    user: str
    role: str
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class Directory:
    users: dict[str, User] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    deputies: tuple[Deputy, ...] = ()

    def is_active(self, username: str) -> bool:
        user = self.users.get(username)
        return user is not None and user.active

    def members(self, role: str) -> list[str]:
        """Active members of `role`, by username."""
        return sorted(u.username for u in self.users.values() if u.active and role in u.roles)

    def roles_of(self, username: str) -> frozenset[str]:
        """The roles of an active user (none for an unknown or inactive one)."""
        user = self.users.get(username)
        return frozenset(user.roles) if user is not None and user.active else frozenset()

    def is_member(self, username: str, role: str) -> bool:
        user = self.users.get(username)
        return user is not None and user.active and role in user.roles

    def principals_of(self, deputy: str, day: date) -> list[str]:
        """The active users `deputy` stands in for on `day`."""
        return sorted(
            d.principal
            for d in self.deputies
            if d.deputy == deputy and d.active_on(day) and self.is_active(d.principal)
        )

    def acting_as(
        self,
        username: str,
        roles: Iterable[str],
        day: date,
        *,
        not_for: Iterable[str] = (),
    ) -> Acting | None:
        """How `username` may act for one of `roles` on `day`, or None if they may not.

        Membership comes first; otherwise a deputy acts on behalf of an active
        member they stand in for, never on behalf of anyone in `not_for`.
        """
        if not self.is_active(username):
            return None
        roles = list(roles)
        for role in roles:
            if self.is_member(username, role):
                return Acting(username, role)
        excluded = set(not_for)
        for principal in self.principals_of(username, day):
            if principal in excluded:
                continue
            for role in roles:
                if self.is_member(principal, role):
                    return Acting(username, role, on_behalf_of=principal)
        return None

    def acting_roles(self, username: str, day: date) -> set[str]:
        """The roles `username` holds, and those of the people they stand in for on `day`."""
        if not self.is_active(username):
            return set()
        people = [username, *self.principals_of(username, day)]
        return {role for person in people for role in self.users[person].roles}

    def audience(self, roles: Iterable[str], day: date) -> list[str]:
        """Everyone who may act for `roles` on `day`: active members and their deputies."""
        people: set[str] = set()
        for role in roles:
            members = self.members(role)
            people.update(members)
            people.update(
                d.deputy
                for d in self.deputies
                if d.principal in members and d.active_on(day) and self.is_active(d.deputy)
            )
        return sorted(people)

    def is_admin(self, username: str) -> bool:
        return self.is_member(username, ADMIN_ROLE)

    def people_called(self, text: str) -> tuple[str, ...]:
        """The usernames `text` names, as a search box reads it: a username itself, else
        everyone (former staff too) whose name or username holds it, accents and case
        ignored ("ελενη" finds Ελένη). None found: `text` as typed, which matches nothing."""
        typed = text.strip()
        if typed.lower() in self.users:
            return (typed.lower(),)
        wanted = folded(typed)
        found = sorted(u.username for u in self.users.values() if wanted in folded(u.name))
        found += sorted(u for u in self.users if wanted in folded(u) and u not in found)
        return tuple(found) or (typed.lower(),)


def folded(text: str) -> str:
    """Lower case without accents, as people type a name into a search box."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
