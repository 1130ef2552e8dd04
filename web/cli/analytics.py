"""`raciflow analytics PROCESS`: a process's figures as readable tables, or JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from engine.analytics import tables
from engine.analytics.period import days
from engine.analytics.report import ProcessReport
from web.api.analytics import as_json

from .common import engine, json_option

DURATION_SUFFIX = "_s"


@click.command("analytics")
@click.argument("process_id")
@click.option("--since", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC).")
@click.option("--until", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC).")
@click.option("--version", type=click.IntRange(1), help="One version (default: every version).")
@click.option("--user", required=True, help="Who reads them (owner, analyst, a managing A).")
@json_option
def analytics(
    process_id: str, since: datetime, until: datetime, version: int | None, user: str
) -> tuple[Any, str]:
    """Counts, cycle time, Six Sigma figures and workload of PROCESS_ID, for the
    instances started from --since to --until (both days included)."""
    if until < since:
        raise click.BadParameter("must not be before --since", param_hint="--until")
    start, end = days(since.date(), until.date())
    report = engine().analytics(process_id, since=start, until=end, version=version, user=user)
    return as_json(report), render(report)


def render(report: ProcessReport) -> str:
    """Every table of the report, titled, columns aligned; durations in hours."""
    which = f"version {report.version}" if report.version else "every version"
    period = f"{report.since:%Y-%m-%d} to {report.until:%Y-%m-%d} (excluded)"
    parts = [
        f"{report.process_id}, {which}, instances started {period}",
        "sigma levels are short-term: the long-term level plus the conventional 1.5 sigma shift",
    ]
    for name in tables.TABLES:
        parts.append(f"\n{name.replace('_', ' ')}\n{_aligned(tables.table(report, name))}")
    return "\n".join(parts)


def _aligned(table: tables.Table) -> str:
    if not table.rows:
        return "  (none)"
    lines = [[_heading(c) for c in table.columns]]
    for row in table.rows:
        # The summary names its figures in its first column; the other tables, by column.
        if table.columns[0] == "figure":
            lines.append([_heading(row[0]), _cell(row[0], row[1])])
        else:
            lines.append([_cell(c, value) for c, value in zip(table.columns, row, strict=True)])
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join(
        "  " + "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _heading(column: str) -> str:
    return column.removesuffix(DURATION_SUFFIX) + "_h" if _is_duration(column) else column


def _is_duration(name: str) -> bool:
    return name.endswith(DURATION_SUFFIX)


def _cell(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if _is_duration(name):
        return f"{value / 3600:.2f}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


COMMANDS = (analytics,)
