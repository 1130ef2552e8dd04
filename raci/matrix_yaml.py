"""Write a matrix as the YAML file raci/loading.py reads, and apply a grid edited in the
modeler's RACI panel to a matrix, keeping what the grid does not show.

The grid shows, per activity, each role's letters and the three flags (self-approval,
advisory, sign-off due); the file may say more (authority, routing, scopes, levels):
that is carried over from the matrix the draft had, row by row.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import yaml

from .loading import parse_duration
from .matrix import ActivityRow, ActivityRules, RaciMatrix, format_letters, parse_letters
from .messages import N_, Message
from .render import format_duration


def dump(matrix: RaciMatrix) -> str:
    """The matrix as `<process_id>.raci.yaml` text."""
    top: dict[str, Any] = {"process": matrix.process_id, "roles": list(matrix.roles)}
    if matrix.levels:
        top["levels"] = list(matrix.levels)
    if matrix.scopes:
        top["scopes"] = dict(matrix.scopes)
    if matrix.defects is not None:
        top["defects"] = list(matrix.defects)
    top["activities"] = [_row(row) for row in matrix.rows]
    return yaml.safe_dump(top, sort_keys=False, allow_unicode=True, width=100)


def _row(row: ActivityRow) -> dict[str, Any]:
    rules = row.rules
    item: dict[str, Any] = {
        "activity": row.activity,
        "raci": {role: format_letters(letters) for role, letters in row.cells.items() if letters},
        "self_approval": rules.self_approval,
        "advisory": rules.advisory,
    }
    if rules.signoff_due is not None:
        item["signoff_due"] = format_duration(rules.signoff_due)
    if rules.authority is not None:
        item["authority"] = {
            "decided_by": rules.authority.decided_by,
            "reads": dict(rules.authority.reads),
        }
    if rules.assign_to:
        item["assign_to"] = rules.assign_to
    if rules.scopes:
        item["scopes"] = dict(rules.scopes)
    return item


class GridError(ValueError):
    """A cell of the modeler's RACI grid that cannot be read, worded for its reader."""

    def __init__(self, said: Message) -> None:
        super().__init__(said)
        self.said = said


def _letters(cell: str, activity: str, role: str) -> frozenset:
    try:
        return parse_letters(cell)
    except ValueError:
        raise GridError(
            Message(
                N_(
                    "'%(cell)s' for %(role)s on '%(task)s' is not a RACI cell: "
                    "use R, A, C, I or e.g. A/R"
                ),
                cell=cell.strip(),
                role=role,
                task=activity,
            )
        ) from None


def _due(text: str, activity: str) -> Any:
    try:
        return parse_duration(text)
    except ValueError:
        raise GridError(
            Message(
                N_(
                    "the sign-off due '%(value)s' on '%(task)s' is not a duration such as "
                    "P2D (2 days), PT4H (4 hours) or P1DT12H"
                ),
                value=text,
                task=activity,
            )
        ) from None


def apply_grid(
    process_id: str, old: RaciMatrix | None, roles: list[str], rows: list[dict[str, Any]]
) -> RaciMatrix:
    """The matrix the grid says: `rows` of {activity, cells: {role: "R/A"}, self_approval,
    advisory, signoff_due (ISO or ""), scopes: {role: scope}}; raises ValueError on a
    letter or duration it cannot read. Rows and roles the grid leaves out are dropped."""
    kept = {row.activity: row for row in (old.rows if old else ())}
    new_rows = []
    for given in rows:
        activity = str(given["activity"])
        before = kept.get(activity)
        rules = before.rules if before else ActivityRules()
        due = (given.get("signoff_due") or "").strip()
        rules = replace(
            rules,
            self_approval=bool(given.get("self_approval")),
            advisory=bool(given.get("advisory")),
            signoff_due=_due(due, activity) if due else None,
        )
        cells = {
            role: _letters(str(given.get("cells", {}).get(role) or ""), activity, role)
            for role in roles
        }
        # The row's own scopes: as the grid says (a matrix-wide one is not repeated), or,
        # from a grid that does not say, as they were.
        wide = old.scopes if old else {}
        said = given.get("scopes")
        own = (
            [(str(r), str(s)) for r, s in said.items() if wide.get(r) != s]
            if isinstance(said, dict)
            else list(rules.scopes)
        )
        scopes = tuple((r, s) for r, s in own if cells.get(r))
        new_rows.append(ActivityRow(activity, cells, replace(rules, scopes=scopes)))
    levels = tuple(r for r in (old.levels if old else ()) if r in roles)
    scopes = {r: s for r, s in (old.scopes if old else {}).items() if r in roles}
    defects = old.defects if old else None
    return RaciMatrix(
        process_id, tuple(roles), tuple(new_rows), levels=levels, scopes=scopes, defects=defects
    )
