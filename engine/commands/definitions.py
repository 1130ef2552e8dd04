"""Deploy processes with their RACI matrices; look matrices up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from raci.directory import Directory
from raci.matrix import RaciMatrix

from .. import audit
from ..caches import DEFINITIONS
from ..definitions import (
    InvalidFiles,
    ProcessDefinition,
    SourceFile,
    parse_definitions,
    parse_each,
)
from ..errors import InvalidDefinition
from ..matrices import MatrixReview, attach_matrices, review_matrices
from ..model import ProcessVersion
from ..unit_of_work import UnitOfWork
from .base import EngineBase


@dataclass(frozen=True)
class Deployment:
    """What deploying one process did: a new version, or nothing (same content)."""

    process_id: str
    version: int
    created: bool
    warnings: tuple[str, ...] = ()


class DefinitionCommands(EngineBase):
    """Deploy BPMN, DMN and RACI matrix files as process versions."""

    def deploy(
        self,
        files: Sequence[SourceFile],
        *,
        user: str,
        partial: bool = False,
        refused: list[InvalidDefinition] | None = None,
    ) -> list[Deployment]:
        """Store each changed process in `files`, with its RACI matrix, as a new version.

        Deploying the same content again is a no-op; an invalid process or
        matrix refuses the whole deploy and changes nothing, naming every bad file
        (one bad or duplicate file does not hide the others). With `partial`, the good
        files are deployed and each bad file's problem goes to `refused`. This is the bootstrap
        path, without a draft or an approver (`raciflow init`, `deploy --bootstrap`):
        its audit event says so. Everyone else deploys through drafts (commands/drafts.py).
        """
        services = self.known_services() if self.known_services else None
        definitions, bad = parse_each(
            [f for f in files if not f.is_matrix],
            known_services=services,
            limits=self.process_limits,
        )
        if bad and not partial:  # every bad file named, and nothing deployed
            raise bad[0] if len(bad) == 1 else InvalidFiles(bad)
        if refused is not None:
            refused.extend(bad)
        with self.uow() as uow:
            checked = attach_matrices(
                definitions,
                [f for f in files if f.is_matrix],
                uow.directory.load(),
                self.runtime.services.scope_roles(),
            )
            results = [
                self._store_version(
                    uow,
                    definition,
                    [*warnings, *(str(w) for w in definition.warnings)],
                    user=user,
                    bootstrap=True,
                )
                for definition, warnings in checked
            ]
            uow.commit()
        return results

    def _store_version(
        self,
        uow: UnitOfWork,
        definition: ProcessDefinition,
        warnings: list[str],
        *,
        user: str,
        **governance: Any,
    ) -> Deployment:
        """Store `definition` as the next version of its process, audited with how it was
        governed (`bootstrap`, or the draft and its approver); same content: nothing."""
        # First, so that deployments take turns (the revision row's lock): the next number
        # is read after the deployment before this one committed.
        uow.revisions.bump(DEFINITIONS)  # every process's catalogue: a new latest
        existing = uow.versions.by_hash(definition.process_id, definition.content_hash)
        if existing is not None:
            return Deployment(definition.process_id, existing.version, False, tuple(warnings))
        version = ProcessVersion(
            process_id=definition.process_id,
            version=uow.versions.latest_number(definition.process_id) + 1,
            name=definition.name,
            content_hash=definition.content_hash,
            spec=definition.spec,
            sources=definition.sources,
            attachments=definition.attachments,
            deployed_at=uow.now,
            deployed_by=user,
        )
        uow.versions.add(version)
        schedule = getattr(self, "_schedule_start", None)  # commands/start_timers.py
        if schedule is not None:
            schedule(uow, version.process_id, version.spec)
        uow.audit.record(
            audit.SYSTEM_STREAM,
            occurred_at=uow.now,
            actor=user,
            action="deploy",
            process_id=version.process_id,
            details={
                "version": version.version,
                "content_hash": version.content_hash,
                "files": sorted({**version.sources, **version.attachments}),
                "warnings": warnings,
                **governance,
            },
        )
        return Deployment(version.process_id, version.version, True, tuple(warnings))

    def review_matrices(
        self, files: Sequence[SourceFile], directory: Directory | None = None
    ) -> MatrixReview:
        """Check the matrices among `files` against their BPMN and the directory (the
        stored one unless another is given), without deploying anything."""
        services = self.known_services() if self.known_services else None
        definitions = parse_definitions(
            [f for f in files if not f.is_matrix],
            known_services=services,
            limits=self.process_limits,
        )
        if directory is None:
            directory = self.directory()
        matrices = [f for f in files if f.is_matrix]
        scopes = self.runtime.services.scope_roles()
        return review_matrices(definitions, matrices, directory, scopes)

    def matrix(self, process_id: str, version: int | None = None) -> tuple[int, RaciMatrix | None]:
        """The RACI matrix of a deployed process version (latest by default)."""
        with self.reader() as uow:
            loaded = self._version(uow, self._find_version(uow, process_id, version))
            return loaded.number, loaded.matrix
