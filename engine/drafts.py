"""A process owner's draft: the files of one process, on their way to becoming a version.

Plain values, no database (engine/draft_store.py stores them). A draft is edited by
its owner, submitted with a comment, and signed or rejected by an approver; only a
signed draft becomes a version (docs/deployment.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DraftStatus(StrEnum):
    EDITING = "editing"  # its owner may change it (a rejected draft comes back here)
    SUBMITTED = "submitted"  # waiting for an approver: nobody may change it
    APPROVED = "approved"  # signed and deployed: kept as the version's approval record
    REJECTED = "rejected"  # sent back with a reason; its owner may edit and submit again


@dataclass(eq=False)
class Draft:
    """One process's files (BPMN, DMN, RACI matrix) as one owner is changing them."""

    id: str
    process_id: str
    owner: str
    files: dict[str, str]  # file name -> text
    status: DraftStatus
    created_at: datetime
    updated_at: datetime
    base_version: int | None = None  # the version it was opened from (None: a new process)
    comment: str | None = None  # the owner's, at submission
    submitted_at: datetime | None = None
    decided_by: str | None = None  # the approver who signed or rejected
    decided_at: datetime | None = None
    reason: str | None = None  # a rejection's
    deployed_version: int | None = None  # the version a signed draft became

    @property
    def may_edit(self) -> bool:
        return self.status in (DraftStatus.EDITING, DraftStatus.REJECTED)

    @property
    def edition(self) -> str:
        """Which save of the draft this is: an editor that opened one edition saves over
        that one only (a second tab must not undo the first's save)."""
        return self.updated_at.isoformat()

    def outdated_by(self, latest: int) -> int | None:
        """The version deployed since this draft was opened, if one was (`latest`: the
        process's newest version, 0 for none). Signing such a draft would undo that
        version, so it cannot be signed: its owner opens the process again."""
        if self.status == DraftStatus.APPROVED or latest == (self.base_version or 0):
            return None
        return latest

    @property
    def may_delete(self) -> bool:
        """A signed draft is the record of its version's approval, and a submitted one is
        in an approver's hands: neither goes away."""
        return self.may_edit
