"""Comments and files on a case: write them (each an audit event), read them, check them.

Who may add one: whoever takes part in the case (raci.visibility.may_add_to_case);
who may read them: whoever may see the case (raci.visibility.may_see_case). Nothing
written here is ever changed: a correction is a new comment, a better scan a new
file. A refused upload stores nothing (one transaction; a folder store removes its
files when the transaction fails). docs/attachments.md tells the whole design.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from raci import visibility
from raci.messages import N_, Message

from .. import attachments as rules
from ..attachments import CHUNK, AttachmentLimits, AttachmentRefused, AttachmentRule, Upload
from ..audit import Problem
from ..case_notes_store import BlobStore, CaseNotes, DatabaseBlobs, FolderBlobs
from ..errors import InvalidState, InvalidTaskData, NotAllowed, NotFound
from ..model import InstanceStatus, ProcessInstance
from ..orm import audit_events
from ..settle import record
from ..unit_of_work import UnitOfWork
from ..views.visibility import case_part
from .base import EngineBase

MAX_COMMENT = 4000
COMMENT_ACTION = "comment"
ATTACH_ACTION = "attach"
RuleLookup = Callable[[str, str], Sequence[AttachmentRule]]  # (process, task) -> rules


@dataclass(frozen=True)
class StoredFile:
    """An attachment's row, and its bytes to stream (read in their own transaction)."""

    row: dict[str, Any]
    chunks: Iterator[bytes]


class CaseNoteCommands(EngineBase):
    """Comments and attachments on instances (cases), optionally tied to one of its tasks."""

    attachment_limits = AttachmentLimits()
    attachment_folder: Path | None = None  # None: files are kept in the database

    def configure_attachments(
        self,
        *,
        limits: AttachmentLimits | None = None,
        folder: Path | None = None,
        rules: RuleLookup | None = None,
    ) -> None:
        """Set the limits, where new files go, and what each form needs (the composition
        root calls this once)."""
        self.attachment_limits = limits or AttachmentLimits()
        self.attachment_folder = folder
        self.attachment_rules = rules

    # -- comments --------------------------------------------------------------

    def add_comment(
        self, instance_id: str, *, user: str, text: str, task_id: str | None = None
    ) -> int:
        """Add a comment to a case (and one of its tasks); its id. Never editable."""
        text = (text or "").strip()
        if not text:
            raise InvalidTaskData({"text": [N_("Write the comment.")]})
        if len(text) > MAX_COMMENT:
            raise InvalidTaskData({"text": [N_("A comment is at most 4000 characters.")]})
        self._require_contributor(instance_id, user)
        with self.uow() as uow:
            instance = self._open_case(uow, instance_id, task_id)
            notes = CaseNotes(uow.session)
            comment_id = notes.add_comment(
                instance_id=instance_id,
                task_id=task_id,
                author=user,
                written_at=uow.now,
                text=text,
            )
            details = {"comment_id": comment_id, "text": text, **self._element(uow, task_id)}
            record(uow, instance, COMMENT_ACTION, actor=user, task_id=task_id, details=details)
            uow.commit()
        return comment_id

    def comments(self, instance_id: str, *, user: str) -> list[dict[str, Any]]:
        """The case's comments, oldest first, if `user` may see the case."""
        self._require_reader(instance_id, user)
        with self.reader() as uow:
            return CaseNotes(uow.session).comments(instance_id)

    # -- attachments -----------------------------------------------------------

    def attach(
        self,
        instance_id: str,
        files: Sequence[Upload],
        *,
        user: str,
        task_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Store files on a case (and one of its tasks): all of them, or none."""
        self._require_contributor(instance_id, user)
        with self.uow() as uow:
            instance = self._open_case(uow, instance_id, task_id)
            stored = self._store(uow, instance, files, user=user, task_id=task_id)
        return stored

    def attachments(self, instance_id: str, *, user: str) -> list[dict[str, Any]]:
        """The case's files (their rows, not their bytes), if `user` may see the case."""
        self._require_reader(instance_id, user)
        with self.reader() as uow:
            return CaseNotes(uow.session).attachments(instance_id)

    def open_attachment(self, attachment_id: int, *, user: str) -> StoredFile:
        """An attachment and its bytes, if `user` may see its case. NotFound otherwise."""
        with self.reader() as uow:
            row = CaseNotes(uow.session).attachment(attachment_id)
        if row is None:
            raise NotFound(f"attachment {attachment_id} does not exist")
        self._require_reader(row["instance_id"], user)
        return StoredFile(row, self._read(row))

    def _read(self, row: dict[str, Any]) -> Iterator[bytes]:
        with self.reader() as uow:  # a transaction of its own, open while the bytes stream
            yield from self._blobs_of(row["location"]).read(uow.session, row["id"], row["location"])

    def verify_attachments(self) -> list[Problem]:
        """Every stored file whose bytes no longer match the SHA-256 and size its upload
        event recorded on the hash chain (the row's copy is held to the event too)."""
        problems: list[Problem] = []
        with self.reader() as uow:
            recorded = _recorded_digests(uow)
            for row in CaseNotes(uow.session).every_attachment():
                expected = recorded.get(row["id"])
                if expected is None:
                    problems.append(_file_problem(row, "has no upload event in the trail"))
                    continue
                if (row["sha256"], row["size"]) != expected:
                    problems.append(
                        _file_problem(row, "was recorded with another digest than its row says")
                    )
                found = self._digest_of(uow, row)
                if found is None:
                    problems.append(_file_problem(row, "cannot be read"))
                elif found != expected:
                    problems.append(
                        _file_problem(
                            row,
                            f"no longer matches its digest: recorded sha256 {expected[0]} "
                            f"({expected[1]} bytes), stored now sha256 {found[0]} "
                            f"({found[1]} bytes)",
                        )
                    )
        return problems

    def _digest_of(self, uow: UnitOfWork, row: dict[str, Any]) -> tuple[str, int] | None:
        digest, size = hashlib.sha256(), 0
        try:
            for chunk in self._blobs_of(row["location"]).read(
                uow.session, row["id"], row["location"]
            ):
                digest.update(chunk)
                size += len(chunk)
        except (OSError, InvalidState):
            return None
        return digest.hexdigest(), size

    # -- forms that need files -------------------------------------------------

    def attachment_needs(self, process_id: str, task: str) -> Sequence[AttachmentRule]:
        """What the form of `task` needs on its case (for the page to say it up front)."""
        return self.attachment_rules(process_id, task) if self.attachment_rules else ()

    # -- the parts -------------------------------------------------------------

    def _store(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        files: Sequence[Upload],
        *,
        user: str,
        task_id: str | None,
        check: Callable[[], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Store `files` in `uow` with an audit event each, run `check`, and commit.

        On any refusal nothing stays: the transaction rolls back and files already
        written to a folder are removed."""
        limits = self.attachment_limits
        if not files:
            raise AttachmentRefused(Message(N_("choose at least one file")))
        if len(files) > limits.max_files:
            raise AttachmentRefused(
                Message(N_("at most %(count)s files at a time"), count=limits.max_files)
            )
        uow.write_records()  # the case's row first (a new one, at a start): files refer to it
        notes, blobs = CaseNotes(uow.session), self._new_blobs()
        room = limits.max_case_bytes - notes.case_bytes(instance.id)
        written: list[str | None] = []
        stored: list[dict[str, Any]] = []
        try:
            for upload in files:
                row = self._store_one(uow, notes, blobs, instance, upload, user, task_id, written)
                room -= row["size"]
                if room < 0:
                    raise rules.case_full(limits.max_case_bytes)
                stored.append(row)
            if check is not None:
                check()
            uow.commit()
        except BaseException:
            for location in written:
                blobs.discard(location)
            raise
        return stored

    def _store_one(
        self,
        uow: UnitOfWork,
        notes: CaseNotes,
        blobs: BlobStore,
        instance: ProcessInstance,
        upload: Upload,
        user: str,
        task_id: str | None,
        written: list[str | None],
    ) -> dict[str, Any]:
        head = upload.stream.read(CHUNK)
        if not head:
            raise AttachmentRefused(Message(N_("%(name)s is empty"), name=upload.name or "?"))
        media_type = rules.checked_type(upload.name or "", head)
        name = rules.clean_name(upload.name, media_type)
        kind = rules.checked_kind(name, upload.kind)
        row = {
            "instance_id": instance.id,
            "task_id": task_id,
            "name": name,
            "kind": kind,
            "media_type": media_type,
            "size": 0,
            "sha256": "",
            "uploaded_by": user,
            "uploaded_at": uow.now,
            "location": None,
        }
        attachment_id = notes.add_attachment(**row)
        digest, size = hashlib.sha256(), [0]

        def chunks() -> Iterator[bytes]:
            chunk = head
            while chunk:
                size[0] += len(chunk)
                if size[0] > self.attachment_limits.max_file_bytes:
                    raise rules.too_large(name, self.attachment_limits.max_file_bytes)
                digest.update(chunk)
                yield chunk
                chunk = upload.stream.read(CHUNK)

        location = blobs.write(uow.session, attachment_id, chunks())
        written.append(location)
        notes.seal_attachment(
            attachment_id, size=size[0], sha256=digest.hexdigest(), location=location
        )
        row.update(id=attachment_id, size=size[0], sha256=digest.hexdigest())
        del row["location"]
        details = {
            "attachment_id": attachment_id,
            "name": name,
            "kind": kind,
            "media_type": media_type,
            "size": size[0],
            "sha256": digest.hexdigest(),
            **self._element(uow, task_id),
        }
        record(uow, instance, ATTACH_ACTION, actor=user, task_id=task_id, details=details)
        return row

    def _new_blobs(self) -> BlobStore:
        if self.attachment_folder is not None:
            return FolderBlobs(self.attachment_folder)
        return DatabaseBlobs()

    def _blobs_of(self, location: str | None) -> BlobStore:
        """Where a stored file is: the database (no location) or the folder."""
        if location is None:
            return DatabaseBlobs()
        if self.attachment_folder is None:
            raise InvalidState("a file is kept in a folder but RACIFLOW_ATTACHMENT_DIR is unset")
        return FolderBlobs(self.attachment_folder)

    def _open_case(self, uow: UnitOfWork, instance_id: str, task_id: str | None) -> Any:
        """Lock the case to add to it: it must be open, and the task one of its own."""
        instance = uow.instances.lock(instance_id)
        if InstanceStatus(instance.status).is_final:
            raise InvalidState(
                Message(
                    N_("the case is closed (%(status)s): nothing more can be added"),
                    status=instance.status,
                )
            )
        if task_id is not None and uow.tasks.get(task_id).instance_id != instance_id:
            raise NotFound(f"task {task_id} is not a task of instance {instance_id}")
        instance.updated_at = uow.now  # bumps the revision: racing writers take turns
        return instance

    def _element(self, uow: UnitOfWork, task_id: str | None) -> dict[str, Any]:
        return {"element": uow.tasks.get(task_id).spec_id} if task_id else {}

    def _require_reader(self, instance_id: str, user: str) -> None:
        part = case_part(self.uow(), instance_id, user)
        if not visibility.may_see_case(self._roles(user), part):
            raise NotAllowed(Message(N_("you take no part in this case")))

    def _require_contributor(self, instance_id: str, user: str) -> None:
        part = case_part(self.uow(), instance_id, user)
        if not visibility.may_add_to_case(self._roles(user), part):
            raise NotAllowed(
                Message(N_("only those who take part in a case may add to it")),
            )
        with self.reader() as uow:
            self._require_actor(uow, uow.instances.get(instance_id), user)

    def _roles(self, user: str) -> frozenset[str]:
        with self.reader() as uow:
            found = uow.directory.load().users.get(user)
        return found.roles if found else frozenset()


def _recorded_digests(uow: UnitOfWork) -> dict[int, tuple[str, int]]:
    """What each upload event on the chain says of its file: id -> (sha256, size)."""
    rows = uow.session.execute(
        select(audit_events.c.details).where(audit_events.c.action == ATTACH_ACTION)
    )
    found: dict[int, tuple[str, int]] = {}
    for (details,) in rows:
        if isinstance(details, dict) and "attachment_id" in details:
            found[int(details["attachment_id"])] = (str(details["sha256"]), int(details["size"]))
    return found


def _file_problem(row: dict[str, Any], what: str) -> Problem:
    return Problem(
        stream=row["instance_id"],
        seq=None,
        event_id=None,
        message=f"attachment {row['id']} ({row['name']}) {what}",
    )
