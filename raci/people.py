"""Who may stand in for whom, and which roles may be granted: the people rules.

Pure values in, a refusal out: engine/commands/people.py applies them inside its
unit of work, the web and the CLI only show the answer. Messages are English
templates with named parameters, so each surface can translate them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from .directory import ADMIN_ROLE, Directory
from .messages import N_
from .visibility import ANALYST_ROLE

AUDITOR_ROLE = "auditor"
# Roles that oversee the work rather than do it: holding only these, a user has no
# work to hand over, and a deputy holding only these could not do the work either.
OVERSIGHT_ROLES = frozenset({ADMIN_ROLE, AUDITOR_ROLE, "process_owner"})
# Roles that read and do no work: an auditor may hold these beside their own.
READING_ROLES = OVERSIGHT_ROLES | {ANALYST_ROLE}
MAX_DEPUTY_DAYS = 366  # a stand-in is for an absence, not a standing delegation


class PeopleRuleBroken(Exception):
    """A people rule forbids the act; `message` % `params` says which, in English."""

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        self.message = message
        self.params = params or {}
        super().__init__(message % self.params)


def working_roles(directory: Directory, username: str) -> frozenset[str]:
    user = directory.users.get(username)
    return (user.roles - OVERSIGHT_ROLES) if user else frozenset()


def check_deputy(directory: Directory, principal: str, deputy: str) -> None:
    """Refuse an ineligible stand-in for `principal`.

    The deputy must be another active user who does work (holds a working role)
    and is not an auditor: whoever reviews the trail may not act in it. An auditor
    hands nothing over, and neither does someone without a working role.
    """
    if deputy == principal:
        raise PeopleRuleBroken(N_("Nobody can be their own deputy."))
    if not directory.is_active(deputy):
        raise PeopleRuleBroken(N_("%(user)s is not an active user."), {"user": deputy})
    if directory.is_member(principal, AUDITOR_ROLE):
        raise PeopleRuleBroken(N_("An auditor's role is not handed to a deputy."))
    if not working_roles(directory, principal):
        raise PeopleRuleBroken(N_("You hold no working role to hand to a deputy."))
    if directory.is_member(deputy, AUDITOR_ROLE):
        raise PeopleRuleBroken(
            N_("%(user)s is an auditor: who reviews the work may not do it."), {"user": deputy}
        )
    if not working_roles(directory, deputy):
        raise PeopleRuleBroken(
            N_("%(user)s holds no working role and could not do the work."), {"user": deputy}
        )


def audits_and_works(roles: Collection[str]) -> bool:
    """Whether `roles` make their holder an auditor who also does the work."""
    return AUDITOR_ROLE in roles and bool(set(roles) - READING_ROLES)


def working_auditors(directory: Directory) -> list[str]:
    """The auditors in `directory` who also hold a working role (an import refuses them)."""
    return sorted(u.username for u in directory.users.values() if audits_and_works(u.roles))


def auditor_deputies(directory: Directory) -> list[str]:
    """The deputies in `directory` who are auditors (a directory import refuses them)."""
    return sorted(
        {d.deputy for d in directory.deputies if directory.is_member(d.deputy, AUDITOR_ROLE)}
    )


def check_deputy_period(
    starts: date, ends: date, *, today: date, taken: Iterable[tuple[date, date]] = ()
) -> None:
    """Refuse a period from `starts` to `ends` (days included) that is over, longer than
    a year, or overlaps one of `taken`: one stand-in at a time."""
    if ends < starts:
        raise PeopleRuleBroken(N_("The last day comes before the first."))
    if ends < today:
        raise PeopleRuleBroken(N_("The period is over already."))
    if (ends - starts).days >= MAX_DEPUTY_DAYS:
        raise PeopleRuleBroken(
            N_("A deputy stands in for at most %(days)s days."), {"days": MAX_DEPUTY_DAYS}
        )
    for start, end in taken:
        if start <= ends and starts <= end:
            raise PeopleRuleBroken(
                N_("A deputy is named already from %(starts)s to %(ends)s."),
                {"starts": start.isoformat(), "ends": end.isoformat()},
            )


def check_role_grant(directory: Directory, username: str, role: str, *, today: date) -> None:
    """Refuse giving `role` to `username` where it would break segregation of duties.

    Who reviews the work may not do it: an auditor is given no working role, and a
    user who holds one is not made an auditor. Nor may an auditor stand in for anyone:
    the auditor role is refused to a user who is someone's deputy today or later.
    """
    if role not in directory.roles:
        raise PeopleRuleBroken(N_("There is no role %(role)s."), {"role": role})
    if role == AUDITOR_ROLE:
        for d in directory.deputies:
            if d.deputy == username and d.ends >= today:
                raise PeopleRuleBroken(
                    N_(
                        "%(user)s is a deputy for %(principal)s until %(ends)s: "
                        "an auditor may not stand in for anyone."
                    ),
                    {"user": username, "principal": d.principal, "ends": d.ends.isoformat()},
                )

    held = directory.users[username].roles if username in directory.users else frozenset()
    if audits_and_works(held | {role}):
        raise PeopleRuleBroken(
            N_(
                "%(user)s would be an auditor with a working role: "
                "who reviews the work may not do it."
            ),
            {"user": username},
        )


def check_admins_left(directory: Directory, username: str) -> None:
    """Refuse taking the last active admin away: nobody could manage the directory."""
    if directory.members(ADMIN_ROLE) == [username]:
        raise PeopleRuleBroken(N_("%(user)s is the last active administrator."), {"user": username})
