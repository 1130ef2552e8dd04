"""A process's versions, and moving running instances to a newer one (engine/migration.py).

Migrating is the process owner's act (the R of the deployment row, or an admin), and
an audited one: each instance moved says so on its own trail, and the system stream
records who moved which instances from which versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from raci import deployment, visibility
from raci.messages import N_, Message

from .. import audit
from ..errors import InvalidState, NotAllowed
from ..migration import MigrationPlan, migrate, plan_migration
from ..model import InstanceStatus, ProcessInstance
from ..settle import record
from ..unit_of_work import UnitOfWork
from ..version_store import unfinished_instances, version_history
from ..views.activity_load import ActivityLoad, activity_load
from .base import EngineBase


@dataclass(frozen=True)
class MigrationCandidate:
    """An unfinished instance on an older version: whether it can move, and why not."""

    instance_id: str
    business_key: str | None
    status: str
    from_version: int
    reasons: tuple[Message, ...]

    @property
    def movable(self) -> bool:
        return not self.reasons


MOVABLE_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.ERROR)


class VersionCommands(EngineBase):
    """List versions with their approvals; preview and carry out migrations."""

    def versions(self, process_id: str) -> list[dict[str, Any]]:
        """Every version of a process, newest first, with its deployer, approver, and the
        number of unfinished instances on it."""
        self._find_version_id(process_id)  # NotFound for a process never deployed
        with self.reader() as uow:
            return version_history(uow.session.connection(), process_id)

    def version_files(
        self, process_id: str, number: int | None = None, *, user: str
    ) -> tuple[int, dict[str, str]]:
        """A version's files as deployed (BPMN, DMN tables, RACI matrix), the latest if no
        `number`: what `deploy` takes back, to keep, review or redeploy elsewhere."""
        with self.reader() as uow:
            if not visibility.may_export_definitions(uow.directory.load().roles_of(user)):
                raise NotAllowed(
                    Message(
                        N_("%(user)s may not download the files of %(process)s"),
                        user=user,
                        process=process_id,
                    )
                )
            version = uow.versions.find(process_id, number)
            return version.version, {**version.sources, **version.attachments}

    def activity_load(self, process_id: str, version: int | None = None) -> dict[str, ActivityLoad]:
        """Per activity of a version: its open tasks and the median time they waited to be
        taken up (engine/views/activity_load.py)."""
        with self.reader() as uow:
            version_id = self._find_version(uow, process_id, version)
            return activity_load(uow.session.connection(), version_id, uow.now)

    def migration_preview(
        self, process_id: str, *, user: str, to_version: int | None = None
    ) -> tuple[int, list[MigrationCandidate]]:
        """Which unfinished instances on older versions can move to `to_version` (the
        latest by default), and why the others cannot."""
        with self.reader() as uow:
            self._may_migrate(uow, user)
            target = uow.versions.find(process_id, to_version)
            candidates = [
                self._candidate(uow, row, target.id)
                for row in unfinished_instances(uow.session.connection(), process_id)
                if row["version"] < target.version
            ]
            return target.version, candidates

    def migrate_instances(
        self,
        process_id: str,
        instance_ids: Sequence[str],
        *,
        user: str,
        to_version: int | None = None,
    ) -> list[str]:
        """Move the instances named to `to_version` (the latest by default), all or none:
        one that cannot move refuses the whole act, naming it and why."""
        if not instance_ids:
            raise InvalidState(Message(N_("choose the instances to migrate")))
        with self.uow() as uow:
            self._may_migrate(uow, user)
            target = uow.versions.find(process_id, to_version)
            specs = self._version(uow, target.id).specs
            moved: list[dict[str, Any]] = []
            for instance_id in dict.fromkeys(instance_ids):
                instance = uow.instances.lock(instance_id)
                if instance.process_id != process_id:
                    raise InvalidState(f"instance {instance_id} is not of {process_id}")
                workflow, number = self._load(uow, instance)
                plan = self._plan(uow, instance, workflow, target.id)
                if number >= target.version:
                    plan.reasons.append(Message(N_("it is on version %(v)s already"), v=number))
                if not plan.movable:
                    raise InvalidState(
                        Message(
                            N_("instance %(id)s cannot move: %(why)s"),
                            id=instance.business_key or instance.id,
                            why=list(plan.reasons),  # each said in the reader's language
                        )
                    )
                migrate(workflow, plan, specs)
                instance.state = self.runtime.snapshot(workflow)
                instance.version_id, instance.updated_at = target.id, uow.now
                details = {"from_version": number, "to_version": target.version}
                record(uow, instance, "migrated", actor=user, details=details)
                moved.append({"instance": instance.id, **details})
            uow.audit.record(
                audit.SYSTEM_STREAM,
                occurred_at=uow.now,
                actor=user,
                action="migrate",
                process_id=process_id,
                details={"to_version": target.version, "instances": moved},
            )
            uow.commit()
            return [m["instance"] for m in moved]

    def _candidate(
        self, uow: UnitOfWork, row: dict[str, Any], target_id: int
    ) -> MigrationCandidate:
        instance = uow.instances.get(row["id"])
        workflow, _ = self._load(uow, instance)
        reasons = self._plan(uow, instance, workflow, target_id).reasons
        return MigrationCandidate(
            row["id"], row["business_key"], str(row["status"]), row["version"], tuple(reasons)
        )

    def _plan(
        self, uow: UnitOfWork, instance: ProcessInstance, workflow: Any, target_id: int
    ) -> MigrationPlan:
        plan = plan_migration(
            workflow,
            self._version(uow, target_id).specs,
            old_matrix=self._version(uow, instance.version_id).matrix,
            new_matrix=self._version(uow, target_id).matrix,
            timers=self.runtime.timer_ids(workflow),
        )
        # One stopped on an error may move too: retried, its failed step runs as the new
        # version has it (the way out once a fix is deployed; docs/deployment.md).
        if instance.status not in MOVABLE_STATUSES:
            plan.reasons.append(Message(N_("it is %(status)s"), status=instance.status))
        return plan

    def _may_migrate(self, uow: UnitOfWork, user: str) -> None:
        try:
            deployment.may_draft(uow.directory.load(), user)
        except deployment.Refused as refused:
            raise NotAllowed(refused.msg) from refused

    def _find_version_id(self, process_id: str) -> int:
        with self.reader() as uow:
            return self._find_version(uow, process_id)
