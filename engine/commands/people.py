"""People at work: one's own password and deputies, and whom a task may be handed to.

The rules are raci/people.py's (deputies), engine/passwords.py's (passwords) and
raci/policy.py's (reassign); each command is one unit of work and one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from werkzeug.security import check_password_hash

from raci import policy
from raci.directory import ADMIN_ROLE, Deputy, Directory, User, folded
from raci.messages import Message
from raci.people import N_, PeopleRuleBroken, check_deputy, check_deputy_period

from .. import audit
from ..errors import InvalidState, NotAllowed, NotFound, PeopleInvalid, PeopleRefused
from ..model import TaskStatus
from .accounts import store_password
from .base import EngineBase


@dataclass(frozen=True)
class Account:
    """What the account page shows of its user."""

    user: User
    locale: str
    must_change_password: bool
    deputies: list[dict[str, Any]]  # the stand-ins this user has set: id, deputy, starts, ends
    standing_in_for: list[Deputy]  # whom this user stands in for, now or later


class PeopleCommands(EngineBase):
    """One's own account: password, deputies; and the choices of a reassignment."""

    def account(self, username: str) -> Account:
        with self.reader() as uow:
            directory = uow.directory.load()
            if username not in directory.users:
                raise NotFound(f"user {username} does not exist")
            today = uow.now.date()
            return Account(
                user=directory.users[username],
                locale=uow.accounts.locale(username) or "el",
                must_change_password=uow.accounts.must_change_password(username),
                deputies=uow.directory.deputies_of(username),
                standing_in_for=[
                    d for d in directory.deputies if d.deputy == username and d.ends >= today
                ],
            )

    def must_change_password(self, username: str) -> bool:
        with self.reader() as uow:
            return uow.accounts.must_change_password(username)

    def change_password(self, username: str, *, current: str, new: str) -> None:
        """Change one's own password: the current one first, then the rule; the user's
        other sessions end and their API tokens are revoked (see set_password)."""
        with self.uow() as uow:
            found = uow.accounts.password_hash(username)
            if not found or not found[0] or not check_password_hash(found[0], current):
                raise PeopleRefused(N_("The current password is wrong."))
            if new == current:
                raise PeopleInvalid(N_("The new password must differ from the current one."))
            store_password(uow, username, new, must_change=False)
            uow.accounts.end_sessions(username)
            revoked = uow.accounts.delete_tokens(username, hash_prefix=None, label=None)
            uow.audit.record(
                audit.SYSTEM_STREAM,
                occurred_at=uow.now,
                actor=username,
                action="password_changed",
                details={"user": username, "tokens_revoked": len(revoked)},
            )
            uow.commit()

    def deputy_choices(self, principal: str) -> list[User]:
        """The users `principal` may name as their deputy (raci/people.py's rule)."""
        with self.reader() as uow:
            directory = uow.directory.load()
        chosen = []
        # By name as people read it: accents and case aside (Άννα next to Αλεξάνδρα).
        for user in sorted(directory.users.values(), key=lambda u: (folded(u.name), u.name)):
            try:
                check_deputy(directory, principal, user.username)
            except PeopleRuleBroken:
                continue
            chosen.append(user)
        return chosen

    def set_deputy(
        self, principal: str, deputy: str, *, starts: date, ends: date, by: str | None = None
    ) -> int:
        """Name a stand-in for `principal` from `starts` to `ends`; its id.

        `by`: who names them, the principal (the default) or an admin covering someone
        absent, who could not name their own."""
        by = by or principal
        with self.uow() as uow:
            directory = uow.directory.load_for_change()
            _may_name_deputies(directory, principal, by)
            taken = [(d["starts"], d["ends"]) for d in uow.directory.deputies_of(principal)]
            try:
                check_deputy(directory, principal, deputy)
                check_deputy_period(starts, ends, today=uow.now.date(), taken=taken)
            except PeopleRuleBroken as broken:
                raise PeopleInvalid(broken.message, broken.params) from None
            deputy_id = uow.directory.add_deputy(Deputy(deputy, principal, starts, ends))
            _record(uow, by, "deputy_set", principal, deputy, starts, ends)
            uow.commit()
        return deputy_id

    def remove_deputy(self, principal: str, deputy_id: int, *, by: str | None = None) -> None:
        """End one of `principal`'s stand-ins (NotFound: not one of theirs); `by` as in
        set_deputy."""
        by = by or principal
        with self.uow() as uow:
            _may_name_deputies(uow.directory.load(), principal, by)
            removed = uow.directory.remove_deputy(principal, deputy_id)
            if removed is None:
                raise NotFound(f"no deputy {deputy_id} of {principal}")
            _record(
                uow, by, "deputy_removed", principal, removed.deputy, removed.starts,
                removed.ends,
            )  # fmt: skip
            uow.commit()

    def may_hand_over(self, task_id: str, *, user: str) -> bool:
        """Whether `user` may reassign the task now (raci.policy.may_hand_over)."""
        with self.reader() as uow:
            task = uow.tasks.get(task_id)
            if task.status != TaskStatus.READY:
                return False
            governance = self._governance(uow, uow.instances.get(task.instance_id).version_id)
            if governance is None:
                return False
            row, today = governance.row(task), governance.today
            try:
                policy.may_hand_over(
                    governance.directory, row, user, today, routed_to=task.routed_to
                )
            except policy.Refused:
                return False
            return True

    def reassign_choices(self, task_id: str, *, user: str) -> list[User]:
        """Whom `user` may hand an open task to: raci.policy.may_reassign decides, for
        each active user; refused (RaciRefusal) if `user` may not reassign it at all."""
        with self.reader() as uow:
            task = uow.tasks.get(task_id)
            if task.status != TaskStatus.READY:
                raise InvalidState(f"task {task_id} is {task.status}")
            governance = self._governance(uow, uow.instances.get(task.instance_id).version_id)
            if governance is None:
                return []
            directory, row, today = governance.directory, governance.row(task), governance.today
        governance.check(task, policy.may_hand_over, row, user, today, routed_to=task.routed_to)
        choices = []
        for candidate in sorted(directory.users.values(), key=lambda u: u.name):
            if candidate.username == task.assignee or not candidate.active:
                continue
            try:
                policy.may_reassign(
                    directory, row, user, candidate.username, today, routed_to=task.routed_to
                )
            except policy.Refused:
                continue
            choices.append(candidate)
        return choices


def _may_name_deputies(directory: Directory, principal: str, by: str) -> None:
    """One names one's own deputies; an admin anyone's."""
    if by != principal and not directory.is_member(by, ADMIN_ROLE):
        raise NotAllowed(
            Message(
                N_("%(user)s may not name the deputies of %(principal)s"),
                user=by,
                principal=principal,
            )
        )


def _record(
    uow: Any, actor: str, action: str, principal: str, deputy: str, starts: date, ends: date
) -> None:
    uow.audit.record(
        audit.SYSTEM_STREAM,
        occurred_at=uow.now,
        actor=actor,
        action=action,
        details={
            "principal": principal,
            "deputy": deputy,
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
        },
    )
