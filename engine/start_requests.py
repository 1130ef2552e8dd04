"""Start requests: a start asked for again with the same key gets the case it started.

A hand-held terminal on a weak network sends an order, times out, and sends it again;
a double press of Start sends a form twice. Each start that carries a request key claims
(user, key) in the transaction that starts the case: a second request with that key
finds the first one's case instead of starting another. On PostgreSQL a second request
racing the first waits at the claim, on the key's unique row, until the first commits
(then it finds the case) or rolls back (then it starts the case itself); SQLite runs
one writer at a time, so the claim finds any earlier start.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from .audit import canonical_json
from .database import Connect
from .direct import execute
from .orm import start_requests

MAX_KEY = 100  # characters of a request key
KEY_KEPT = timedelta(days=1)  # a terminal's resend comes within minutes; a day is ample


def usable_key(key: str) -> bool:
    """Whether `key` may name a start: 1 to MAX_KEY printable characters."""
    return 0 < len(key) <= MAX_KEY and key.isprintable()


def fingerprint(
    process_id: str, version: int | None, business_key: str | None, data: dict[str, Any]
) -> str:
    """What a start asks for, as a digest: a request key's second use must ask the same."""
    asked = {"process": process_id, "version": version, "key": business_key, "data": data}
    return hashlib.sha256(canonical_json(asked).encode()).hexdigest()


@dataclass(frozen=True)
class EarlierStart:
    """What an earlier request with the same key asked (its fingerprint) and started."""

    fingerprint: str
    instance_id: str


class StartRequestRepository:
    def __init__(self, connection: Connect) -> None:
        self._connection = connection

    def claim(
        self, username: str, key: str, fingerprint: str, now: datetime
    ) -> EarlierStart | None:
        """Claim `key` for a start by `username`; the earlier start when it is taken."""
        params = {"who": username, "key": key}
        earlier = self._earlier(params)
        if earlier is not None:
            return earlier
        connection = self._connection()
        claim = {"username": username, "request_key": key, "fingerprint": fingerprint}
        try:
            with connection.begin_nested():  # a lost race must not end the transaction
                execute(connection, _CLAIM, {**claim, "created_at": now})
        except IntegrityError:  # claimed meanwhile by a request that has now committed
            return self._earlier(params)
        return None

    def started(self, username: str, key: str, instance_id: str) -> None:
        """Record the case the claimed key started (before the claim's commit)."""
        params = {"who": username, "key": key, "instance_id": instance_id}
        execute(self._connection(), _STARTED, params)

    def any_before(self, moment: datetime) -> bool:
        return bool(execute(self._connection(), _ANY_BEFORE, {"before": moment}).scalar())

    def purge_before(self, moment: datetime) -> int:
        """Forget the keys of starts older than `moment`; return how many."""
        return execute(self._connection(), _PURGE, {"before": moment}).rowcount

    def _earlier(self, params: dict[str, str]) -> EarlierStart | None:
        row = execute(self._connection(), _FIND, params).first()
        if row is None or row.instance_id is None:
            return None
        return EarlierStart(row.fingerprint, row.instance_id)


_KEY = (  # bound as "who" and "key": an UPDATE keeps the columns' own names for SET
    start_requests.c.username == bindparam("who"),
    start_requests.c.request_key == bindparam("key"),
)
_FIND = select(start_requests.c.fingerprint, start_requests.c.instance_id).where(*_KEY)
_CLAIM = insert(start_requests)
_STARTED = update(start_requests).where(*_KEY).values(instance_id=bindparam("instance_id"))
_ANY_BEFORE = select(exists().where(start_requests.c.created_at < bindparam("before")))
_PURGE = delete(start_requests).where(start_requests.c.created_at < bindparam("before"))
