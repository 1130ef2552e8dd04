"""Sign-in: passwords, API tokens, each user's language and saved inbox filters."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from raci.directory import User
from raci.people import PeopleRuleBroken

from .. import audit
from ..errors import InvalidState, NotFound, PeopleInvalid
from ..locales import LOCALES
from ..passwords import check_strength
from .base import EngineBase

DEFAULT_TOKEN_DAYS = 90  # an API token's life unless its creator says otherwise
MAX_TOKEN_DAYS = 3650
TOKEN_ID_LENGTH = 12  # a token's public id: the start of its SHA-256 (the token stays secret)


@cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so that timing does not reveal who
    does. Made on first use: scrypt takes ~0.1 s, which every CLI command paid at start."""
    return generate_password_hash("not a real password")


TOKEN_USE_RESOLUTION = timedelta(minutes=1)  # how precisely a token's last use is kept


@dataclass(frozen=True)
class SignedIn:
    """A signed-in user: their directory entry, language and session generation."""

    user: User
    locale: str
    session_generation: int


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once: only its hash is stored
    id: str  # names the token in revoke-token and the audit trail
    expires_at: datetime


class AccountCommands(EngineBase):
    """Passwords (hashed with scrypt), API tokens (stored as SHA-256), preferences."""

    def set_password(self, username: str, password: str, *, by: str) -> None:
        """Set a user's password (the rule of engine/passwords.py); recorded without it.

        Whoever knew the old one may have signed in or taken a token with it: the
        user's sessions end and their API tokens are revoked.
        """
        with self.uow() as uow:
            store_password(uow, username, password, must_change=False)
            uow.accounts.end_sessions(username)
            uow.audit.record(
                audit.SYSTEM_STREAM,
                occurred_at=uow.now,
                actor=by,
                action="password_set",
                details={"user": username},
            )
            revoked = uow.accounts.delete_tokens(username, hash_prefix=None, label=None)
            if revoked:
                _record_revoked(uow, username, revoked, by=by, reason="password changed")
            uow.commit()

    def session_generation(self, username: str) -> int | None:
        """The generation a session cookie of `username` must carry (None: no such user)."""
        with self.reader() as uow:
            return uow.accounts.session_generation(username)

    def end_sessions(self, username: str) -> None:
        """Void every session cookie of `username` issued so far (at sign-out)."""
        with self.uow() as uow:
            uow.accounts.end_sessions(username)
            uow.commit()

    def authenticate(self, username: str, password: str) -> bool:
        """Whether an active user with this password exists."""
        with self.reader() as uow:
            found = uow.accounts.password_hash(username)
        password_hash, active = found if found and found[0] else (_dummy_hash(), False)
        return check_password_hash(password_hash, password) and active

    def create_token(self, username: str, *, label: str) -> str:
        """A new API token for `username` with the default life (see issue_token)."""
        return self.issue_token(username, label=label, by=username).token

    def issue_token(
        self,
        username: str,
        *,
        label: str,
        by: str,
        expires_in_days: int = DEFAULT_TOKEN_DAYS,
    ) -> IssuedToken:
        """A new API token for `username`, valid for `expires_in_days`; only its hash is
        stored, so show it once. Recorded as `token_created` (id, label, expiry)."""
        if not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
            raise InvalidState(f"a token must expire in 1 to {MAX_TOKEN_DAYS} days")
        token = secrets.token_urlsafe(32)
        token_hash = _token_hash(token)
        with self.uow() as uow:
            if username not in uow.directory.load().users:
                raise NotFound(f"user {username} does not exist")
            expires_at = uow.now + timedelta(days=expires_in_days)
            uow.accounts.add_token(token_hash, username, label, uow.now, expires_at)
            uow.audit.record(
                audit.SYSTEM_STREAM,
                occurred_at=uow.now,
                actor=by,
                action="token_created",
                details={
                    "user": username,
                    "token": token_hash[:TOKEN_ID_LENGTH],
                    "label": label,
                    "expires_at": expires_at.isoformat(),
                },
            )
            uow.commit()
        return IssuedToken(token, token_hash[:TOKEN_ID_LENGTH], expires_at)

    def revoke_tokens(
        self,
        username: str,
        *,
        by: str,
        token_id: str | None = None,
        label: str | None = None,
        reason: str = "revoked",
    ) -> int:
        """Revoke one of `username`'s tokens (by id), those with `label`, or all of them
        (neither given); recorded as `token_revoked`. NotFound if an id or label
        names no token of theirs."""
        with self.uow() as uow:
            if username not in uow.directory.load().users:
                raise NotFound(f"user {username} does not exist")
            if token_id is not None and len(token_id) != TOKEN_ID_LENGTH:
                raise NotFound(f"no API token {token_id} of {username}")
            revoked = uow.accounts.delete_tokens(username, hash_prefix=token_id, label=label)
            if not revoked and (token_id is not None or label is not None):
                named = f"labelled {label!r}" if label is not None else token_id
                raise NotFound(f"no API token {named} of {username}")
            if revoked:
                _record_revoked(uow, username, revoked, by=by, reason=reason)
            uow.commit()
        return len(revoked)

    def token_user(self, token: str) -> str | None:
        """The active user an unexpired API token belongs to, or None."""
        account = self.signed_in_by_token(token)
        return account.user.username if account else None

    def signed_in_by_token(self, token: str) -> SignedIn | None:
        """The active user an unexpired API token belongs to, as a request needs them.

        The token's last use is written at most once a minute (TOKEN_USE_RESOLUTION):
        a read does not become a write transaction for the sake of a timestamp.
        """
        token_hash = _token_hash(token)
        with self.reader() as uow:
            holder = uow.accounts.token_holder(token_hash, uow.now)
            if holder is None:
                return None
            uow.revisions.know(holder.directory_revision, holder.definitions_revision)
            user = uow.directory.load().users.get(holder.username)
            if user is None or not user.active:
                return None
            last, now = holder.last_used_at, uow.now
        if last is None or now - last >= TOKEN_USE_RESOLUTION:
            with self.uow() as uow:
                uow.accounts.note_token_use(token_hash, uow.now)
                uow.commit()
        return SignedIn(user, holder.locale or LOCALES[0], holder.session_generation)

    def signed_in(self, username: str) -> SignedIn | None:
        """An active directory user as a request needs them (one transaction), or None."""
        with self.reader() as uow:
            state = uow.accounts.sign_in_state(username)
            if state is not None:
                uow.revisions.know(state.directory_revision, state.definitions_revision)
            user = uow.directory.load().users.get(username) if state else None
            if state is None or user is None or not user.active:
                return None
        return SignedIn(user, state.locale or LOCALES[0], state.session_generation)

    def locale(self, username: str) -> str:
        with self.reader() as uow:
            return uow.accounts.locale(username) or LOCALES[0]

    def set_locale(self, username: str, locale: str) -> None:
        if locale not in LOCALES:
            raise InvalidState(f"language must be one of {', '.join(LOCALES)}")
        with self.uow() as uow:
            uow.accounts.set_locale(username, locale)
            uow.commit()

    def saved_filters(self, username: str) -> list[dict[str, Any]]:
        with self.reader() as uow:
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


def store_password(uow: Any, username: str, password: str, *, must_change: bool) -> None:
    """Check `password` against the rule and store its hash (NotFound: no such user)."""
    try:
        check_strength(password, username)
    except PeopleRuleBroken as broken:
        raise PeopleInvalid(broken.message, broken.params) from None
    if not uow.accounts.set_password_hash(
        username, generate_password_hash(password), must_change=must_change
    ):
        raise NotFound(f"user {username} does not exist")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _record_revoked(uow: Any, username: str, hashes: list[str], *, by: str, reason: str) -> None:
    uow.audit.record(
        audit.SYSTEM_STREAM,
        occurred_at=uow.now,
        actor=by,
        action="token_revoked",
        details={
            "user": username,
            "tokens": sorted(h[:TOKEN_ID_LENGTH] for h in hashes),
            "reason": reason,
        },
    )
