"""The directory of users, roles and deputies."""

from __future__ import annotations

from raci.directory import Directory

from .. import audit
from .base import EngineBase


class DirectoryCommands(EngineBase):
    """Read and replace the directory."""

    def directory(self) -> Directory:
        with self.uow() as uow:
            return uow.directory.load()

    def import_directory(self, directory: Directory, *, user: str) -> None:
        """Replace the directory; users left out are deactivated, never deleted."""
        with self.uow() as uow:
            before = uow.directory.load()
            uow.directory.replace(directory)
            uow.audit.record(
                audit.SYSTEM_STREAM,
                occurred_at=uow.now,
                actor=user,
                action="directory_import",
                details={
                    "users": len(directory.users),
                    "roles": len(directory.roles),
                    "deputies": len(directory.deputies),
                    "added": sorted(directory.users.keys() - before.users.keys()),
                    "deactivated": sorted(
                        u
                        for u in before.users.keys() - directory.users.keys()
                        if before.users[u].active
                    ),
                },
            )
            uow.commit()
