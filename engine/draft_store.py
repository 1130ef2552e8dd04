"""The drafts table and its repository (SQLAlchemy Core; drafts are few and cold)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text, delete, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from .drafts import Draft, DraftStatus
from .errors import NotFound
from .orm import UUID_LEN, UTCDateTime, metadata

drafts = Table(
    "drafts",
    metadata,
    Column("id", String(UUID_LEN), primary_key=True),
    Column("process_id", String(200), nullable=False),
    Column("owner", String(200), nullable=False),
    Column("files", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("base_version", Integer),
    Column("comment", Text),
    Column("submitted_at", UTCDateTime),
    Column("decided_by", String(200)),
    Column("decided_at", UTCDateTime),
    Column("reason", Text),
    Column("deployed_version", Integer),
    Index(None, "owner", "updated_at"),
    Index(None, "status"),
    Index(None, "process_id", "deployed_version"),
)

_COLUMNS = [f.name for f in fields(Draft)]


def to_sign(user: str) -> Any:
    """Drafts submitted for approval by others than `user` (nobody signs their own): what
    an approver signs. The changes page lists them; the inbox counts them."""
    return select(drafts).where(
        drafts.c.status == DraftStatus.SUBMITTED.value, drafts.c.owner != user
    )


def _draft(row: Any) -> Draft:
    values = dict(row._mapping)
    values["status"] = DraftStatus(values["status"])
    return Draft(**values)


class DraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _execute(self, statement: Any) -> Any:
        return self.session.connection().execute(statement)

    def add(self, draft: Draft) -> None:
        self._execute(insert(drafts).values({name: getattr(draft, name) for name in _COLUMNS}))

    def save(self, draft: Draft) -> None:
        values = {name: getattr(draft, name) for name in _COLUMNS if name != "id"}
        self._execute(sql_update(drafts).where(drafts.c.id == draft.id).values(values))

    def remove(self, draft_id: str) -> None:
        self._execute(delete(drafts).where(drafts.c.id == draft_id))

    def get(self, draft_id: str, *, lock: bool = False) -> Draft:
        statement = select(drafts).where(drafts.c.id == draft_id)
        if lock:  # two approvers, or an approver and the owner, take turns
            statement = statement.with_for_update()
        row = self._execute(statement).first()
        if row is None:
            raise NotFound(f"draft {draft_id} does not exist")
        return _draft(row)

    def of_owner(self, owner: str) -> list[Draft]:
        statement = select(drafts).where(drafts.c.owner == owner)
        return [_draft(row) for row in self._execute(statement.order_by(drafts.c.updated_at))]

    def to_sign(self, user: str) -> list[Draft]:
        """The drafts waiting for `user`'s signature, oldest submission first."""
        statement = to_sign(user).order_by(drafts.c.submitted_at)
        return [_draft(row) for row in self._execute(statement)]

    def approvals(self, process_id: str) -> dict[int, Draft]:
        """The signed drafts of a process, by the version each became."""
        statement = select(drafts).where(
            drafts.c.process_id == process_id, drafts.c.deployed_version.is_not(None)
        )
        return {row.deployed_version: _draft(row) for row in self._execute(statement)}
