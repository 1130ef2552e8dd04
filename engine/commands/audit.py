"""The audit trail: chain verification, its recorded results, Merkle checkpoints and
inclusion proofs, and the RACI compliance report."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from raci import report

from .. import audit, audit_pass, audit_split, merkle, views
from ..errors import InvalidState, NotFound
from ..orm import audit_events, audit_verifications
from ..read_models import check_read_models
from .case_notes import CaseNoteCommands

CHECKPOINT_ACTION = "audit_checkpoint"
PROOF_FORMAT = "raciflow-audit-proof/1"


@dataclass(frozen=True)
class VerificationRecord:
    """One recorded check of every chain: what the audit page shows."""

    id: int
    started_at: datetime
    finished_at: datetime
    run_by: str
    streams: int
    events: int
    problems: int
    first_problem: str | None
    first_bad_event_id: int | None
    first_bad_stream: str | None

    @property
    def ok(self) -> bool:
        return self.problems == 0


@dataclass(frozen=True)
class Checkpoint:
    """A Merkle root over the first `tree_size` events (ids up to `last_event_id`)."""

    id: int  # the id of the audit event that records it
    recorded_at: datetime
    recorded_by: str
    tree_size: int
    root_hash: str
    last_event_id: int


class AuditCommands(CaseNoteCommands):
    """Check the trail, prove what is in it, and report on how the matrices were followed."""

    def verify_audit(self, progress: audit_pass.Progress | None = None) -> audit.Verification:
        """Check every audit chain in one pass; the result names the first bad event, if any.

        This is the one entry point of verification: further checks of the same
        snapshot (e.g. read models against the trail) belong here.
        """
        with self.uow().alone() as uow, audit_pass.snapshot(uow.session) as connection:
            verification = audit_split.verify(connection, progress)
            models = self.runtime.services.read_models()
            verification.problems.extend(check_read_models(uow.session, models))
        verification.problems.extend(self.verify_attachments())  # each file against its digest
        return verification

    def verify_cases(self, instance_ids: Collection[str]) -> audit.Verification:
        """Check the chains of these cases now (a case file's own integrity statement)."""
        with self.uow().alone() as uow, audit_pass.snapshot(uow.session) as connection:
            return audit_pass.check_streams(connection, instance_ids)

    def record_verification(
        self, *, by: str, progress: audit_pass.Progress | None = None
    ) -> VerificationRecord:
        """Verify every chain and store the outcome (when, by whom, what was found)."""
        started_at = self.clock_now()
        result = self.verify_audit(progress)
        first = result.first_problem
        with self.uow() as uow:
            row = {
                "started_at": started_at,
                "finished_at": uow.now,
                "run_by": by,
                "streams": result.streams,
                "events": result.events,
                "problems": len(result.problems),
                "first_problem": str(first) if first else None,
                "first_bad_event_id": first.event_id if first else None,
                "first_bad_stream": first.stream if first else None,
            }
            new_id = uow.session.execute(
                insert(audit_verifications).returning(audit_verifications.c.id), row
            ).scalar_one()
            uow.commit()
        return VerificationRecord(id=new_id, **row)

    def last_verification(self) -> VerificationRecord | None:
        """The most recent recorded verification, or None if the chains were never checked."""
        with self.reader() as uow:
            row = uow.session.execute(
                select(audit_verifications).order_by(audit_verifications.c.id.desc()).limit(1)
            ).first()
        return VerificationRecord(**row._mapping) if row else None

    def verify_audit_if_due(self, every: timedelta, *, by: str = "worker") -> bool:
        """Verify and record, unless the last verification is younger than `every`."""
        last = self.last_verification()
        if last is not None and self.clock_now() - last.finished_at < every:
            return False
        self.record_verification(by=by)
        return True

    def clock_now(self) -> datetime:
        with self.reader() as uow:
            return uow.now

    def checkpoint_audit(self, *, user: str) -> Checkpoint:
        """Record a Merkle root over every event so far, as an audit event by `user`.

        Refused if any chain in that range is broken: a checkpoint must not vouch
        for a tampered trail.
        """
        cut = self._settled_last_event_id()
        if cut is None:
            raise InvalidState("the audit trail is empty: nothing to checkpoint")
        with self.uow().alone() as uow, audit_pass.snapshot(uow.session) as connection:
            found = audit_pass.run(connection, upto_id=cut, keep_leaves=True)
        if not found.verification.ok:
            raise InvalidState(
                f"the audit trail is broken, no checkpoint recorded: "
                f"{found.verification.first_problem}"
            )
        root_hash = merkle.root(found.leaves).hex()
        details = {"tree_size": len(found.leaves), "root_hash": root_hash, "last_event_id": cut}
        with self.uow() as uow:
            event = uow.audit.record(
                audit.SYSTEM_STREAM,
                occurred_at=uow.now,
                actor=user,
                action=CHECKPOINT_ACTION,
                details=details,
            )
            uow.commit()
            event_id = uow.session.scalar(
                select(audit_events.c.id).where(
                    audit_events.c.stream == event.stream, audit_events.c.seq == event.seq
                )
            )
        return Checkpoint(
            id=event_id,
            recorded_at=event.occurred_at,
            recorded_by=user,
            tree_size=len(found.leaves),
            root_hash=root_hash,
            last_event_id=cut,
        )

    def checkpoints(self) -> list[Checkpoint]:
        """Every recorded checkpoint, oldest first."""
        with self.reader() as uow:
            rows = uow.session.execute(
                select(audit_events)
                .where(
                    audit_events.c.action == CHECKPOINT_ACTION,
                    audit_events.c.stream == audit.SYSTEM_STREAM,
                )
                .order_by(audit_events.c.id)
            ).all()
        return [_checkpoint(row) for row in rows]

    def prove_event(self, event_id: int, *, checkpoint_id: int | None = None) -> dict[str, Any]:
        """An inclusion proof of event `event_id` in a checkpoint (by default the first
        that covers it), as JSON-ready data for scripts/verify_audit_proof.py.

        The proof carries the checkpoint's recorded root; if the trail was changed
        since, the path computed from today's events will not lead to it, and
        `matches_checkpoint` is False.
        """
        checkpoint = self._covering_checkpoint(event_id, checkpoint_id)
        with self.uow().alone() as uow, audit_pass.snapshot(uow.session) as connection:
            row = audit_pass.event_row(connection, event_id)
            if row is None:
                raise NotFound(f"audit event {event_id} does not exist")
            found = audit_pass.run(connection, upto_id=checkpoint.last_event_id, keep_leaves=True)
            index = connection.scalar(select(func.count()).where(audit_events.c.id < event_id))
        path = merkle.inclusion_path(found.leaves, index) if index < len(found.leaves) else []
        matches = (
            len(found.leaves) == checkpoint.tree_size
            and merkle.root(found.leaves).hex() == checkpoint.root_hash
        )
        return {
            "format": PROOF_FORMAT,
            "leaf": {"event": audit.event_fields(row), "event_hash": row.hash},
            "leaf_index": index,
            "tree_size": checkpoint.tree_size,
            "audit_path": [node.hex() for node in path],
            "root": checkpoint.root_hash,
            "checkpoint_id": checkpoint.id,
            "checkpoint": {
                "recorded_at": checkpoint.recorded_at.isoformat(),
                "recorded_by": checkpoint.recorded_by,
                "last_event_id": checkpoint.last_event_id,
            },
            "matches_checkpoint": matches,
            "chain_problem": (
                str(found.verification.first_problem) if not found.verification.ok else None
            ),
        }

    def _covering_checkpoint(self, event_id: int, checkpoint_id: int | None) -> Checkpoint:
        known = self.checkpoints()
        if checkpoint_id is not None:
            chosen = next((c for c in known if c.id == checkpoint_id), None)
            if chosen is None:
                raise NotFound(f"checkpoint {checkpoint_id} does not exist")
            if chosen.last_event_id < event_id:
                raise InvalidState(
                    f"checkpoint {checkpoint_id} covers events up to {chosen.last_event_id}, "
                    f"not {event_id}"
                )
            return chosen
        covering = next((c for c in known if c.last_event_id >= event_id), None)
        if covering is None:
            raise InvalidState(
                f"no checkpoint covers audit event {event_id} yet; "
                "record one with `raciflow audit checkpoint`"
            )
        return covering

    def _settled_last_event_id(self) -> int | None:
        """The last event id below which no transaction can still add an event.

        On PostgreSQL ids come from a sequence before commit, so a transaction still
        in flight may hold a lower id than one already committed; taking the table in
        SHARE mode waits for those writers (briefly blocking new ones), and every
        later insert draws a higher id. SQLite writers are serialised already.
        """
        with self.uow() as uow:
            if uow.session.get_bind().dialect.name == "postgresql":
                uow.session.execute(text("LOCK TABLE audit_events IN SHARE MODE"))
            last = uow.session.scalar(select(func.max(audit_events.c.id)))
            uow.commit()
        return last

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


def _checkpoint(row: Any) -> Checkpoint:
    details = row.details
    return Checkpoint(
        id=row.id,
        recorded_at=row.occurred_at,
        recorded_by=row.actor,
        tree_size=int(details["tree_size"]),
        root_hash=str(details["root_hash"]),
        last_event_id=int(details["last_event_id"]),
    )
