"""Sign-in records: password hashes, locales, API tokens and saved inbox filters."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from .database import Connect
from .direct import execute
from .orm import api_tokens, cache_revisions, saved_filters, users

# Built once: every request runs one of these (building a statement costs more than running
# it). Each also reads the cache revisions (engine/caches.py), which the request needs
# next to decide anything: "who is calling" and "which directory" in one round trip.
_REVISION_COLUMNS = (
    cache_revisions.c.directory.label("directory_revision"),
    cache_revisions.c.definitions.label("definitions_revision"),
)
_SIGN_IN_STATE = (
    select(users.c.locale, users.c.session_generation, *_REVISION_COLUMNS)
    .join(cache_revisions, cache_revisions.c.id == 1)
    .where(users.c.username == bindparam("username"))
)
_TOKEN_HOLDER = (
    select(
        api_tokens.c.username,
        api_tokens.c.last_used_at,
        users.c.locale,
        users.c.session_generation,
        *_REVISION_COLUMNS,
    )
    .join(users, users.c.username == api_tokens.c.username)
    .join(cache_revisions, cache_revisions.c.id == 1)
    .where(
        api_tokens.c.token_hash == bindparam("token_hash"),
        api_tokens.c.expires_at > bindparam("now"),
    )
)


class AccountRepository:
    def __init__(self, session: Session, connection: Connect) -> None:
        self.session = session
        self._connection = connection  # for the token lookup of every API call
        self._locales: dict[str, str | None] = {}  # read in this unit of work

    def password_hash(self, username: str) -> tuple[str | None, bool] | None:
        """(hash, active) of a user, or None if there is no such user."""
        row = self.session.execute(
            select(users.c.password_hash, users.c.active).where(users.c.username == username)
        ).first()
        return (row.password_hash, row.active) if row else None

    def set_password_hash(
        self, username: str, password_hash: str, *, must_change: bool = False
    ) -> bool:
        result = self.session.execute(
            update(users)
            .where(users.c.username == username)
            .values(password_hash=password_hash, password_must_change=must_change)
        )
        return result.rowcount == 1

    def password_state(self, username: str) -> tuple[bool, bool]:
        """(whether the user has a password, whether it is a one-time one to change)."""
        row = self.session.execute(
            select(users.c.password_hash, users.c.password_must_change).where(
                users.c.username == username
            )
        ).first()
        return (bool(row and row.password_hash), bool(row and row.password_must_change))

    def password_version(self, username: str) -> str:
        """A short fingerprint of the user's password hash: it changes with every new
        password, and says nothing of the password (a page sends it back to act only
        on the password it showed)."""
        stored = self.session.scalar(
            select(users.c.password_hash).where(users.c.username == username)
        )
        return hashlib.sha256((stored or "").encode()).hexdigest()[:16]

    def must_change_password(self, username: str) -> bool:
        return bool(
            self.session.scalar(
                select(users.c.password_must_change).where(users.c.username == username)
            )
        )

    def locale(self, username: str) -> str | None:
        if username not in self._locales:
            self.read_locales([username])
        return self._locales[username]

    def read_locales(self, usernames: Collection[str]) -> None:
        """Read the language of each of `usernames` in one SELECT (notices to several
        people ask for each one's in turn)."""
        wanted = sorted(set(usernames) - self._locales.keys())
        if wanted:
            self._locales.update(dict.fromkeys(wanted))
            found = select(users.c.username, users.c.locale).where(users.c.username.in_(wanted))
            self._locales.update({name: locale for name, locale in self.session.execute(found)})

    def set_locale(self, username: str, locale: str) -> None:
        self._locales.pop(username, None)
        self.session.execute(
            update(users).where(users.c.username == username).values(locale=locale)
        )

    def session_generation(self, username: str) -> int | None:
        return self.session.scalar(
            select(users.c.session_generation).where(users.c.username == username)
        )

    def end_sessions(self, username: str) -> None:
        """Raise the user's session generation: every session cookie issued before is void."""
        self.session.execute(
            update(users)
            .where(users.c.username == username)
            .values(session_generation=users.c.session_generation + 1)
        )

    def add_token(
        self, token_hash: str, username: str, label: str, now: datetime, expires_at: datetime
    ) -> None:
        self.session.execute(
            insert(api_tokens).values(
                token_hash=token_hash,
                username=username,
                label=label,
                created_at=now,
                expires_at=expires_at,
            )
        )

    def sign_in_state(self, username: str) -> Row | None:
        """(locale, session_generation, and the cache revisions) of a user, or None: what
        each request checks."""
        return self.session.execute(_SIGN_IN_STATE, {"username": username}).first()

    def token_holder(self, token_hash: str, now: datetime) -> Row | None:
        """(username, last_used_at, locale, session_generation, and the cache revisions) of
        an unexpired token's owner, in one SELECT; or None."""
        params = {"token_hash": token_hash, "now": now}
        return execute(self._connection(), _TOKEN_HOLDER, params).first()

    def note_token_use(self, token_hash: str, now: datetime) -> None:
        self.session.execute(
            update(api_tokens).where(api_tokens.c.token_hash == token_hash).values(last_used_at=now)
        )

    def delete_tokens(
        self, username: str, *, hash_prefix: str | None, label: str | None
    ) -> list[str]:
        """Delete the user's tokens (those whose hash starts with `hash_prefix`, or with
        `label`, or all); return the hashes deleted."""
        query = select(api_tokens.c.token_hash).where(api_tokens.c.username == username)
        if hash_prefix is not None:
            query = query.where(api_tokens.c.token_hash.startswith(hash_prefix, autoescape=True))
        if label is not None:
            query = query.where(api_tokens.c.label == label)
        hashes = sorted(self.session.scalars(query))
        if hashes:
            self.session.execute(delete(api_tokens).where(api_tokens.c.token_hash.in_(hashes)))
        return hashes

    def filters(self, username: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(saved_filters.c.id, saved_filters.c.name, saved_filters.c.query)
            .where(saved_filters.c.username == username)
            .order_by(saved_filters.c.name)
        )
        return [dict(row._mapping) for row in rows]

    def save_filter(self, username: str, name: str, query: dict[str, Any]) -> None:
        """Save (or replace) a filter by name. The user's row is locked first, so that the
        same name saved twice at once replaces rather than collides (a 500 before)."""
        self.session.execute(
            select(users.c.username).where(users.c.username == username).with_for_update()
        )
        self.session.execute(
            delete(saved_filters).where(
                saved_filters.c.username == username, saved_filters.c.name == name
            )
        )
        self.session.execute(
            insert(saved_filters).values(username=username, name=name, query=query)
        )

    def delete_filter(self, username: str, filter_id: int) -> bool:
        return (
            self.session.execute(
                delete(saved_filters).where(
                    saved_filters.c.username == username, saved_filters.c.id == filter_id
                )
            ).rowcount
            == 1
        )
