"""Verify a large trail in two processes, each checking half of the event ids.

Why: the check is CPU-bound Python (a canonical JSON and a SHA-256 per event), so one
process uses one core; the servers this runs on have at least two. The parent checks
the first half over its own snapshot while a forked child checks the second half; the
parent then joins the chains across the split (`audit.ChainCheck.join`) and compares
the heads. The outcome is the one a single pass gives: same problems, same order.

Both halves read the same trail:
- the parent's snapshot fixes the last event id and the heads (read in that snapshot);
- PostgreSQL: ids come from a sequence and may commit out of order, so the child
  imports the parent's snapshot (`pg_export_snapshot`, `SET TRANSACTION SNAPSHOT`);
- SQLite: writers are serialised and ids only grow, so the events up to the parent's
  last id are the same in the child's later snapshot; events appended meanwhile have
  higher ids, outside both halves, and the heads come from the parent's snapshot, so
  they match the events checked and nothing has to be ignored.

The child is forked, so it starts in milliseconds with every module already imported.
It never touches the parent's connections (it exits with os._exit, closing none of
them) and opens one of its own. It only reads, and the parent keeps its own read
transaction open until the child is done: on SQLite that read lock keeps the WAL from
being reset under the child, whatever lock state the child inherited with the library.

Small trails, in-memory databases and processes with other threads running (forking
those can deadlock) keep the single pass.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection as Pipe
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.pool import NullPool

from . import audit, audit_pass
from .database import make_engine
from .orm import audit_events

# Below this many ids, forking and a second connection cost more than they save.
MIN_EVENTS = 50_000
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")


def verify(
    connection: Connection, progress: audit_pass.Progress | None = None
) -> audit.Verification:
    """Check every chain over the snapshot `connection` (see audit_pass.snapshot)."""
    first, last = connection.execute(
        select(func.min(audit_events.c.id), func.max(audit_events.c.id))
    ).one()
    if last is None or last - first < MIN_EVENTS or not _can_fork(connection):
        return audit_pass.run(connection, progress=progress).verification
    split = split_id(first, last)
    done = multiprocessing.get_context("fork").Value("q", 0, lock=False)  # the child's count
    shown = _progress(progress, audit_pass.count(connection) if progress else 0, done)
    child, results = _fork_later_part(connection, split, last, done)
    try:
        check = _check_first_part(connection, split, shown)
        later = _receive(child, results, lambda: shown(check.events))
    except BaseException:  # the parent failed or was interrupted: the child's work is moot
        child.terminate()
        raise
    finally:
        child.join()
        results.close()
    check.join(later)
    if progress:
        progress(check.events, check.events)
    return check.finish(audit_pass.heads(connection))


def split_id(first: int, last: int) -> int:
    """The last event id of the parent's half: ids are dense (append-only), so half the
    id range is about half the events."""
    return (first + last) // 2


def _can_fork(connection: Connection) -> bool:
    url = connection.engine.url
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not in_memory
    )


def _fork_later_part(
    connection: Connection, split: int, last: int, done: Synchronized
) -> tuple[multiprocessing.process.BaseProcess, Pipe]:
    """Start the child that checks ids in (split, last]; it sends its ChainCheck back."""
    snapshot_id = None
    if connection.dialect.name == "postgresql":
        snapshot_id = connection.scalar(text("SELECT pg_export_snapshot()"))
    context = multiprocessing.get_context("fork")
    results, send = context.Pipe(duplex=False)
    url = connection.engine.url.render_as_string(hide_password=False)
    child = context.Process(
        target=_check_later_part,
        args=(url, snapshot_id, split, last, done, send),
        name="audit-verify-later-half",
        daemon=True,
    )
    child.start()
    send.close()
    return child, results


def _progress(
    progress: audit_pass.Progress | None, total: int, done: Synchronized
) -> Callable[[int], None]:
    """Report the events both processes have checked, given the parent's count."""
    if progress is None:
        return lambda mine: None
    return lambda mine: progress(mine + done.value, total)


def _check_first_part(
    connection: Connection, split: int, shown: Callable[[int], None]
) -> audit.ChainCheck:
    check = audit.ChainCheck()
    for batch in audit_pass.batches(connection, upto_id=split):
        check.add_rows(batch, None)
        shown(check.events)
    return check


def _receive(
    child: multiprocessing.process.BaseProcess, results: Pipe, show: Callable[[], None]
) -> audit.ChainCheck:
    """Wait for the child's check, showing its progress meanwhile."""
    while not results.poll(0.25):
        if not child.is_alive() and not results.poll():
            raise RuntimeError(f"audit verification: the second process died ({child.exitcode})")
        show()
    outcome: Any = results.recv()
    if isinstance(outcome, BaseException):
        raise RuntimeError(f"audit verification failed in the second process: {outcome}")
    return outcome


def _check_later_part(
    url: str, snapshot_id: str | None, split: int, last: int, done: Synchronized, send: Pipe
) -> None:
    """In the child: check ids in (split, last] over the parent's trail, send the result."""
    try:
        send.send(_later_part(url, snapshot_id, split, last, done))
    except Exception as err:  # the parent reports it
        send.send(RuntimeError(repr(err)))
    finally:
        send.close()


def _later_part(
    url: str, snapshot_id: str | None, split: int, last: int, done: Synchronized
) -> audit.ChainCheck:
    db = make_engine(url, poolclass=NullPool)
    try:
        with db.connect() as connection:
            connection.execution_options(**audit_pass.snapshot_options(db.dialect.name))
            if snapshot_id is not None:
                if not _SNAPSHOT_ID.fullmatch(snapshot_id):
                    raise ValueError(f"unexpected snapshot id {snapshot_id!r}")
                # SET takes no bind parameters; the id is PostgreSQL's own, checked above.
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")
            check = audit.ChainCheck(continues=True)
            for batch in audit_pass.batches(connection, after_id=split, upto_id=last):
                check.add_rows(batch, None)
                done.value = check.events
            connection.rollback()
            return check
    finally:
        db.dispose()
