"""The RACI rules applied at run time: who may work, sign off, answer and be told.

Each check returns how the user acts (`Acting`: as a member, or as a deputy on
behalf of one) or raises `Refused` naming the rule. The engine calls these and
records the outcome; nothing here touches storage.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from .directory import Acting, Directory
from .matrix import ActivityRow, Letter


def N_(message: str) -> str:  # the name pybabel extracts by default
    """Mark `message` for translation; the web layer translates it when it shows it."""
    return message


class Refused(Exception):
    """A RACI rule forbids the act.

    With `params`, `message` is a template marked by N_ (a msgid), so that the web
    layer can show it in the user's language: `gettext(refused.message) % params`.
    """

    def __init__(self, letter: Letter, message: str, params: dict[str, Any] | None = None) -> None:
        self.letter = letter
        self.template = message if params is not None else None
        self.params = dict(params or {})
        self.message = message % self.params if params is not None else message
        super().__init__(self.message)


def may_work(
    directory: Directory, row: ActivityRow, user: str, day: date, *, routed_to: str | None = None
) -> Acting:
    """R: a member of an R role (or their active deputy) may claim and complete.

    A task routed to a named person (`routed_to`: the matrix's assign_to, or a scoped
    R role) is theirs alone, or their deputy's, until it is reassigned.
    """
    acting = directory.acting_as(user, row.responsible, day)
    if acting is None:
        raise Refused(
            Letter.R, f"{user} is not responsible for '{row.activity}' ({_roles(row.responsible)})"
        )
    if routed_to is not None and not _is_or_stands_in_for(directory, user, routed_to, day):
        raise Refused(
            Letter.R,
            N_(
                "'%(task)s' is assigned to %(person)s: %(user)s may not take it"
                " (a supervisor may reassign it)"
            ),
            {"task": row.activity, "person": routed_to, "user": user},
        )
    if routed_to is not None and user != routed_to:  # a deputy acts for the person
        acting = Acting(user, acting.role, on_behalf_of=routed_to)
    return acting


def _is_or_stands_in_for(directory: Directory, user: str, person: str, day: date) -> bool:
    return user == person or person in directory.principals_of(user, day)


def route(directory: Directory, row: ActivityRow, person: object) -> str:
    """The person a task goes to: `person` must be an active member of one of its R roles.

    Refused (the task then stays in its roles' queue) names why.
    """
    if not isinstance(person, str) or not person:
        raise Refused(
            Letter.R,
            N_("'%(task)s' names nobody to assign it to (%(variable)s is empty)"),
            {"task": row.activity, "variable": row.rules.assign_to or "-"},
        )
    if not any(directory.is_member(person, role) for role in row.responsible):
        raise Refused(
            Letter.R,
            N_("%(person)s is not responsible for '%(task)s' (%(roles)s): it stays in the queue"),
            {"person": person, "task": row.activity, "roles": _roles(row.responsible)},
        )
    return person


def needs_signoff(
    row: ActivityRow, directory: Directory, performer: Acting, signer: str | None = None
) -> bool:
    """Whether completed work waits for A: always, unless self-approval is allowed and used.

    `signer` is the role that signs this data, when a level table raised it above A.
    """
    role = signer or row.accountable
    if role is None:
        return False
    self_approved = row.rules.self_approval and directory.is_member(performer.user, role)
    return not self_approved


def signing_role(levels: Sequence[str], row: ActivityRow, required: object) -> str:
    """The role that signs `row`'s work: its A, raised to the level the signed data needs.

    Never lower than the matrix's A: a table asking for less leaves A signing.
    """
    if not isinstance(required, str) or required not in levels:
        raise Refused(
            Letter.A,
            f"the level table gave {required!r} for '{row.activity}', not a level"
            f" ({', '.join(levels)}): nobody may sign it",
        )
    accountable = row.accountable
    if accountable in levels and levels.index(accountable) >= levels.index(required):
        return accountable
    return required


def may_sign_off(
    directory: Directory,
    row: ActivityRow,
    user: str,
    day: date,
    *,
    performer: str,
    performer_for: str | None = None,
    earlier_performers: Collection[str] = (),
    signer: str | None = None,
) -> Acting:
    """A: a member of the A role signs off, never the performer nor anyone acting for them.

    Work sent back for rework may be done again by someone else: whoever did it (or had
    it done for them) in an earlier round, `earlier_performers`, may not sign it either.
    `signer` is the role the data signed needs, when a level table raised it above A.
    """
    if user == performer:
        raise Refused(
            Letter.A, f"{user} performed '{row.activity}' and cannot sign it off (four eyes)"
        )
    if performer_for is not None and user == performer_for:
        raise Refused(
            Letter.A,
            f"{user}'s deputy performed '{row.activity}' for them; they cannot sign it off",
        )
    if user in earlier_performers:
        raise Refused(
            Letter.A,
            f"{user} worked on '{row.activity}' before it was sent back and cannot sign it off"
            " (four eyes)",
        )
    role = signer or row.accountable
    acting = directory.acting_as(
        user,
        [role] if role else [],
        day,
        not_for=[performer, *([performer_for] if performer_for else []), *earlier_performers],
    )
    if acting is None and role != row.accountable:
        raise Refused(
            Letter.A,
            f"{user} may not sign '{row.activity}': the data submitted needs the authority"
            f" of {role}, above {row.accountable}",
        )
    if acting is None:
        raise Refused(Letter.A, f"{user} is not accountable for '{row.activity}' ({role})")
    return acting


def may_answer(
    directory: Directory, role: str, user: str, day: date, *, routed_to: str | None = None
) -> Acting:
    """C: a member of the consulted role (or their deputy) answers for the role; for a
    role scoped to the case, only the case's own person (`routed_to`) or their deputy."""
    acting = directory.acting_as(user, [role], day)
    if acting is None:
        raise Refused(Letter.C, f"{user} cannot answer for {role}")
    if routed_to is not None and not _is_or_stands_in_for(directory, user, routed_to, day):
        raise Refused(
            Letter.C,
            N_("Only %(person)s, the case's own %(role)s, may answer this, not %(user)s"),
            {"person": routed_to, "role": role, "user": user},
        )
    if routed_to is not None and user != routed_to:
        acting = Acting(user, role, on_behalf_of=routed_to)
    return acting


def may_override(directory: Directory, row: ActivityRow, user: str, day: date) -> Acting:
    """A may let the work go on without the consultations still unanswered."""
    role = row.accountable
    acting = directory.acting_as(user, [role] if role else [], day)
    if acting is None:
        raise Refused(
            Letter.A, f"only {role} may override consultation on '{row.activity}', not {user}"
        )
    return acting


def may_reassign(
    directory: Directory,
    row: ActivityRow,
    user: str,
    target: str,
    day: date,
    *,
    routed_to: str | None = None,
) -> tuple[Acting | None, Acting]:
    """An R member or an admin hands the task to `target`, who must be able to work it.

    A task routed to a named person is handed on only by that person (or their
    deputy), a supervisor (the row's A) or an admin: other R members may not take it
    by reassigning it to themselves.
    """
    by = directory.acting_as(user, row.responsible, day)
    if routed_to is not None and not _is_or_stands_in_for(directory, user, routed_to, day):
        supervisor = [row.accountable] if row.accountable else []
        by = directory.acting_as(user, supervisor, day)
        if by is None and not directory.is_admin(user):
            raise Refused(
                Letter.R,
                N_(
                    "'%(task)s' is assigned to %(person)s: only they, %(role)s or an admin may"
                    " reassign it"
                ),
                {"task": row.activity, "person": routed_to, "role": row.accountable or "-"},
            )
    if by is None and not directory.is_admin(user):
        raise Refused(Letter.R, f"{user} may not reassign '{row.activity}'")
    to = directory.acting_as(target, row.responsible, day)
    if to is None:
        raise Refused(
            Letter.R,
            f"{target} is not responsible for '{row.activity}' ({_roles(row.responsible)})",
        )
    return by, to


def informed(
    directory: Directory, row: ActivityRow, audience: Mapping[str, str | None] | None = None
) -> list[str]:
    """I: every active member of the informed roles; of a role scoped to the case, only
    the case's person (`audience`), when the case names one."""
    audience = audience or {}
    return sorted(
        {
            user
            for role in row.informed
            for user in ([audience[role]] if audience.get(role) else directory.members(role))
        }
    )


def _roles(roles: list[str]) -> str:
    return ", ".join(roles) or "no R role"
