"""Sign-in: passwords, API tokens, each user's language and saved inbox filters."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..errors import InvalidState, NotFound
from .base import EngineBase

MIN_PASSWORD_LENGTH = 10
LOCALES = ("el", "en")
# Checked against when the user does not exist, so that timing does not reveal who does.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountCommands(EngineBase):
    """Passwords (hashed with scrypt), API tokens (stored as SHA-256), preferences."""

    def set_password(self, username: str, password: str, *, by: str) -> None:
        """Set a user's password (at least 10 characters); recorded without the password."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidState(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        with self.uow() as uow:
            if not uow.accounts.set_password_hash(username, generate_password_hash(password)):
                raise NotFound(f"user {username} does not exist")
            uow.audit.record(
                audit.SYSTEM_STREAM,
                occurred_at=uow.now,
                actor=by,
                action="password_set",
                details={"user": username},
            )
            uow.commit()

    def authenticate(self, username: str, password: str) -> bool:
        """Whether an active user with this password exists."""
        with self.uow() as uow:
            found = uow.accounts.password_hash(username)
        password_hash, active = found if found and found[0] else (_DUMMY_HASH, False)
        return check_password_hash(password_hash, password) and active

    def create_token(self, username: str, *, label: str) -> str:
        """A new API token for `username`; only its hash is stored, so show it once."""
        token = secrets.token_urlsafe(32)
        with self.uow() as uow:
            if username not in uow.directory.load().users:
                raise NotFound(f"user {username} does not exist")
            uow.accounts.add_token(_token_hash(token), username, label, uow.now)
            uow.commit()
        return token

    def token_user(self, token: str) -> str | None:
        """The active user an API token belongs to, or None."""
        with self.uow() as uow:
            username = uow.accounts.token_owner(_token_hash(token), uow.now)
            if username is None or not uow.directory.load().is_active(username):
                return None
            uow.commit()
        return username

    def locale(self, username: str) -> str:
        with self.uow() as uow:
            return uow.accounts.locale(username) or LOCALES[0]

    def set_locale(self, username: str, locale: str) -> None:
        if locale not in LOCALES:
            raise InvalidState(f"language must be one of {', '.join(LOCALES)}")
        with self.uow() as uow:
            uow.accounts.set_locale(username, locale)
            uow.commit()

    def saved_filters(self, username: str) -> list[dict[str, Any]]:
        with self.uow() as uow:
            return uow.accounts.filters(username)

    def save_filter(self, username: str, name: str, query: dict[str, Any]) -> None:
        if not name.strip() or len(name) > 100:
            raise InvalidState("a saved filter needs a name of 1 to 100 characters")
        with self.uow() as uow:
            uow.accounts.save_filter(username, name.strip(), query)
            uow.commit()

    def delete_filter(self, username: str, filter_id: int) -> None:
        with self.uow() as uow:
            if not uow.accounts.delete_filter(username, filter_id):
                raise NotFound(f"saved filter {filter_id} does not exist")
            uow.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
