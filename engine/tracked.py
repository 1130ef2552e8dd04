"""Records loaded with a snapshot, written back at commit as what changed.

The engine's hot repositories (engine/repository.py) keep their records here rather
than in an ORM session: a row becomes a plain model object plus a tuple of the values
it was read with; at commit, comparing the two gives the columns to write. One object
per key for the life of a unit of work, as an ORM's identity map gives.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.instrumentation import opt_manager_of_class

Record = TypeVar("Record")


class TrackedRows(Generic[Record]):
    """The records of one table that a unit of work has read or added, by primary key."""

    def __init__(self, table: Table, model: type[Record]) -> None:
        self.table = table
        self.model = model
        self.columns = column_names(table)
        self._objects: dict[Any, Record] = {}
        self._snapshots: dict[Any, tuple[Any, ...]] = {}  # as last read or written
        self._new: dict[Any, Record] = {}

    def adopt(self, row: Sequence[Any], *, refresh: bool = False) -> Record:
        """The record of a row read with the table's columns in order.

        A record already held keeps its unsaved changes, unless `refresh`: then it takes
        the row's values (a row read again under a lock is newer than what was held).
        """
        key = row[0]
        found = self._objects.get(key)
        if found is None:
            values = dict(zip(self.columns, row, strict=True))
            found = self._objects[key] = from_values(self.model, values)
        elif refresh:
            for name, value in zip(self.columns, row, strict=True):
                setattr(found, name, value)
        else:
            return found
        self._snapshots[key] = tuple(row)
        return found

    def get(self, key: Any) -> Record | None:
        return self._objects.get(key)

    def add(self, record: Record) -> None:
        key = getattr(record, self.columns[0])
        self._objects[key] = self._new[key] = record

    def new_rows(self) -> list[dict[str, Any]]:
        return [self._values(record) for record in self._new.values()]

    def changes(
        self, touched: Collection[Any] = ()
    ) -> Iterator[tuple[Record, dict[str, Any], tuple[Any, ...]]]:
        """(record, {column: new value}, the snapshot) of each loaded record that changed,
        or whose key is in `touched` (then perhaps with no column changed)."""
        for key, snapshot in self._snapshots.items():
            record = self._objects[key]
            fields = _fields(record)
            changed = {
                name: value
                for name, old in zip(self.columns, snapshot, strict=True)
                if (value := fields.get(name)) is not old and value != old
            }
            if changed or key in touched:
                yield record, changed, snapshot

    def mark_written(self) -> None:
        """What is held is now what the database holds (after the writes of a commit)."""
        for key, record in self._objects.items():
            self._snapshots[key] = tuple(map(_fields(record).get, self.columns))
        self._new.clear()

    def _values(self, record: Record) -> dict[str, Any]:
        fields = _fields(record)
        return {name: fields.get(name) for name in self.columns}


def _fields(record: Any) -> dict[str, Any]:
    """A record's field values. Read from its __dict__: on a class mapped for the views,
    each attribute read is a descriptor call, and a commit reads every column of every
    record held. (A dataclass sets every field there; the ORM's unset one reads None.)"""
    return record.__dict__


@cache
def column_names(table: Table) -> tuple[str, ...]:
    """A table's column names in order (every unit of work asks, for every repository)."""
    return tuple(column.name for column in table.columns)


def from_values(model: type[Record], values: dict[str, Any]) -> Record:
    """A model object holding `values` (every field), made the way the ORM loads one.

    The model classes are mapped for the views' queries, which makes their constructor
    slow (~70 µs: an event per field); records that never enter an ORM session need none
    of that, so they are filled in directly.
    """
    manager = opt_manager_of_class(model)
    if manager is None:  # not mapped
        return model(**values)
    if not manager.mapper.configured:  # what the constructor would have done first
        configure_mappers()
    record = manager.new_instance()
    record.__dict__.update(values)
    return record


@cache
def update_by_key(table: Table, columns: frozenset[str], guard: str | None = None) -> Update:
    """UPDATE `table` SET `columns` WHERE its key = :key_ [AND guard = :guard_], built once
    per shape (the bind names end in `_` so that they never clash with the SET values)."""
    key = table.primary_key.columns.values()[0]
    statement = update(table).where(key == bindparam("key_"))
    if guard is not None:
        statement = statement.where(table.c[guard] == bindparam("guard_"))
    return statement.values({name: bindparam(name) for name in sorted(columns)})
