"""Who may see a task, a case and its trail, and who may start, cancel or retry a case.

One rule per question, for the web pages, the JSON API and the CLI alike. The
engine gathers the facts (`TaskPart`, `CasePart`: what the user has to do with
the object) and these functions decide; nothing here touches storage. Acting on
a task (claim, complete, sign, answer, reassign) is `raci.policy`'s.

The stance of a demanding back office (docs/raci.md, "Who sees what"):
- whoever holds a letter on a task (R, A, C or I; a deputy that day for a holder)
  may read it and its case, but only R, A and C may act, each by its own rule;
- a role scoped to the case's person (the customer's own BD) counts for that person
  only: another BD holding the role sees nothing of it;
- auditors, process owners and admins read everything; the auditor acts on
  nothing, the process owner and the admin may cancel and retry a case.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .directory import ADMIN_ROLE
from .matrix import RaciMatrix

AUDITOR_ROLE = "auditor"
PROCESS_OWNER_ROLE = "process_owner"
# Roles that read every task, case and trail (admins too: they hold every right).
OVERSIGHT_ROLES = (AUDITOR_ROLE, PROCESS_OWNER_ROLE)
# Roles that may stop or re-run any case (admins too); never the auditor.
CASE_MANAGER_ROLES = (PROCESS_OWNER_ROLE,)
ANALYST_ROLE = "analyst"  # reads every process's analytics, people's figures included
INTEGRATION_ROLE = "integration"  # another system's account: sends messages and signals
PROCESS_APPROVER_ROLE = "process_approver"  # signs process changes (raci/deployment.py)
LETTERS = frozenset({"R", "A", "C", "I"})


@dataclass(frozen=True)
class TaskPart:
    """What a user has to do with one task: the facts the task rule decides on."""

    governed: bool  # the process has a RACI matrix (without one, anyone may work it)
    letters: frozenset[str]  # letters of the roles they act for today, scoped roles narrowed
    acted: bool  # claimed, performed (or had it done in their name), signed, answered
    started: bool  # started the case: it is their request, and their data


@dataclass(frozen=True)
class CasePart:
    """What a user has to do with one case (instance): the facts the case rule decides on."""

    started: bool
    acted: bool  # any act on its trail by them or in their name (a refused attempt is none)
    notified: bool  # told about it (I)
    letters: frozenset[str]  # letters they hold today on its open tasks, scoped roles narrowed
    open_to_anyone: bool = False  # an open task of an ungoverned process: anyone's work


def oversees(roles: Collection[str]) -> bool:
    """Auditors, process owners and admins read every task, case and trail."""
    return _holds(roles, OVERSIGHT_ROLES)


def may_see_task(roles: Collection[str], part: TaskPart) -> bool:
    """A task: oversight; any letter on it (own role or as a deputy); acted on it; started
    the case; or any task of an ungoverned process."""
    return (
        oversees(roles)
        or not part.governed
        or part.acted
        or part.started
        or bool(part.letters & LETTERS)
    )


def may_see_case(roles: Collection[str], part: CasePart) -> bool:
    """A case, with its data, open tasks and its own timeline: oversight; started it;
    acted in it; was told about it; or holds a letter on one of its open tasks (whoever
    may see an open task may see its case). The audit trail across cases and the
    auditor's case file are for oversight alone (`oversees`)."""
    return (
        oversees(roles)
        or part.started
        or part.acted
        or part.notified
        or part.open_to_anyone
        or bool(part.letters & LETTERS)
    )


def may_add_to_case(roles: Collection[str], part: CasePart) -> bool:
    """Comment on a case or attach a file to it: whoever takes part in it (started it,
    acted in it, was told about it, holds a letter on an open task, or anyone for an
    ungoverned process's open work), and process owners and admins. Not an auditor by
    oversight alone: who reviews the work adds nothing to it."""
    return (
        part.started
        or part.acted
        or part.notified
        or part.open_to_anyone
        or bool(part.letters & LETTERS)
        or _holds(roles, CASE_MANAGER_ROLES)
    )


def may_start(
    roles: Collection[str], *, starters: Collection[str] | None, matrix: RaciMatrix | None
) -> bool:
    """Open a case, on a page or through the API: an admin; else the roles the deployment
    names as the process's `starters` (none: another process starts it); else, for a
    process it does not name, the R roles of its matrix's first row (matrices list
    activities in process order); anyone, for an ungoverned process. `roles` are those
    the user acts for today: a deputy asks for what the absent person would."""
    if starters is not None:
        return _holds(roles, starters)
    if matrix is None:
        return True
    first = next((row for row in matrix.rows if row.responsible), None)
    return _holds(roles, first.responsible if first else ())


def may_cancel(
    user: str, roles: Collection[str], *, started_by: str | None, by_another_case: bool = False
) -> bool:
    """Stop a case for good: its starter (their request), a process owner or an admin.

    Not an auditor (who reviews the work may not steer it), nor anyone standing in. Nor the
    requester of a case another case started (an order's release): they follow it as
    theirs, but it was started by someone else's decision and is worked by other roles.
    """
    return (user == started_by and not by_another_case) or _holds(roles, CASE_MANAGER_ROLES)


def may_retry(roles: Collection[str]) -> bool:
    """Re-run a case's failed step: a process owner or an admin (the web's rule; the
    engine leaves retry to any active user, see docs/raci.md)."""
    return _holds(roles, CASE_MANAGER_ROLES)


def may_send_events(roles: Collection[str]) -> bool:
    """Send messages and signals that move instances (the API): an admin, a process
    owner, or an integration account (another system's sign-in)."""
    return _holds(roles, (PROCESS_OWNER_ROLE, INTEGRATION_ROLE))


def may_analyse(roles: Collection[str], *, accountable_roles: Collection[str]) -> bool:
    """A process's analytics, its figures per person included (workload, sign-off delays):
    an admin, a process owner, an analyst, or a holder of the process's A role on any of
    its activities (who signs its work manages it). Never a peer: R, C and I holders see
    their own work in their inbox, not one another's figures."""
    return _holds(roles, (PROCESS_OWNER_ROLE, ANALYST_ROLE)) or any(
        role in roles for role in accountable_roles
    )


def may_export_definitions(roles: Collection[str]) -> bool:
    """Download a version's files (BPMN, DMN, RACI matrix) to keep, review or redeploy:
    those who govern processes (owners, approvers, admins) and auditors, who archive
    what ran. Everyone reads the diagram and the matrix on the pages."""
    return _holds(roles, (*OVERSIGHT_ROLES, PROCESS_APPROVER_ROLE))


def _holds(roles: Collection[str], wanted: Collection[str]) -> bool:
    return ADMIN_ROLE in roles or any(role in roles for role in wanted)
