"""The RACI rules applied at run time: who may work, sign off, answer and be told.

Each check returns how the user acts (`Acting`: as a member, or as a deputy on
behalf of one) or raises `Refused` naming the rule. The engine calls these and
records the outcome; nothing here touches storage. Who may *see* a task or a case,
and who may cancel one, is raci/visibility.py's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from .directory import Acting, Directory
from .matrix import ActivityRow, Letter
from .messages import N_, Message


class Refused(Exception):
    """A RACI rule forbids the act; `msg` says why in words the surface translates.

    `msg` is a Message, or an N_-marked msgid with its `params` (the same thing, spelt out).
    """

    def __init__(
        self, letter: Letter, msg: Message | str, params: dict[str, Any] | None = None
    ) -> None:
        if not isinstance(msg, Message):
            msg = Message(msg, **(params or {}))
        super().__init__(str(msg))
        self.letter = letter
        self.msg = msg
        self.message = str(msg)

    @property
    def template(self) -> str:
        return self.msg.msgid

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.msg.params)


def may_work(
    directory: Directory,
    row: ActivityRow,
    user: str,
    day: date,
    *,
    routed_to: str | None = None,
    claimed_by: str | None = None,
) -> Acting:
    """R: a member of an R role (or their active deputy) may claim and complete.

    A task routed to a named person (`routed_to`: the matrix's assign_to, or a scoped
    R role) is theirs alone, or their deputy's, until it is reassigned. So is a task
    someone has claimed (`claimed_by`): while they are away their deputy carries it
    on, for them; nobody else takes it from them.
    """
    acting = directory.acting_as(user, row.responsible, day)
    if acting is None:
        raise Refused(Letter.R, _not_responsible(user, row))
    if routed_to is not None and not is_or_stands_in_for(directory, user, routed_to, day):
        raise Refused(
            Letter.R,
            N_(
                "'%(task)s' is assigned to %(person)s: %(user)s may not take it"
                " (a supervisor may reassign it)"
            ),
            {"task": row.activity, "person": routed_to, "user": user},
        )
    if claimed_by is not None and not is_or_stands_in_for(directory, user, claimed_by, day):
        raise Refused(
            Letter.R,
            N_("the task is already claimed by %(user)s"),
            {"user": claimed_by},
        )
    # A deputy acts for the person whose task it is: the claimant first, else the routed.
    holder = next((p for p in (claimed_by, routed_to) if p not in (None, user)), None)
    if holder is not None:
        acting = Acting(user, acting.role, on_behalf_of=holder)
    return acting


def is_or_stands_in_for(directory: Directory, user: str, person: str, day: date) -> bool:
    """Whether `user` is `person`, or their deputy on `day`: who may carry on their work."""
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
            {"person": person, "task": row.activity, "roles": list(row.responsible)},
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
            Message(
                N_(
                    "the level table gave %(value)s for '%(task)s', not a level (%(roles)s):"
                    " nobody may sign it"
                ),
                value=repr(required),
                task=row.activity,
                roles=list(levels),
            ),
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
    requester: str | None = None,
    levels: Sequence[str] = (),
) -> Acting:
    """A: a member of the A role signs off, never the performer nor anyone acting for them.

    Work sent back for rework may be done again by someone else: whoever did it (or had
    it done for them) in an earlier round, `earlier_performers`, may not sign it either.
    Nor may the `requester`, who asked for the case: a request is their own work, even
    when they stand in for its signer.
    `signer` is the role the data signed needs, when a level table raised it above A on
    the matrix's `levels` (lowest first).
    """
    # Four eyes: whose own work it is, each refused with its own words.
    own_work = (
        (requester, N_("%(user)s asked for this case and cannot sign '%(task)s' off (four eyes)")),
        (performer, N_("%(user)s performed '%(task)s' and cannot sign it off (four eyes)")),
        (
            performer_for,
            N_("%(user)s's deputy performed '%(task)s' for them; they cannot sign it off"),
        ),
    )
    for person, said in own_work:
        if person is not None and user == person:
            raise Refused(Letter.A, Message(said, user=user, task=row.activity))
    if user in earlier_performers:
        raise Refused(
            Letter.A,
            Message(
                N_(
                    "%(user)s worked on '%(task)s' before it was sent back and cannot sign it off"
                    " (four eyes)"
                ),
                user=user,
                task=row.activity,
            ),
        )
    role = signer or row.accountable
    not_for = [*(person for person, _ in own_work if person), *earlier_performers]
    acting = directory.acting_as(user, [role] if role else [], day, not_for=not_for)
    # "Above your authority" is said to whoever signs this row at a lower level; anyone
    # else is simply not its signer (a sales manager only told of it is not "too low").
    if (
        acting is None
        and role != row.accountable
        and directory.acting_as(user, _below(row, role, levels), day, not_for=not_for) is not None
    ):
        raise Refused(
            Letter.A,
            Message(
                N_(
                    "%(user)s may not sign '%(task)s': the data submitted needs the authority"
                    " of %(role)s, above %(accountable_role)s"
                ),
                user=user,
                task=row.activity,
                role=role,
                accountable_role=row.accountable,
            ),
        )
    if acting is None:
        raise Refused(
            Letter.A,
            Message(
                N_("%(user)s is not accountable for '%(task)s' (%(role)s)"),
                user=user,
                task=row.activity,
                role=role,
            ),
        )
    return acting


def _below(row: ActivityRow, role: str | None, levels: Sequence[str]) -> list[str]:
    """The roles that sign `row` at a level below `role`: its A and the lower levels."""
    lower = levels[: levels.index(role)] if role in levels else ()
    return [r for r in (row.accountable, *lower) if r and r != role]


def may_answer(
    directory: Directory, role: str, user: str, day: date, *, routed_to: str | None = None
) -> Acting:
    """C: a member of the consulted role (or their deputy) answers for the role; for a
    role scoped to the case, only the case's own person (`routed_to`) or their deputy."""
    acting = directory.acting_as(user, [role], day)
    if acting is None:
        raise Refused(
            Letter.C, Message(N_("%(user)s cannot answer for %(role)s"), user=user, role=role)
        )
    if routed_to is not None and not is_or_stands_in_for(directory, user, routed_to, day):
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
            Letter.A,
            Message(
                N_("only %(role)s may override consultation on '%(task)s', not %(user)s"),
                role=role,
                task=row.activity,
                user=user,
            ),
        )
    return acting


def may_hand_over(
    directory: Directory, row: ActivityRow, user: str, day: date, *, routed_to: str | None = None
) -> Acting | None:
    """Who may reassign a task: an R member, a supervisor or an admin (None: as admin).

    The supervisor is a member of the row's A role when it is another role than R: who
    signs the work also shares it out (a colleague is away, a queue piles up). A task
    routed to a named person is handed on only by that person (or their deputy), the
    supervisor or an admin: other R members may not take it by reassigning it to
    themselves, not even on a row where their own role also signs (R/A).
    """
    supervisor = row.accountable if row.accountable not in row.responsible else None
    as_supervisor = directory.acting_as(user, [supervisor], day) if supervisor else None
    if routed_to is not None and not is_or_stands_in_for(directory, user, routed_to, day):
        if as_supervisor is None and not directory.is_admin(user):
            raise _only_they_may_reassign(row, routed_to, supervisor)
        return as_supervisor
    by = directory.acting_as(user, row.responsible, day) or as_supervisor
    if by is None and not directory.is_admin(user):
        raise Refused(
            Letter.R,
            Message(N_("%(user)s may not reassign '%(task)s'"), user=user, task=row.activity),
        )
    return by


def _only_they_may_reassign(row: ActivityRow, person: str, supervisor: str | None) -> Refused:
    params = {"task": row.activity, "person": person, "role": supervisor}
    if supervisor is None:
        text = N_("'%(task)s' is assigned to %(person)s: only they or an admin may reassign it")
    else:
        text = N_(
            "'%(task)s' is assigned to %(person)s: only they, %(role)s or an admin may reassign it"
        )
    return Refused(Letter.R, text, params)


def may_reassign(
    directory: Directory,
    row: ActivityRow,
    user: str,
    target: str,
    day: date,
    *,
    routed_to: str | None = None,
) -> tuple[Acting | None, Acting]:
    """Someone who may hand the task over gives it to `target`, who must be able to work it."""
    by = may_hand_over(directory, row, user, day, routed_to=routed_to)
    to = directory.acting_as(target, row.responsible, day)
    if to is None:
        raise Refused(Letter.R, _not_responsible(target, row))
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


def _not_responsible(user: str, row: ActivityRow) -> Message:
    if not row.responsible:
        return Message(
            N_("%(user)s is not responsible for '%(task)s' (no R role)"),
            user=user,
            task=row.activity,
        )
    return Message(
        N_("%(user)s is not responsible for '%(task)s' (%(roles)s)"),
        user=user,
        task=row.activity,
        roles=list(row.responsible),
    )
