"""The RACI compliance report: for each activity execution, who did R, signed A,
answered C and was told I, with every refusal (violation) and override.

Built from audit events alone (plain dicts, as engine.views.audit_events gives
them), so the report shows exactly what the tamper-evident trail holds.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

Event = Mapping[str, Any]


@dataclass
class Act:
    """One person's act: who, for whom (deputy), when, and any comment or reason."""

    user: str
    at: str
    on_behalf_of: str | None = None
    note: str | None = None
    # A refusal's message as the trail keeps it ({"msgid", "params"}: raci.messages.said),
    # for a page to word in its reader's language; `note` is its English text.
    said: dict[str, Any] | None = None

    def __str__(self) -> str:
        text = self.user + (f" for {self.on_behalf_of}" if self.on_behalf_of else "")
        return f"{text} at {self.at}" + (f" ({self.note})" if self.note else "")


@dataclass
class Execution:
    """One run of one activity (a task) in one instance."""

    instance_id: str
    process_id: str
    task_id: str
    activity: str
    name: str
    responsible: list[Act] = field(default_factory=list)
    accountable: Act | None = None
    rejected: list[Act] = field(default_factory=list)
    consulted: list[Act] = field(default_factory=list)
    informed: list[Act] = field(default_factory=list)
    violations: list[Act] = field(default_factory=list)
    overrides: list[Act] = field(default_factory=list)


def build(events: Iterable[Event]) -> list[Execution]:
    """Group task-level events into executions, in the order the tasks became ready."""
    executions: dict[str, Execution] = {}
    for event in events:
        task_id = event.get("task_id")
        if not task_id:
            continue
        details = event.get("details") or {}
        execution = executions.get(task_id)
        if execution is None:
            execution = executions[task_id] = Execution(
                instance_id=event.get("instance_id") or "",
                process_id=event.get("process_id") or "",
                task_id=task_id,
                activity=details.get("element", "?"),
                name=details.get("name") or details.get("element", "?"),
            )
        _apply(execution, event, details)
    return list(executions.values())


def _apply(execution: Execution, event: Event, details: Mapping[str, Any]) -> None:
    action, actor, at = event["action"], event["actor"], event["occurred_at"]
    behalf, reason = event.get("on_behalf_of"), event.get("reason")
    if action == "complete":
        execution.responsible.append(Act(actor, at, behalf))
    elif action == "approve":
        execution.accountable = Act(actor, at, behalf)
        if details.get("self_approval"):
            execution.overrides.append(Act(actor, at, behalf, "self-approval"))
    elif action == "reject":
        execution.rejected.append(Act(actor, at, behalf, reason))
    elif action == "consult_answered":
        note = f"{details.get('role')}: {details.get('comment')}"
        execution.consulted.append(Act(actor, at, behalf, note))
    elif action == "consult_overridden":
        roles = ", ".join(details.get("roles") or [])
        execution.overrides.append(
            Act(actor, at, behalf, f"consultation of {roles} overridden: {reason}")
        )
    elif action == "reassign":
        moved = f"reassigned {details.get('from') or 'nobody'} -> {details.get('to')}"
        execution.overrides.append(
            Act(actor, at, behalf, f"{moved}: {reason}" if reason else moved)
        )
    elif action == "notified" and event.get("raci_role") != "C":  # C: asked, or answered
        execution.informed.append(Act(details.get("recipient", "?"), at, note=details.get("after")))
    elif action == "signoff_voided":  # the signature no longer stands: none until signed again
        execution.accountable = None
        changes = details.get("changes") or {}
        changed = ", ".join(f"{field} {old!r} -> {new!r}" for field, (old, new) in changes.items())
        execution.overrides.append(
            Act(actor, at, behalf, f"sign-off by {details.get('signed_by')} voided: {changed}")
        )
    elif action == "refused":
        note = f"{event.get('raci_role')}: {details.get('attempted')} refused: {reason}"
        execution.violations.append(Act(actor, at, behalf, note, details.get("said")))


COLUMNS = (
    "instance_id",
    "process_id",
    "task_id",
    "activity",
    "name",
    "responsible",
    "accountable",
    "rejected",
    "consulted",
    "informed",
    "violations",
    "overrides",
)


def _flat(execution: Execution) -> dict[str, str]:
    row = {}
    for column in COLUMNS:
        value = getattr(execution, column)
        if isinstance(value, list):
            value = "; ".join(str(act) for act in value)
        row[column] = "" if value is None else str(value)
    return row


def as_csv(executions: list[Execution]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(_flat(execution) for execution in executions)
    return buffer.getvalue()


def as_json(executions: list[Execution]) -> str:
    records = [asdict(e, dict_factory=_without_unsaid) for e in executions]
    return json.dumps(records, indent=2, ensure_ascii=False)


def _without_unsaid(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """A record's fields, less an act's `said` where there is none (most acts)."""
    return {name: value for name, value in items if not (name == "said" and value is None)}


def as_text(executions: list[Execution]) -> str:
    if not executions:
        return "no activity executions in this period"
    blocks = []
    for execution in executions:
        row = _flat(execution)
        lines = [f"{execution.name} [{execution.activity}] in {execution.instance_id}"]
        for column in COLUMNS[5:]:
            if row[column]:
                lines.append(f"  {column:<11} {row[column]}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
