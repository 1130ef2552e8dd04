"""The administrator's side of the directory: users, their details and role membership.

Every command refuses anyone but an active admin, applies raci/people.py's rules,
and leaves one audit event on the system chain.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from raci.directory import Directory, User, folded
from raci.messages import Message
from raci.people import N_, PeopleRuleBroken, check_admins_left, check_role_grant

from .. import audit
from ..errors import ConcurrencyConflict, NotFound, PeopleInvalid, PeopleRefused
from ..passwords import one_time_password
from .accounts import store_password
from .base import EngineBase

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


PasswordState = Literal["none", "one_time", "own"]


PASSWORD_GIVEN_SINCE = N_(
    "A new one-time password was given since this page was opened, and shown once."
    " To give another, use the button again."
)


class UserAdminCommands(EngineBase):
    """Create, change, deactivate and reactivate users; add and remove their roles."""

    def find_users(self, *, by: str, query: str = "") -> list[User]:
        """Users whose username, name or e-mail holds `query` (accents and case ignored)."""
        with self.reader() as uow:
            directory = _admin_directory(uow, by)
        wanted = folded(query.strip())
        found = [
            u
            for u in directory.users.values()
            if wanted in folded(" ".join((u.username, u.name, u.email or "")))
        ]
        return sorted(found, key=lambda u: (not u.active, folded(u.name)))

    def user_record(self, username: str, *, by: str) -> tuple[User, list[str], PasswordState]:
        """A user, every role there is (for the page), and the state of their password:
        none yet (a directory import brings people, not passwords), a one-time one still
        to be changed, or their own."""
        with self.reader() as uow:
            directory = _admin_directory(uow, by)
            user = _user(directory, username)
            has_one, one_time = uow.accounts.password_state(username)
            state: PasswordState = "none" if not has_one else "one_time" if one_time else "own"
            return user, sorted(directory.roles), state

    def create_user(
        self, username: str, *, name: str, email: str | None, roles: list[str], by: str
    ) -> str:
        """Add a user with a one-time password, returned to be shown once: its owner must
        change it at first sign-in."""
        username, name, email = username.strip().lower(), name.strip(), _email(email)
        if not USERNAME.fullmatch(username):
            raise PeopleInvalid(
                N_(
                    "A username is 2 to 64 lower-case Latin letters, digits, dots, hyphens "
                    "or underscores."
                )
            )
        _check_name(name)
        password = one_time_password(username)
        with self.uow() as uow:
            directory = _admin_directory_to_change(uow, by)
            if username in directory.users:
                # Not "user": that parameter is shown as the person's name, not what was typed.
                taken = N_("The username %(username)s is taken.")
                raise PeopleInvalid(taken, {"username": username})
            for role in roles:
                _apply(check_role_grant, directory, username, role, today=uow.now.date())
            uow.directory.add_user(User(username, name, email, True, frozenset(roles)))
            store_password(uow, username, password, must_change=True)
            _record(uow, by, "user_created", username, name=name, email=email, roles=sorted(roles))
            uow.commit()
        return password

    def password_version(self, username: str) -> str:
        """What the user's password is now, as a fingerprint (see reset_password)."""
        with self.reader() as uow:
            return uow.accounts.password_version(username)

    def reset_password(self, username: str, *, by: str, version: str | None = None) -> str:
        """Give a user a new one-time password (shown once); their sessions end.

        With `version` (password_version when the admin's page was drawn), only if the
        password is still that one: a reloaded answer page, which posts again, would
        otherwise replace the password just handed over with one nobody saw.
        """
        password = one_time_password(username)
        with self.uow() as uow:
            _user(_admin_directory(uow, by), username)
            if version is not None and uow.accounts.password_version(username) != version:
                raise ConcurrencyConflict(Message(PASSWORD_GIVEN_SINCE))
            store_password(uow, username, password, must_change=True)
            uow.accounts.end_sessions(username)
            uow.accounts.delete_tokens(username, hash_prefix=None, label=None)
            _record(uow, by, "password_reset", username)
            uow.commit()
        return password

    def update_user(self, username: str, *, name: str, email: str | None, by: str) -> None:
        """Change a user's display name and e-mail; the event shows old and new."""
        name, email = name.strip(), _email(email)
        _check_name(name)
        with self.uow() as uow:
            user = _user(_admin_directory_to_change(uow, by), username)
            changes = {
                key: [old, new]
                for key, old, new in (("name", user.name, name), ("email", user.email, email))
                if old != new
            }
            if changes:
                uow.directory.update_user(username, name=name, email=email)
                _record(uow, by, "user_changed", username, changes=changes)
                uow.commit()

    def set_user_active(self, username: str, active: bool, *, by: str) -> None:
        """Deactivate (their sessions end; they keep their history) or reactivate a user."""
        with self.uow() as uow:
            directory = _admin_directory_to_change(uow, by)
            user = _user(directory, username)
            if user.active == active:
                return
            if not active:
                if username == by:
                    raise PeopleInvalid(N_("You cannot deactivate yourself."))
                _apply(check_admins_left, directory, username)
                uow.accounts.end_sessions(username)
                self._hand_back_claims(uow, username, by=by)  # engine/commands/tasks.py
            uow.directory.update_user(username, active=active)
            action = "user_reactivated" if active else "user_deactivated"
            _record(uow, by, action, username)
            uow.commit()

    def add_role(self, username: str, role: str, *, by: str) -> None:
        with self.uow() as uow:
            directory = _admin_directory_to_change(uow, by)
            user = _user(directory, username)
            _apply(check_role_grant, directory, username, role, today=uow.now.date())
            if role in user.roles:
                raise PeopleInvalid(
                    N_("%(user)s already holds the role %(role)s."),
                    {"user": username, "role": role},
                )
            uow.directory.add_member(username, role)
            _record(uow, by, "role_added", username, role=role)
            uow.commit()

    def remove_role(self, username: str, role: str, *, by: str) -> None:
        with self.uow() as uow:
            directory = _admin_directory_to_change(uow, by)
            user = _user(directory, username)
            if role not in user.roles:
                raise PeopleInvalid(
                    N_("%(user)s does not hold the role %(role)s."),
                    {"user": username, "role": role},
                )
            if role == "admin":
                _apply(check_admins_left, directory, username)
            uow.directory.remove_member(username, role)
            _record(uow, by, "role_removed", username, role=role)
            uow.commit()


def _admin_directory(uow: Any, by: str) -> Directory:
    return _admin_only(uow.directory.load(), by)


def _admin_directory_to_change(uow: Any, by: str) -> Directory:
    """The directory for a change, writers taking turns (DirectoryRepository.load_for_change)."""
    return _admin_only(uow.directory.load_for_change(), by)


def _admin_only(directory: Directory, by: str) -> Directory:
    if not directory.is_admin(by):
        raise PeopleRefused(N_("Only an administrator may manage users."))
    return directory


def _user(directory: Directory, username: str) -> User:
    user = directory.users.get(username)
    if user is None:
        raise NotFound(f"user {username} does not exist")
    return user


def _apply(rule: Any, *args: Any, **kwargs: Any) -> None:
    try:
        rule(*args, **kwargs)
    except PeopleRuleBroken as broken:
        raise PeopleInvalid(broken.message, broken.params) from None


def _check_name(name: str) -> None:
    if not 1 <= len(name) <= 200:
        raise PeopleInvalid(N_("A name is 1 to 200 characters."))


def _email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 320 or not EMAIL.fullmatch(email):
        raise PeopleInvalid(N_("%(email)s is not an e-mail address."), {"email": email})
    return email


def _record(uow: Any, by: str, action: str, username: str, **details: Any) -> None:
    uow.audit.record(
        audit.SYSTEM_STREAM,
        occurred_at=uow.now,
        actor=by,
        action=action,
        details={"user": username, **details},
    )
