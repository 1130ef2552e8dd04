"""The RACI matrix of one process: who does, signs off, is asked and is told, per activity.

Pure values: loading lives in raci/loading.py, checks in raci/validation.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum


class Letter(StrEnum):
    """One RACI letter."""

    R = "R"  # Responsible: does the work
    A = "A"  # Accountable: signs the work off (exactly one role per activity)
    C = "C"  # Consulted: asked for input before the work is done
    I = "I"  # Informed: told after  # noqa: E741


@dataclass(frozen=True)
class Authority:
    """Who signs is decided again on the data being signed (docs/raci.md, "Authority").

    `decided_by` is the business rule task whose level table picks the signer's
    role; `reads` binds an input variable of that table to the field of the
    submitted data that takes effect (e.g. requested_limit <- approved_limit).
    """

    decided_by: str
    reads: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ActivityRules:
    """Per-activity flags; a matrix's defaults apply where a row sets none."""

    self_approval: bool = False  # a member of A may sign off their own work (audited)
    advisory: bool = False  # consultation is asked but does not block completion
    signoff_due: timedelta | None = None  # how long A has to sign off
    authority: Authority | None = None  # the signer's level follows the data signed
    # The case variable naming the person, inside the R roles, the task goes to
    # (e.g. "schedule.technician"): docs/raci.md, "Routing to a named person".
    assign_to: str | None = None
    # Roles narrowed to the case's own person on this row only, over the matrix's scopes.
    scopes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ActivityRow:
    """One row: an activity (a BPMN element id, or its name) and each role's letters."""

    activity: str
    cells: dict[str, frozenset[Letter]]
    rules: ActivityRules = field(default_factory=ActivityRules)
    line: int | None = None  # where the row is in its file, for messages

    def roles_with(self, letter: Letter) -> list[str]:
        """The roles holding `letter` in this row, in column order."""
        return [role for role, letters in self.cells.items() if letter in letters]

    @property
    def responsible(self) -> list[str]:
        return self.roles_with(Letter.R)

    @property
    def accountable(self) -> str | None:
        """The A role, when the row has exactly one (validation insists on it)."""
        roles = self.roles_with(Letter.A)
        return roles[0] if len(roles) == 1 else None

    @property
    def consulted(self) -> list[str]:
        return self.roles_with(Letter.C)

    @property
    def informed(self) -> list[str]:
        return self.roles_with(Letter.I)


# The defects process analytics may count (docs/analytics.md): work sent back by its A,
# a due time passed, an instance stopped in error, an instance cancelled.
DEFECT_KINDS = ("rework", "sla_breach", "error", "cancelled")


@dataclass(frozen=True)
class RaciMatrix:
    """Rows by activity, with the role columns in the order the file gave them."""

    process_id: str
    roles: tuple[str, ...]
    rows: tuple[ActivityRow, ...]
    source: str = ""  # file name, for messages
    levels: tuple[str, ...] = ()  # the authority ladder: roles a level table names, lowest first
    # Roles narrowed to the case's own person (role -> scope, e.g. bd -> customer_bd):
    # docs/raci.md, "Audience scopes".
    scopes: dict[str, str] = field(default_factory=dict)
    # What counts as a defect in the process's analytics (DEFECT_KINDS); None: every kind.
    defects: tuple[str, ...] | None = None

    def scopes_of(self, row: ActivityRow) -> dict[str, str]:
        """The scoped roles `row` gives a letter to, with their scope (the row's own first)."""
        scopes = {**self.scopes, **dict(row.rules.scopes)}
        return {role: scope for role, scope in scopes.items() if row.cells.get(role)}

    def row_for(self, activity_id: str, name: str | None = None) -> ActivityRow | None:
        """The row naming `activity_id`, or else the one naming the activity's `name`."""
        for row in self.rows:
            if row.activity == activity_id:
                return row
        if name:
            for row in self.rows:
                if row.activity.casefold() == name.casefold():
                    return row
        return None


# A cell typed on a Greek keyboard: Greek Alpha, Rho and Iota look like A, R and I and sit
# on their keys, as Psi sits on C's. Read as the letters the typist meant, not refused.
_GREEK_KEYS = str.maketrans({"\u0391": "A", "\u03a1": "R", "\u03a8": "C", "\u0399": "I"})


def parse_letters(cell: str) -> frozenset[Letter]:
    """Read a cell such as "", "R", "A/R" or "R, C" (typed on a Greek keyboard too);
    raise ValueError for anything else."""
    letters: set[Letter] = set()
    for part in cell.replace(",", "/").replace("+", "/").split("/"):
        part = part.strip().upper().translate(_GREEK_KEYS)
        if not part:
            continue
        if part not in Letter.__members__:
            raise ValueError(f"'{cell.strip()}' is not a RACI cell (use R, A, C, I or e.g. A/R)")
        letters.add(Letter(part))
    return frozenset(letters)


def format_letters(letters: frozenset[Letter]) -> str:
    """The cell text for `letters`, in R, A, C, I order ("A/R" is written "R/A")."""
    return "/".join(letter.value for letter in Letter if letter in letters)


def case_value(case: dict[str, object], path: str) -> object:
    """The value at `path` ("schedule.technician") in a case's data, or None if absent."""
    value: object = case
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
