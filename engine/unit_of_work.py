"""The unit of work: one transaction, and the repositories that share it.

    with uow:
        ...
        uow.commit()

Leaving the block without `commit()` rolls everything back. Everything written
in one unit of work is stamped with one time, `uow.now`, taken when it begins.

A unit of work that only reads says so (`with uow.read_only():`): on SQLite it then
begins a deferred transaction, which reads a snapshot and never waits for, nor holds
up, a writer (WAL); one that may write begins with the write lock (BEGIN IMMEDIATE),
so that it never has to upgrade a read lock half-way (engine/database.py). Inside a
request's read scope (engine/read_scope.py) the read units of work share one transaction.

A command that changes an instance or its tasks locks the instance's row first
(`uow.instances.lock`, `uow.tasks.lock`): writers of one instance take turns. Losing
to another writer anyway (a stale revision, a deadlock, a lock wait that timed out,
SQLite's busy timeout) ends the unit of work with ConcurrencyConflict.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from raci.messages import Message

from . import read_scope
from .account_store import AccountRepository
from .audit_store import AuditRepository
from .caches import Caches, Revisions
from .clock import Clock
from .directory_store import DirectoryRepository
from .draft_store import DraftRepository
from .errors import ConcurrencyConflict
from .governance_store import (
    INBOX_FIELDS,
    ConsultationRepository,
    NotificationRepository,
    OutboxRepository,
    TaskRoleRepository,
)
from .repository import InstanceRepository, TaskRepository, VersionRepository
from .start_requests import StartRequestRepository
from .timer_store import TimerRepository

Wording = Callable[[Message, str], str]  # (message, locale) -> text


def english(message: Message, locale: str) -> str:
    """The wording of a message when no translator is wired: its English text."""
    return str(message)


class UnitOfWork:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        wording: Wording = english,
        caches: Caches | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        # What the engine's process caches across units of work (engine/caches.py).
        self.caches = caches or Caches()
        # How a notice reads in its recipient's language (the web wires its catalog).
        self.wording = wording
        # Set by the engine: start another instance inside this unit of work.
        self.start_process: Callable[..., str] | None = None
        self.reading_only = False
        self._alone = False

    def read_only(self) -> UnitOfWork:
        """This unit of work only reads: enter it with `with uow.read_only():`."""
        self.reading_only = True
        return self

    def alone(self) -> UnitOfWork:
        """This unit of work begins a transaction of its own, never one a request began
        for its write: for a pass that sets its own isolation (audit_pass.snapshot)."""
        self._alone = True
        return self

    def __enter__(self) -> UnitOfWork:
        scope = read_scope.current()
        self._shared = False
        self._ends_scope: read_scope.ReadScope | None = None
        if scope is not None and self.reading_only:
            # Reads inside a request share its one read transaction (engine/read_scope.py).
            self._shared = True
            if scope.reader is not None:
                self._join(scope.reader)
                return self
            scope.reader = self
            self._begin(for_write=scope.writes_next)
            return self
        if scope is not None:
            # A write: what the request read so far ends; what it reads next sees the write.
            # A request that said it would write has read in a transaction begun for it.
            begun_for_it = None if self._alone else scope.hand_over()
            scope.end()
            self._ends_scope = scope
            if begun_for_it is not None:
                self._take_over(begun_for_it)
                return self
        self._begin()
        return self

    def _begin(self, *, for_write: bool = False) -> None:
        self.now = self.clock.now()
        # The unit of work owns a connection and its transaction. The hot path's Core
        # repositories work on it alone; an ORM session, which the cold paths use, joins
        # the transaction when first used and then ends it (database.UnitSession).
        database = self.session_factory.kw["bind"]
        held = database.connect()
        session = self.session_factory(bind=held, join_transaction_mode="control_fully")
        if self.reading_only:
            # Begins the transaction now, with the option engine/database.py reads: a
            # snapshot, or the write lock if the request's write will continue it.
            held.execution_options(read_only=not for_write)
            held.begin()
        self._work_in(session, held, Revisions(self.connection))

    def _take_over(self, reader: UnitOfWork) -> None:
        """Write in the transaction `reader` began for this write (read_scope.ReadScope);
        the revisions it read stay true in it."""
        self.now = self.clock.now()
        self._work_in(reader.session, reader._held, reader.revisions)

    def _work_in(self, session: Session, held: Connection, revisions: Revisions) -> None:
        """Work in `held`'s transaction (which `session` joins if used) with repositories
        of this unit of work's own: all a unit of work keeps per transaction."""
        self.session = session
        session.info[UNIT_OF_WORK] = self
        self._held = held  # see connection()
        self._stored_workflows: dict[str, tuple[Any, bytes, Any]] = {}  # see stored_workflow
        self._open_repositories(revisions)

    def _open_repositories(self, revisions: Revisions) -> None:
        self.versions = VersionRepository(self.session, self.connection)
        self.audit = AuditRepository(self.session, self.connection)
        self.instances = InstanceRepository(self.connection, self.audit)
        self.tasks = TaskRepository(self.connection, self.instances)
        self.timers = TimerRepository(self.connection)
        self.revisions = revisions
        self.directory = DirectoryRepository(self.session, self.caches, self.revisions)
        self.accounts = AccountRepository(self.session, self.connection)
        self.task_roles = TaskRoleRepository(self.connection)
        self.start_requests = StartRequestRepository(self.connection)
        self.consultations = ConsultationRepository(
            self.session, self.connection, reading_only=self.reading_only
        )
        self.notifications = NotificationRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.drafts = DraftRepository(self.session)

    def connection(self) -> Connection:
        """The connection of this unit of work's transaction, begun on first use (and
        begun again by a statement after a commit)."""
        return self._held

    def _join(self, reader: UnitOfWork) -> None:
        """Read through `reader`'s transaction and repositories (all it opened)."""
        for name, value in vars(reader).items():
            if name not in ("_shared", "_ends_scope"):
                setattr(self, name, value)

    def close(self) -> None:
        """End the transaction (rolling back whatever was not committed)."""
        # close() keeps loaded objects readable.
        self.session.close()
        self._held.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        contention = isinstance(exc, DBAPIError) and _is_contention(exc)
        if not self._shared:
            self.close()
        elif isinstance(exc, DBAPIError):  # the shared transaction may be unusable now
            scope = read_scope.current()
            if scope is not None:
                scope.end()
        if self._ends_scope is not None:
            self._ends_scope.end()  # a read begun during the write must not outlive it
        if contention:  # e.g. waiting for a lock
            raise ConcurrencyConflict(BUSY) from exc

    def commit(self) -> None:
        """Commit, turning a lost race with another writer into ConcurrencyConflict."""
        if self.reading_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            self.write_records()
            self.audit.flush_heads()
            self.session.flush()
            self.task_roles.flush()  # after the tasks: the rows refer to them
            if self.session.in_transaction():
                self.session.commit()  # it joined the transaction, so it ends it
            if self._held.in_transaction():
                self._held.commit()  # the hot path's: the session never took part
            self._keep_stored_workflows()
        except ConcurrencyConflict:
            self.session.rollback()
            raise
        except IntegrityError as err:
            self.session.rollback()
            if _is_unique_violation(err):  # e.g. two deploys racing for one version number
                raise ConcurrencyConflict(
                    "someone else saved the same record first; retry"
                ) from err
            raise
        except OperationalError as err:
            self.session.rollback()
            if _is_contention(err):
                raise ConcurrencyConflict(BUSY) from err
            raise

    def stored_workflow(self, instance: Any, workflow: Any) -> None:
        """`instance.state` was just dumped from `workflow`: once this unit of work has
        committed, the process keeps the workflow for the case's next command."""
        self._stored_workflows[instance.id] = (instance, instance.state, workflow)

    def _keep_stored_workflows(self) -> None:
        for instance, state, workflow in self._stored_workflows.values():
            if instance.state is state:  # nothing stored another state after it
                self.caches.workflows.keep(instance.id, instance.version_id, state, workflow)
        self._stored_workflows.clear()

    def write_records(self) -> None:
        """Write what the Core repositories hold: instances, then their tasks and timers,
        then the audit events. Also run before every flush of the ORM session (a savepoint,
        a commit), whose rows (consultations, notifications) may refer to them."""
        self.task_roles.note_changes(self.tasks.inbox_changes(INBOX_FIELDS))
        self.instances.flush(touched=self.tasks.touched_instances())
        self.tasks.flush()
        self.timers.flush()
        self.audit.flush()


@event.listens_for(Session, "before_flush")
def _records_before_the_orm(session: Session, _context: Any, _objects: Any) -> None:
    unit_of_work = session.info.get(UNIT_OF_WORK)
    if unit_of_work is not None:
        unit_of_work.write_records()


UNIT_OF_WORK = "raciflow.unit_of_work"  # the key of a session's unit of work in session.info
BUSY = "someone else is changing the same records; try again"
# PostgreSQL: serialization failure, deadlock detected, lock wait timed out (lock_timeout).
_CONTENTION_STATES = {"40001", "40P01", "55P03"}


def _is_contention(err: DBAPIError) -> bool:
    sqlstate = getattr(err.orig, "sqlstate", None)
    return sqlstate in _CONTENTION_STATES or "database is locked" in str(err.orig)


def _is_unique_violation(err: IntegrityError) -> bool:
    return getattr(err.orig, "sqlstate", None) == "23505" or "UNIQUE constraint" in str(err.orig)
