"""Deployed versions as the engine runs them, parsed once per process.

A version never changes once deployed, so its parsed specs and RACI matrix are kept
by version id (engine/caches.py's `versions`) with no invalidation at all: commands
and read models alike take them from there instead of loading and parsing the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from raci.matrix import RaciMatrix

from .matrices import matrix_of
from .serialization import SpecBundle, spec_from_dict

if TYPE_CHECKING:
    from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LoadedVersion:
    """A deployed version as the engine runs it: its number, parsed specs, RACI matrix,
    and its process's BPMN name (notices name it)."""

    number: int
    specs: SpecBundle
    matrix: RaciMatrix | None
    name: str | None = None


def loaded_version(uow: UnitOfWork, version_id: int) -> LoadedVersion:
    """Version `version_id`, from this process's cache or loaded and parsed once."""

    def load() -> LoadedVersion:
        version = uow.versions.get(version_id)
        specs = spec_from_dict(version.spec)
        return LoadedVersion(version.version, specs, matrix_of(version), version.name)

    return uow.caches.versions.get(version_id, load)
