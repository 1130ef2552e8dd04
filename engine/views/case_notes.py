"""A case's comments and files, for a page that has already checked who may see the case.

The engine's commands (`comments`, `attachments`) check visibility themselves, for the
API and the CLI; a page that loaded the task or case through its own check reads here,
in one read-only transaction.
"""

from __future__ import annotations

from typing import Any

from ..case_notes_store import CaseNotes
from ..unit_of_work import UnitOfWork


def case_notes(uow: UnitOfWork, instance_id: str) -> dict[str, list[dict[str, Any]]]:
    """{"comments": [...], "attachments": [...]} of the case, oldest first."""
    with uow.read_only():
        notes = CaseNotes(uow.session)
        return {
            "comments": notes.comments(instance_id),
            "attachments": notes.attachments(instance_id),
        }
