"""Check a RACI matrix against its BPMN process and the directory.

Errors make a matrix unusable; warnings are worth a look but change nothing.

a. Every user task has a row (matched by the task's id, or by its name in any
   case, as `RaciMatrix.row_for` matches). Error.
b. Every row names an activity of the process, and no row is shadowed by
   another naming the same activity by its id. Error.
c. A user task's row has exactly one A role and at least one R role. Error.
d. Rows of activities that are not user tasks (service tasks, events...) give
   only C or I: nobody does or signs off work the engine does. Error.
e. Every role column, and every role given a letter, is a role of the
   directory (skipped when the directory is not given). Error.
f. A user task drawn in a lane has an R role matching the lane (compared
   ignoring case, spaces, hyphens, dots and underscores). Only a warning:
   lanes are drawing aids, and at run time the matrix alone decides who does
   the work, so a mismatch means the diagram tells a different story, not
   that the process is broken.
g. A row gives some role a letter. Warning.
h. A row declaring `authority` names a business rule task of the process whose
   table gives only roles of the matrix's `levels` (as quoted text) and reads
   every input the row binds; the row's A role is one of the levels, and every
   level is a role of the directory. Error: a signer picked by a table the
   engine cannot re-evaluate would make the rule a fiction.
i. Every scope a row's roles are narrowed by (`scopes`) is one the engine knows
   (skipped when the known scopes are not given). Error, naming the row and role.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from raci.matrix import ActivityRow, Letter, RaciMatrix, format_letters
from raci.messages import N_, Message


@dataclass(frozen=True)
class Decision:
    """The level table a business rule task runs: its input expressions, its outputs.

    `outputs` holds each rule's output as text when it is a quoted literal, else None.
    """

    inputs: tuple[str, ...]
    outputs: tuple[str | None, ...]


@dataclass(frozen=True)
class Activity:
    """What the BPMN says about one activity of the process."""

    id: str
    name: str | None
    lane: str | None
    is_user_task: bool
    decision: Decision | None = None  # for a business rule task


@dataclass(frozen=True)
class Finding:
    """One problem found: where it is and what is wrong."""

    severity: Literal["error", "warning"]
    process_id: str
    activity: str | None
    role: str | None
    message: str  # in English, as the CLI prints it
    said: Message | None = field(default=None, compare=False)  # for pages, to translate

    def __str__(self) -> str:
        where = " / ".join(part for part in (self.process_id, self.activity, self.role) if part)
        return f"{self.severity}: {where}: {self.message}"


Pairs = list[tuple[Activity, ActivityRow]]


def validate(
    matrix: RaciMatrix,
    activities: Sequence[Activity],
    known_roles: Collection[str] | None,
    known_scopes: Mapping[str, Collection[str]] | None = None,
) -> list[Finding]:
    """Return every finding about `matrix`, errors and warnings, in rule order."""
    pairs = [
        (activity, row)
        for activity in activities
        if (row := matrix.row_for(activity.id, activity.name)) is not None
    ]
    findings = [
        *_user_tasks_have_rows(matrix, activities),
        *_rows_name_activities(matrix, activities),
        *_user_task_rows_have_one_a_and_an_r(matrix, pairs),
        *_other_rows_only_consult_or_inform(matrix, pairs),
        *_roles_are_in_directory(matrix, known_roles),
        *_lanes_match_responsible_roles(matrix, pairs),
        *_rows_have_letters(matrix),
        *_authority_is_decidable(matrix, activities, known_roles),
        *_scopes_are_known(matrix, known_scopes),
    ]
    return list(dict.fromkeys(findings))  # a row serving two activities is reported once


def errors(findings: Sequence[Finding]) -> list[Finding]:
    """Return only the errors among `findings`."""
    return [finding for finding in findings if finding.severity == "error"]


def _error(matrix: RaciMatrix, activity: str | None, role: str | None, said: Message) -> Finding:
    return Finding("error", matrix.process_id, activity, role, str(said), said)


def _warning(matrix: RaciMatrix, activity: str | None, role: str | None, said: Message) -> Finding:
    return Finding("warning", matrix.process_id, activity, role, str(said), said)


def _user_tasks_have_rows(matrix: RaciMatrix, activities: Sequence[Activity]) -> Iterator[Finding]:
    for activity in activities:
        if activity.is_user_task and matrix.row_for(activity.id, activity.name) is None:
            yield _error(matrix, activity.id, None, Message(N_("user task has no RACI row")))


def _rows_name_activities(matrix: RaciMatrix, activities: Sequence[Activity]) -> Iterator[Finding]:
    for row in matrix.rows:
        named = [activity for activity in activities if _names(row, activity)]
        if not named:
            yield _error(
                matrix, row.activity, None, Message(N_("row names no activity of the process"))
            )
        elif not any(matrix.row_for(a.id, a.name) is row for a in named):
            message = Message(
                N_("row is ignored: another row names this activity by its id ('%(id)s')"),
                id=named[0].id,
            )
            yield _error(matrix, row.activity, None, message)


def _names(row: ActivityRow, activity: Activity) -> bool:
    """Tell whether `row` names `activity`: by id, or by name in any case."""
    if row.activity == activity.id:
        return True
    return activity.name is not None and row.activity.casefold() == activity.name.casefold()


def _user_task_rows_have_one_a_and_an_r(matrix: RaciMatrix, pairs: Pairs) -> Iterator[Finding]:
    for activity, row in pairs:
        if not activity.is_user_task:
            continue
        accountable = row.roles_with(Letter.A)
        if not accountable:
            yield _error(
                matrix, row.activity, None, Message(N_("no A role; exactly one is required"))
            )
        elif len(accountable) > 1:
            message = Message(
                N_("%(count)s A roles (%(roles)s); exactly one is required"),
                count=len(accountable),
                roles=list(accountable),
            )
            yield _error(matrix, row.activity, None, message)
        if not row.responsible:
            yield _error(
                matrix, row.activity, None, Message(N_("no R role; at least one is required"))
            )


def _other_rows_only_consult_or_inform(matrix: RaciMatrix, pairs: Pairs) -> Iterator[Finding]:
    for activity, row in pairs:
        if activity.is_user_task:
            continue
        for role, letters in row.cells.items():
            if given := format_letters(letters & {Letter.R, Letter.A}):
                message = Message(
                    N_(
                        "%(letters)s on an activity that is not a user task; "
                        "only C or I may be given"
                    ),
                    letters=given,
                )
                yield _error(matrix, row.activity, role, message)


def _roles_are_in_directory(
    matrix: RaciMatrix, known_roles: Collection[str] | None
) -> Iterator[Finding]:
    if known_roles is None:
        return
    used = [role for row in matrix.rows for role, letters in row.cells.items() if letters]
    for role in dict.fromkeys([*matrix.roles, *used]):
        if role not in known_roles:
            yield _error(matrix, None, role, Message(N_("role is not in the directory")))


def _lanes_match_responsible_roles(matrix: RaciMatrix, pairs: Pairs) -> Iterator[Finding]:
    for activity, row in pairs:
        responsible = row.responsible
        if not (activity.is_user_task and activity.lane and responsible):
            continue
        if not any(_same_name(activity.lane, role) for role in responsible):
            message = Message(
                N_(
                    "lane '%(lane)s' matches none of the R roles (%(roles)s); "
                    "the matrix, not the lane, decides who does the work"
                ),
                lane=activity.lane,
                roles=list(responsible),
            )
            yield _warning(matrix, row.activity, None, message)


def _same_name(lane: str, role: str) -> bool:
    def squeeze(text: str) -> str:
        return re.sub(r"[\s\-._]", "", text.casefold())

    return squeeze(lane) == squeeze(role)


def _rows_have_letters(matrix: RaciMatrix) -> Iterator[Finding]:
    for row in matrix.rows:
        if not any(row.cells.values()):
            yield _warning(matrix, row.activity, None, Message(N_("row gives no role any letter")))


def _authority_is_decidable(
    matrix: RaciMatrix, activities: Sequence[Activity], known_roles: Collection[str] | None
) -> Iterator[Finding]:
    if known_roles is not None:
        for role in matrix.levels:
            if role not in known_roles:
                yield _error(
                    matrix, None, role, Message(N_("level is not a role of the directory"))
                )
    by_id = {activity.id: activity for activity in activities}
    for row in matrix.rows:
        authority = row.rules.authority
        if authority is None:
            continue
        if not matrix.levels:
            yield _error(
                matrix, row.activity, None, Message(N_("'authority' needs the matrix's 'levels'"))
            )
        if row.accountable is not None and row.accountable not in matrix.levels:
            message = Message(
                N_("A role is not one of the levels (%(roles)s)"), roles=list(matrix.levels)
            )
            yield _error(matrix, row.activity, row.accountable, message)
        decider = by_id.get(authority.decided_by)
        if decider is None or decider.decision is None:
            message = Message(
                N_("'%(id)s' is not a business rule task of the process"),
                id=authority.decided_by,
            )
            yield _error(matrix, row.activity, None, message)
            continue
        for output in dict.fromkeys(decider.decision.outputs):
            if output not in matrix.levels:
                said = LEVEL_OUTPUT if output is not None else LEVEL_EXPRESSION
                message = Message(
                    said, id=authority.decided_by, output=output, roles=list(matrix.levels)
                )
                yield _error(matrix, row.activity, None, message)
        inputs = " ".join(decider.decision.inputs)
        for name, _field in authority.reads:
            if not re.search(rf"\b{re.escape(name)}\b", inputs):
                message = Message(
                    N_("the level table of '%(id)s' reads no '%(name)s'"),
                    id=authority.decided_by,
                    name=name,
                )
                yield _error(matrix, row.activity, None, message)


LEVEL_OUTPUT = N_("level table of '%(id)s' can give '%(output)s', which is not a level (%(roles)s)")
LEVEL_EXPRESSION = N_(
    "level table of '%(id)s' can give an expression, which is not a level (%(roles)s)"
)


def _scopes_are_known(
    matrix: RaciMatrix, known: Mapping[str, Collection[str]] | None
) -> Iterator[Finding]:
    """Every scope is registered, and given only to a role it can narrow (a scope that
    names the customer's BD narrows no other role: it would pass and do nothing)."""
    if known is None:
        return
    listed = ", ".join(sorted(known)) or "—"
    for row in matrix.rows:
        for role, scope in matrix.scopes_of(row).items():
            if scope not in known:
                message = Message(
                    N_("unknown scope '%(scope)s' (known: %(known)s)"), scope=scope, known=listed
                )
                yield _error(matrix, row.activity, role, message)
            elif known[scope] and role not in known[scope]:
                message = Message(
                    N_("scope '%(scope)s' narrows only %(roles)s"),
                    scope=scope,
                    roles=list(known[scope]),
                )
                yield _error(matrix, row.activity, role, message)
