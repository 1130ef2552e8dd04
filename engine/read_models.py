"""Read models of business changes, and their check against the audit chains.

A read model is a history table people read (a customer's changes, stock moves,
...): one row per recorded change, written with its `data_changed` event and
carrying that event's id. The chain is the record; the table only shows it. So
`check_read_models` holds every row against its event: a row whose values differ
from its event's, a row without an event, or an event of another kind, is a
problem that names the event (or the row).

This check is kept apart from the chain walk (engine/audit.py) on purpose:
`raciflow audit verify` runs both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from .audit import Problem
from .changes import CHANGE_ACTION, Change, Projector, RecordedChange, change_text
from .orm import audit_events

_BATCH = 1000


@dataclass(frozen=True)
class ReadModel:
    """Where the changes of some entities are shown: `row` gives a change's columns."""

    table: Table
    entities: frozenset[str]
    row: Callable[[RecordedChange], dict[str, Any]]
    event_column: str = "audit_event_id"

    def project(self, session: Session, recorded: RecordedChange) -> None:
        values = {**self.row(recorded), self.event_column: recorded.event_id}
        session.execute(insert(self.table).values(values))


def projector(models: Sequence[ReadModel]) -> Projector | None:
    """Write each recorded change into the read model of its entity (if it has one)."""
    by_entity = {entity: model for model in models for entity in model.entities}
    if not by_entity:
        return None

    def project(session: Session, recorded: RecordedChange) -> None:
        model = by_entity.get(recorded.change.entity)
        if model is not None:
            model.project(session, recorded)

    return project


def check_read_models(session: Session, models: Iterable[ReadModel]) -> list[Problem]:
    """Every read-model row that its audit event does not bear out."""
    problems: list[Problem] = []
    for model in models:
        problems.extend(_check(session, model))
    return problems


def _check(session: Session, model: ReadModel) -> Iterator[Problem]:
    table, column = model.table, model.table.c[model.event_column]
    rows = session.execute(select(table).order_by(table.c.id).execution_options(yield_per=_BATCH))
    for batch in rows.mappings().partitions(_BATCH):
        wanted = {row[model.event_column] for row in batch} - {None}
        events = {
            event["id"]: event
            for event in session.execute(
                select(audit_events).where(audit_events.c.id.in_(wanted))
            ).mappings()
        }
        for row in batch:
            yield from _check_row(model, row, events.get(row[column.name]))


def _check_row(model: ReadModel, row: Any, event: Any) -> Iterator[Problem]:
    where = f"{model.table.name} row {row['id']}"
    if event is None:
        message = "has no audit event" if row[model.event_column] is None else "its event is gone"
        yield Problem(model.table.name, None, None, f"{where} {message}")
        return
    recorded = _recorded(event)
    if recorded is None or recorded.change.entity not in model.entities:
        message = f"{where} points at an event that records no change of its kind"
        yield Problem(event["stream"], event["seq"], event["id"], message)
        return
    expected = model.row(recorded)
    differing = [
        f"{name} {change_text(row[name])!r}, event says {change_text(value)!r}"
        for name, value in expected.items()
        if change_text(row[name]) != change_text(value)
    ]
    if differing:
        message = f"{where} differs from its event: {'; '.join(differing)}"
        yield Problem(event["stream"], event["seq"], event["id"], message)


def _recorded(event: Any) -> RecordedChange | None:
    if event["action"] != CHANGE_ACTION:
        return None
    try:
        change = Change.from_details(event["details"])
    except (KeyError, TypeError):
        return None
    return RecordedChange(
        event["id"],
        change,
        event["actor"],
        event["on_behalf_of"],
        event["reason"],
        event["occurred_at"],
        event["instance_id"],
    )
