"""The audit trail: chain verification and the RACI compliance report."""

from __future__ import annotations

from datetime import datetime

from raci import report

from .. import audit, views
from ..read_models import check_read_models
from .base import EngineBase


class AuditCommands(EngineBase):
    """Check the trail and report on how the matrices were followed."""

    def verify_audit(self) -> audit.Verification:
        """Check every audit chain; the result names the first bad event, if any."""
        result = audit.Verification()
        with self.uow() as uow:
            heads = {head.stream: head for head in uow.audit.heads()}
            for stream in sorted(set(heads) | uow.audit.stream_names()):
                events = list(uow.audit.events_of(stream))
                result.streams += 1
                result.events += len(events)
                result.problems.extend(audit.verify_stream(heads.get(stream), events))
        return result

    def verify_read_models(self) -> list[audit.Problem]:
        """Hold every business history row against its audit event (engine/read_models.py)."""
        with self.uow() as uow:
            return check_read_models(uow.session, self.runtime.services.read_models())

    def compliance_report(
        self,
        *,
        process_id: str | None = None,
        instance_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[report.Execution]:
        """Each activity execution with its R, A, C and I acts, violations and overrides."""
        events = views.audit_events(
            self.uow(), process_id=process_id, instance_id=instance_id, since=since, until=until
        )
        return report.build(events)
