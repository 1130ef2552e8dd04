"""Per-process caches of what rarely changes, each keyed by a revision the database keeps.

The one row of `cache_revisions` holds two numbers: `directory`, raised in the same
transaction as every change to users, roles, memberships or deputies
(engine/directory_store.py), and `definitions`, raised by every deploy. A unit of
work reads the row once, with one primary-key SELECT, the first time it needs a
cached value; the value is used only if it was loaded at that revision. So a change
committed by any process (another web worker, the CLI) is seen by every other at its
next transaction: no time-to-live, no stale RACI decision (docs/performance.md).

Two rules keep a cache honest:
- the revision is read *before* the value is loaded: a change committed in between
  leaves a newer value under an older number, which the next check replaces; never
  an older value under a newer number;
- a transaction that has changed what is cached loads its own (uncommitted) view and
  stores nothing: it may yet roll back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import select, update

from raci.directory import Directory

from .database import Connect
from .direct import execute
from .orm import cache_revisions
from .workflow_cache import WorkflowCache

T = TypeVar("T")

DIRECTORY = "directory"
DEFINITIONS = "definitions"

_READ = select(cache_revisions.c.directory, cache_revisions.c.definitions).where(
    cache_revisions.c.id == 1
)


class RevisionCache(Generic[T]):
    """One value and the revision it was loaded at, shared by the threads of a process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: int | None = None
        self._value: T | None = None

    def get(self, revision: int, load: Callable[[], T]) -> T:
        """The value at `revision`: the cached one if loaded at it, else `load()`."""
        with self._lock:
            if self._revision == revision:
                return self._value  # type: ignore[return-value]
        value = load()
        with self._lock:
            self._revision, self._value = revision, value
        return value


class VersionCache(Generic[T]):
    """Values by version id, at most `limit` of them: a deployed version never changes,
    so nothing invalidates an entry; the oldest goes when the cache is full."""

    def __init__(self, limit: int = 256) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._values: dict[int, T] = {}

    def get(self, version_id: int, load: Callable[[], T]) -> T:
        with self._lock:
            if version_id in self._values:
                return self._values[version_id]
        value = load()
        with self._lock:
            if len(self._values) >= self._limit:
                self._values.pop(next(iter(self._values)))
            self._values[version_id] = value
        return value


@dataclass
class Caches:
    """What one engine (one process) caches across its units of work."""

    directory: RevisionCache[Directory] = field(default_factory=RevisionCache)
    # (process id, version number or None for the latest) -> version id
    catalogue: RevisionCache[dict[tuple[str, int | None], int]] = field(
        default_factory=RevisionCache
    )
    # version id -> its parsed specs and matrix (engine/loaded_versions.py)
    versions: VersionCache[Any] = field(default_factory=VersionCache)
    # instance id -> its workflow as last stored by this process (engine/workflow_cache.py)
    workflows: WorkflowCache = field(default_factory=WorkflowCache)


class Revisions:
    """The cache revisions as one transaction sees them (read once), and its bumps."""

    def __init__(self, connection: Connect) -> None:
        self._connection = connection
        self._read: dict[str, int] | None = None
        self.changed: set[str] = set()  # bumped here: nothing is cached from this view

    def __getitem__(self, name: str) -> int:
        if self._read is None:
            row = execute(self._connection(), _READ).one()
            self._read = {DIRECTORY: row.directory, DEFINITIONS: row.definitions}
        return self._read[name]

    def know(self, directory: int, definitions: int) -> None:
        """Take the revisions as read by another statement of this transaction."""
        if self._read is None and not self.changed:
            self._read = {DIRECTORY: directory, DEFINITIONS: definitions}

    def bump(self, name: str) -> None:
        """Raise `name`'s revision (once per transaction): every process reloads it."""
        if name not in self.changed:
            column = cache_revisions.c[name]
            bump = update(cache_revisions).where(cache_revisions.c.id == 1)
            self._connection().execute(bump.values({column: column + 1}))
            self.changed.add(name)
            self._read = None

    def cached(self, name: str, cache: RevisionCache[T], load: Callable[[], T]) -> T:
        """`cache`'s value at this transaction's revision of `name`; uncached if changed here."""
        if name in self.changed:
            return load()
        return cache.get(self[name], load)
