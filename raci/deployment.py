"""Deploying a process is itself governed by RACI: one row, applied to every deployment.

The process owner drafts and submits (R); a second person, holding the approver role,
signs or rejects (A). Self-approval is never allowed: whoever drafted a change may not
sign it, whatever roles they also hold. Pure rules: the engine records what they decide.
"""

from __future__ import annotations

from .directory import Directory
from .matrix import ActivityRow, ActivityRules, Letter
from .messages import N_
from .policy import Refused

PROCESS_OWNER = "process_owner"
APPROVER = "process_approver"
DEPLOYMENT = ActivityRow(
    activity="deploy",
    cells={PROCESS_OWNER: frozenset({Letter.R}), APPROVER: frozenset({Letter.A})},
    rules=ActivityRules(self_approval=False),
)


def may_draft(directory: Directory, user: str) -> None:
    """R: an active process owner (or an admin) may draft, validate and submit."""
    if directory.is_admin(user) or any(
        directory.is_member(user, role) for role in DEPLOYMENT.responsible
    ):
        return
    raise Refused(
        Letter.R,
        N_("only a process owner may draft and submit process changes; %(user)s is not one"),
        {"user": user},
    )


def may_approve(directory: Directory, user: str, owner: str) -> None:
    """A: an active member of the approver role, who is not the draft's owner, signs."""
    if user == owner:
        raise Refused(
            Letter.A,
            N_("%(user)s drafted this change and may not approve it: another approver must"),
            {"user": user},
        )
    if not directory.is_member(user, DEPLOYMENT.accountable or APPROVER):
        raise Refused(
            Letter.A,
            N_("only a member of the approver role may sign a deployment; %(user)s is not one"),
            {"user": user},
        )
