"""Show a RACI matrix: as a plain-text chart, as JSON-ready rows, or as a CSV matrix file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from raci.files import write_csv
from raci.matrix import ActivityRow, ActivityRules, RaciMatrix, format_letters


def format_duration(duration: timedelta) -> str:
    """Write `duration` in ISO-8601 form: P2D, PT4H, P1DT2H, PT0S."""
    if duration < timedelta(0):
        raise ValueError(f"{duration} is negative; durations here are time limits")
    hours, rest = divmod(duration.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if duration.microseconds:
        time += f"{seconds}.{duration.microseconds:06d}".rstrip("0") + "S"
    elif seconds:
        time += f"{seconds}S"
    days = f"{duration.days}D" if duration.days else ""
    if not days and not time:
        return "PT0S"
    return f"P{days}{'T' + time if time else ''}"


def as_text_table(matrix: RaciMatrix) -> str:
    """Lay `matrix` out as an aligned plain-text chart, with a flags column when any is set."""
    header = ["activity", *_role_columns(matrix)]
    body = [[row.activity, *_cells(matrix, row)] for row in matrix.rows]
    flags = [describe_rules(row.rules) for row in matrix.rows]
    if any(flags):
        header.append("flags")
        body = [[*cells, flag] for cells, flag in zip(body, flags, strict=True)]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    rule = ["-" * width for width in widths]
    return "".join(_aligned(line, widths) for line in [header, rule, *body])


def describe_rules(rules: ActivityRules) -> str:
    """Name the flags `rules` sets, e.g. "self-approval, advisory, sign-off P2D"."""
    parts = [
        "self-approval" if rules.self_approval else "",
        "advisory" if rules.advisory else "",
        f"sign-off {format_duration(rules.signoff_due)}" if rules.signoff_due else "",
        f"assign to {rules.assign_to}" if rules.assign_to else "",
    ]
    return ", ".join(part for part in parts if part)


def as_rows(matrix: RaciMatrix) -> list[dict[str, Any]]:
    """Return one JSON-ready dict per row; `cells` holds only the roles given letters."""
    return [
        {
            "activity": row.activity,
            "cells": {
                role: format_letters(letters) for role, letters in row.cells.items() if letters
            },
            "self_approval": row.rules.self_approval,
            "advisory": row.rules.advisory,
            "signoff_due": _duration(row.rules.signoff_due),
            **_routing(matrix, row),
        }
        for row in matrix.rows
    ]


def _routing(matrix: RaciMatrix, row: ActivityRow) -> dict[str, Any]:
    """The row's assign_to and its roles' scopes, where the matrix declares them."""
    scopes = {role: scope for role, scope in matrix.scopes.items() if row.cells.get(role)}
    return {
        **({"assign_to": row.rules.assign_to} if row.rules.assign_to else {}),
        **({"scopes": scopes} if scopes else {}),
    }


def as_csv(matrix: RaciMatrix) -> str:
    """Write `matrix` in the CSV matrix file format, with the flag columns any row needs."""
    rules = [row.rules for row in matrix.rows]
    flags = [
        flag
        for flag, used in (
            ("@self_approval", any(r.self_approval for r in rules)),
            ("@advisory", any(r.advisory for r in rules)),
            ("@signoff_due", any(r.signoff_due for r in rules)),
            ("@assign_to", any(r.assign_to for r in rules)),
        )
        if used
    ]
    records = [["activity", *_role_columns(matrix), *flags]]
    for row in matrix.rows:
        values = {
            "@self_approval": str(row.rules.self_approval).lower(),
            "@advisory": str(row.rules.advisory).lower(),
            "@signoff_due": _duration(row.rules.signoff_due) or "",
            "@assign_to": row.rules.assign_to or "",
        }
        records.append([row.activity, *_cells(matrix, row), *(values[flag] for flag in flags)])
    return write_csv(records)


def _role_columns(matrix: RaciMatrix) -> list[str]:
    """The role columns, a scoped role written `bd[customer_bd]` as the CSV file has it."""
    return [f"{r}[{matrix.scopes[r]}]" if r in matrix.scopes else r for r in matrix.roles]


def _cells(matrix: RaciMatrix, row: ActivityRow) -> list[str]:
    return [format_letters(row.cells.get(role, frozenset())) for role in matrix.roles]


def _duration(duration: timedelta | None) -> str | None:
    return format_duration(duration) if duration is not None else None


def _aligned(line: list[str], widths: list[int]) -> str:
    return (
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        + "\n"
    )
