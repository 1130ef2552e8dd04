"""The directory of users, roles and deputies."""

from __future__ import annotations

from collections.abc import Collection

from raci.directory import ADMIN_ROLE, Directory
from raci.directory_changes import (
    membership_changes,
    roles_brought,
    unexpected_role,
    with_blanks_kept,
)
from raci.people import auditor_deputies, working_auditors

from .. import audit
from ..errors import InvalidState
from .base import EngineBase


class DirectoryCommands(EngineBase):
    """Read and replace the directory."""

    def directory(self) -> Directory:
        with self.reader() as uow:
            return uow.directory.load()

    def import_directory(
        self, directory: Directory, *, user: str, new_roles: Collection[str] = ()
    ) -> None:
        """Replace the directory; users left out are deactivated, never deleted.

        All or nothing, and never a lock-out: an import that would leave no active
        admin where there was one is refused and changes nothing; so is one bringing a
        role the directory does not have, unless it is named in `new_roles` (a misspelt
        role would otherwise take its members out of the real one). A role the file
        does not describe keeps its description, a user it gives no name or e-mail
        keeps theirs.
        """
        auditors = auditor_deputies(directory)
        if auditors:  # segregation of duties: who reviews the work may not do it
            raise InvalidState(
                f"auditors may not be deputies: {', '.join(auditors)}; "
                "name someone who does the work instead"
            )
        if working := working_auditors(directory):
            raise InvalidState(
                f"auditors may not hold working roles: {', '.join(working)}; "
                "who reviews the work may not do it"
            )
        with self.uow() as uow:
            before = uow.directory.load_for_change()
            if before.members(ADMIN_ROLE) and not directory.members(ADMIN_ROLE):
                raise InvalidState(
                    f"the import leaves no active user with the role '{ADMIN_ROLE}' "
                    f"(now: {', '.join(before.members(ADMIN_ROLE))}); nobody could manage "
                    "the directory: keep at least one active admin in the file"
                )
            unexpected = [r for r in roles_brought(before, directory) if r not in new_roles]
            if unexpected:
                raise InvalidState(
                    "; ".join(unexpected_role(role, before) for role in unexpected)
                    + ": correct the file, or name each new role to add it (--new-role)"
                )
            directory = with_blanks_kept(before, directory)
            uow.directory.replace(directory)
            deactivated = sorted(
                username
                for username, was in before.users.items()
                if was.active
                and not (username in directory.users and directory.users[username].active)
            )
            for username in deactivated:  # a cookie kept from before must not outlive it
                uow.accounts.end_sessions(username)
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
                    "deactivated": deactivated,
                    **membership_changes(before, directory),
                },
            )
            uow.commit()
