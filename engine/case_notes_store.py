"""Where comments and files on a case are kept: their rows, and the bytes of each file.

A file's bytes go to a blob store: the database itself (in chunks of
`attachments.CHUNK`, the default, and SQLite's only sensible choice) or a folder
(production: `RACIFLOW_ATTACHMENT_DIR`). Either is written and read a chunk at a
time. Rows are plain Core statements; nothing here is ever updated after the
transaction that wrote it (docs/attachments.md).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from .attachments import CHUNK
from .orm import attachment_chunks, attachments, comments

ATTACHMENT_FIELDS = (
    "id",
    "instance_id",
    "task_id",
    "name",
    "kind",
    "media_type",
    "size",
    "sha256",
    "uploaded_by",
    "uploaded_at",
)


class CaseNotes:
    """The comments and attachment rows of cases, in one unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_comment(self, **row: Any) -> int:
        return self.session.execute(insert(comments).returning(comments.c.id), row).scalar_one()

    def comments(self, instance_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(comments).where(comments.c.instance_id == instance_id).order_by(comments.c.id)
        )
        return [dict(row._mapping) for row in rows]

    def add_attachment(self, **row: Any) -> int:
        statement = insert(attachments).returning(attachments.c.id)
        return self.session.execute(statement, row).scalar_one()

    def seal_attachment(self, attachment_id: int, *, size: int, sha256: str, location: Any) -> None:
        """Fill in what is known once the bytes are stored (same transaction as the insert)."""
        self.session.execute(
            update(attachments)
            .where(attachments.c.id == attachment_id)
            .values(size=size, sha256=sha256, location=location)
        )

    def attachments(self, instance_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(*(attachments.c[name] for name in ATTACHMENT_FIELDS))
            .where(attachments.c.instance_id == instance_id)
            .order_by(attachments.c.id)
        )
        return [dict(row._mapping) for row in rows]

    def attachment(self, attachment_id: int) -> dict[str, Any] | None:
        row = self.session.execute(
            select(attachments).where(attachments.c.id == attachment_id)
        ).first()
        return dict(row._mapping) if row else None

    def case_bytes(self, instance_id: str) -> int:
        total = self.session.scalar(
            select(func.coalesce(func.sum(attachments.c.size), 0)).where(
                attachments.c.instance_id == instance_id
            )
        )
        return int(total or 0)

    def every_attachment(self) -> Iterator[dict[str, Any]]:
        """Every attachment row, oldest first (for the audit check of the stored bytes)."""
        for row in self.session.execute(select(attachments).order_by(attachments.c.id)):
            yield dict(row._mapping)


class BlobStore(Protocol):
    """Keeps the bytes of files; `write` answers where (None: in the database)."""

    def write(self, session: Session, attachment_id: int, chunks: Iterable[bytes]) -> str | None:
        """Store `chunks` for `attachment_id`; an exception leaves nothing behind."""
        ...

    def read(self, session: Session, attachment_id: int, location: str | None) -> Iterator[bytes]:
        """The stored bytes, a chunk at a time."""
        ...

    def discard(self, location: str | None) -> None:
        """Forget bytes written by a transaction that did not commit."""
        ...


class DatabaseBlobs:
    """Files in the attachment_chunks table: one row per chunk, in the same transaction."""

    def write(self, session: Session, attachment_id: int, chunks: Iterable[bytes]) -> str | None:
        for seq, chunk in enumerate(chunks):
            row = {"attachment_id": attachment_id, "seq": seq, "data": chunk}
            session.execute(insert(attachment_chunks), row)
        return None

    def read(self, session: Session, attachment_id: int, location: str | None) -> Iterator[bytes]:
        count = session.scalar(
            select(func.count()).where(attachment_chunks.c.attachment_id == attachment_id)
        )
        for seq in range(count or 0):  # one chunk per query: never the whole file at once
            yield session.scalar(
                select(attachment_chunks.c.data).where(
                    attachment_chunks.c.attachment_id == attachment_id,
                    attachment_chunks.c.seq == seq,
                )
            )

    def discard(self, location: str | None) -> None:
        return None  # the rollback takes the chunks with it


class FolderBlobs:
    """Files in a folder (a local disk or a mounted share), named by a random id.

    Written to `incoming/` first and moved into place when complete; a transaction
    that then fails removes its file (`discard`). A crash between the two leaves an
    unreferenced file at worst, never a row without its bytes.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, session: Session, attachment_id: int, chunks: Iterable[bytes]) -> str | None:
        name = uuid.uuid4().hex
        location = f"{name[:2]}/{name}"
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = incoming / name
        try:
            with open(partial, "xb") as out:
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            target = self.root / location
            target.parent.mkdir(exist_ok=True, mode=0o700)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return location

    def read(self, session: Session, attachment_id: int, location: str | None) -> Iterator[bytes]:
        with open(self.root / str(location), "rb") as stored:
            while chunk := stored.read(CHUNK):
                yield chunk

    def discard(self, location: str | None) -> None:
        if location:
            (self.root / location).unlink(missing_ok=True)
