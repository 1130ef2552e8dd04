"""One read transaction for a whole request: the read units of work inside a scope share it.

A web request reads in many places (who is calling, may they see this, the task, its
consultations), each through `with uow.read_only():`. Inside `shared_reads()` those
units of work are one: the first opens the transaction, the others join it, and it
ends when the scope does. So a request reads one snapshot, once, and pays for one
BEGIN and one look at the cache revisions.

A unit of work that may write never joins: it opens its own transaction, as always.
Before it begins, the scope's read transaction ends, so that whatever the request
reads afterwards is a new snapshot that sees the request's own write (SQLite's
deferred transaction would otherwise keep showing the world before it).

A request that says it will write (`shared_reads(writes_next=True)`: the web says so
for an API call that changes something) reads in a transaction begun as a write's
(on SQLite with the write lock), and its first write continues that transaction
instead of opening another: who is calling is read in the command's own transaction.
A JSON call then costs one transaction, not two. Pages do not: one that writes may
render a form again after refusing it, and should not hold the write lock meanwhile.

Outside a scope (the CLI, the worker, tests) every unit of work has its own
transaction, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .unit_of_work import UnitOfWork


class ReadScope:
    """The request's open read unit of work, if any."""

    def __init__(self, *, writes_next: bool = False) -> None:
        self.reader: UnitOfWork | None = None
        # The request is one that writes (an API call that changes something): its reads
        # begin a transaction that may write, and its first write continues it.
        self.writes_next = writes_next

    def hand_over(self) -> UnitOfWork | None:
        """The open reader whose transaction was begun for the request's write, for that
        write to continue (once); None if there is none, or the request said no write."""
        reader = self.reader if self.writes_next else None
        self.writes_next = False  # a later write runs in its own transaction
        if reader is not None:
            self.reader = None  # the writer owns the transaction now: it ends it
        return reader

    def end(self) -> None:
        """End the read transaction; the next read begins a new one."""
        reader, self.reader = self.reader, None
        if reader is not None:
            reader.close()


_current: ContextVar[ReadScope | None] = ContextVar("raciflow_read_scope", default=None)


def current() -> ReadScope | None:
    return _current.get()


@contextmanager
def shared_reads(*, writes_next: bool = False) -> Iterator[ReadScope]:
    """Let the read units of work opened inside share one transaction; `writes_next`:
    in one the request's first write continues (see ReadScope)."""
    scope = ReadScope(writes_next=writes_next)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)
        scope.end()
