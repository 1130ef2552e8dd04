"""Process analytics: how a process performs, for those who manage it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from raci import visibility
from raci.matrix import RaciMatrix
from raci.messages import N_, Message

from ..analytics import rollup
from ..analytics.build import build_report
from ..analytics.queries import Scope
from ..analytics.report import ALL_DEFECT_KINDS, DefectKind, ProcessReport
from ..audit_pass import snapshot
from ..errors import InvalidState, NotAllowed
from ..model import ProcessVersion
from ..unit_of_work import UnitOfWork
from .base import EngineBase


class AnalyticsCommands(EngineBase):
    """The analytics of a process: counts, times, Six Sigma figures, workload."""

    def analytics(
        self,
        process_id: str,
        *,
        since: datetime,
        until: datetime,
        version: int | None = None,
        user: str,
    ) -> ProcessReport:
        """The report of `process_id` (one version, or all) for instances started in
        [since, until). Refused (NotAllowed) unless `user` may analyse it
        (raci.visibility.may_analyse)."""
        if since.tzinfo is None or until.tzinfo is None:
            raise InvalidState("the period's times must carry their time zone")
        if until <= since:
            raise InvalidState(
                Message(
                    N_("the period must end after it starts (%(since)s - %(until)s)"),
                    since=since.date().isoformat(),
                    until=until.date().isoformat(),
                )
            )
        with self.reader() as uow:
            version_id = uow.versions.find_id(process_id, version)  # NotFound: no such process
            matrix = self._version(uow, version_id).matrix
            self._require_analyst(uow, user, process_id, matrix)
            monday = since.astimezone(UTC).date() - timedelta(days=since.astimezone(UTC).weekday())
            scope = Scope(
                process_id=process_id,
                since=since,
                until=until,
                as_of=min(until, uow.now),
                version_id=version_id if version is not None else None,
                week_zero=datetime.combine(monday, time(), UTC).timestamp(),
            )
        # The roll-up and the live facts are read in one snapshot (REPEATABLE READ on
        # PostgreSQL), so that a roll-up committing meanwhile is counted once, not 0 or 2.
        session = uow.session_factory()
        try:
            with snapshot(session) as connection:
                return build_report(
                    connection,
                    scope,
                    version=version,
                    kinds=defect_kinds(matrix),
                    matrix=matrix,
                )
        finally:
            session.close()

    def roll_up_analytics(self) -> int:
        """Add the instances that ended since the last roll-up to each process's analytics
        roll-up (engine/analytics/rollup.py); the worker calls it. Answers how many."""
        with self.reader() as uow:
            process_ids = uow.session.scalars(
                select(ProcessVersion.process_id).distinct().order_by(ProcessVersion.process_id)
            ).all()
        rolled = 0
        for process_id in process_ids:
            while True:  # a step at a time: one transaction adds at most STEP instances
                with self.uow() as uow:
                    added = rollup.roll_up(uow.session.connection(), process_id, uow.now)
                    uow.commit()
                rolled += added
                if added < rollup.STEP:
                    break
        return rolled

    def analysable_processes(self, *, user: str) -> list[str]:
        """The deployed processes whose analytics `user` may read (by each one's latest
        version, with the rule `analytics` applies): the menu and the list page ask."""
        with self.reader() as uow:
            process_ids = uow.session.scalars(
                select(ProcessVersion.process_id).distinct().order_by(ProcessVersion.process_id)
            ).all()
            found = []
            for process_id in process_ids:
                matrix = self._version(uow, uow.versions.find_id(process_id)).matrix
                try:
                    self._require_analyst(uow, user, process_id, matrix)
                except NotAllowed:
                    continue
                found.append(process_id)
            return found

    def _require_analyst(
        self, uow: UnitOfWork, user: str, process_id: str, matrix: RaciMatrix | None
    ) -> None:
        """The report, its per-person tables included, is for who manages the process:
        one rule (raci.visibility.may_analyse), never a peer."""
        roles = uow.directory.load().roles_of(user)
        # An A role that is also the activity's R (a BD's own request; credit controllers
        # signing one another's analyses) is held by the peers doing the work: it makes
        # nobody a manager of the process (docs/analytics.md, "Who may read").
        accountable = {
            row.accountable
            for row in (matrix.rows if matrix else ())
            if row.accountable and row.accountable not in row.responsible
        }
        if not visibility.may_analyse(roles, accountable_roles=accountable):
            raise NotAllowed(
                Message(
                    N_("%(user)s may not see the analytics of %(process)s"),
                    user=user,
                    process=process_id,
                )
            )


def defect_kinds(matrix: RaciMatrix | None) -> frozenset[DefectKind]:
    """What the process counts as defects: its matrix's `defects:`, else every kind."""
    if matrix is None or matrix.defects is None:
        return ALL_DEFECT_KINDS
    return frozenset(DefectKind(kind) for kind in matrix.defects)
