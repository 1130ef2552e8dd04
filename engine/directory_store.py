"""Keep the directory (users, roles, membership, deputies) in the database.

The directory's values are raci.directory's; this repository reads and writes
them with plain table statements, inside the unit of work's transaction. Every
change raises the directory's cache revision in that transaction, and a read is
served from the process's cache while the revision is unchanged (engine/caches.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, insert, literal, select, update
from sqlalchemy.orm import Session

from raci.directory import Deputy, Directory, Role, User

from .caches import DIRECTORY, Caches, Revisions
from .orm import deputies, role_members, roles, users

_MEMBERS = select(role_members.c.role, role_members.c.username)
_USERS = select(users.c.username, users.c.name, users.c.email, users.c.active)
_ROLES = select(roles.c.name, roles.c.description)
_DEPUTIES = select(deputies.c.deputy, deputies.c.principal, deputies.c.starts, deputies.c.ends)
_ACTIVE_LOCKED = (
    select(users.c.active)
    .where(users.c.username == bindparam("username"))
    .with_for_update(read=True)
)


class DirectoryRepository:
    def __init__(
        self,
        session: Session,
        caches: Caches | None = None,
        revisions: Revisions | None = None,
    ) -> None:
        self.session = session
        self.caches = caches  # None: read from the tables every time (e.g. in a service)
        self.revisions = revisions or Revisions(session.connection)
        self._loaded: Directory | None = None

    def load(self) -> Directory:
        """The whole directory: the process's cached copy if still current (one
        primary-key SELECT per unit of work), else read from its four tables."""
        if self._loaded is None:
            if self.caches is None:
                self._loaded = self._read()
            else:
                self._loaded = self.revisions.cached(DIRECTORY, self.caches.directory, self._read)
        return self._loaded

    def hold_active(self, username: str) -> bool:
        """Whether `username` is an active user, now, and kept so until this transaction
        ends: a share lock on their row waits for a deactivation being committed, and
        makes the next one wait for this transaction (their claims are handed back after
        it). The cached directory may be older than that within a transaction."""
        return bool(self.session.execute(_ACTIVE_LOCKED, {"username": username}).scalar())

    def load_for_change(self) -> Directory:
        """The directory, read by a writer after the writers before it committed.

        Raising the revision first takes its row's lock for the rest of the transaction,
        so writers take turns: a rule a change checks (the last active admin, one deputy
        at a time, a username or a role held once) reads every change committed before,
        and two admins deactivating each other at the same moment cannot both succeed.
        """
        self._changed()
        return self.load()

    def _read(self) -> Directory:
        memberships: dict[str, set[str]] = {}
        for role, username in self.session.execute(_MEMBERS):
            memberships.setdefault(username, set()).add(role)
        return Directory(
            users={
                row.username: User(
                    row.username,
                    row.name,
                    row.email,
                    row.active,
                    frozenset(memberships.get(row.username, ())),
                )
                for row in self.session.execute(_USERS)
            },
            roles={
                row.name: Role(row.name, row.description) for row in self.session.execute(_ROLES)
            },
            deputies=tuple(
                Deputy(row.deputy, row.principal, row.starts, row.ends)
                for row in self.session.execute(_DEPUTIES.order_by(deputies.c.id))
            ),
        )

    def _changed(self) -> None:
        """Note a change: this transaction reads its own view, every process reloads."""
        self.revisions.bump(DIRECTORY)
        self._loaded = None

    def acting_roles(self, username: str, day: date) -> set[str]:
        """The roles `username` holds, and those of the active users they stand in for
        on `day`; none if they are not active. From the cached directory when there is
        one; else two small queries."""
        if self._loaded is not None or self.caches is not None:
            return self.load().acting_roles(username, day)
        active = self.session.scalar(select(users.c.active).where(users.c.username == username))
        if not active:
            return set()
        people = select(literal(username)).union(_principals(username, day))
        return set(
            self.session.scalars(
                select(role_members.c.role).where(role_members.c.username.in_(people))
            )
        )

    def principals_of(self, deputy: str, day: date) -> list[str]:
        """The active users `deputy` stands in for on `day` (Directory.principals_of):
        from the cached directory when there is one; else one small query."""
        if self._loaded is not None or self.caches is not None:
            return self.load().principals_of(deputy, day)
        return sorted(self.session.scalars(_principals(deputy, day)))

    def replace(self, directory: Directory) -> None:
        """Make the stored directory equal `directory`; users left out are deactivated.

        Users are never deleted: the audit trail and old tasks refer to them.
        """
        known = set(self.session.scalars(select(users.c.username)))
        self.session.execute(delete(deputies))
        self.session.execute(delete(role_members))
        self.session.execute(delete(roles))
        for user in directory.users.values():
            values = {"name": user.name, "email": user.email, "active": user.active}
            if user.username in known:
                self.session.execute(
                    update(users).where(users.c.username == user.username).values(**values)
                )
            else:
                self.session.execute(insert(users).values(username=user.username, **values))
        gone = known - directory.users.keys()
        if gone:
            self.session.execute(
                update(users).where(users.c.username.in_(gone)).values(active=False)
            )
        # Roles users hold are created even if the directory does not describe them.
        described = {r.name: r.description for r in directory.roles.values()}
        held = {role for user in directory.users.values() for role in user.roles}
        _insert_many(
            self.session,
            roles,
            [
                {"name": name, "description": described.get(name, "")}
                for name in sorted(described.keys() | held)
            ],
        )
        _insert_many(
            self.session,
            role_members,
            [
                {"role": role, "username": user.username}
                for user in directory.users.values()
                for role in sorted(user.roles)
            ],
        )
        _insert_many(
            self.session,
            deputies,
            [
                {"deputy": d.deputy, "principal": d.principal, "starts": d.starts, "ends": d.ends}
                for d in directory.deputies
            ],
        )
        self._changed()

    # One change at a time, for the people pages (engine/commands/people.py).

    def add_user(self, user: User) -> None:
        self.session.execute(
            insert(users).values(
                username=user.username, name=user.name, email=user.email, active=user.active
            )
        )
        for role in sorted(user.roles):
            self.add_member(user.username, role)
        self._changed()

    def update_user(self, username: str, **values: object) -> None:
        """Change a user's name, e-mail or active flag."""
        self.session.execute(update(users).where(users.c.username == username).values(**values))
        self._changed()

    def add_member(self, username: str, role: str) -> None:
        self.session.execute(insert(role_members).values(role=role, username=username))
        self._changed()

    def remove_member(self, username: str, role: str) -> None:
        self.session.execute(
            delete(role_members).where(
                role_members.c.username == username, role_members.c.role == role
            )
        )
        self._changed()

    def deputies_of(self, principal: str) -> list[dict]:
        """The stand-ins `principal` has set, with their ids, earliest first."""
        rows = self.session.execute(
            select(deputies.c.id, deputies.c.deputy, deputies.c.starts, deputies.c.ends)
            .where(deputies.c.principal == principal)
            .order_by(deputies.c.starts, deputies.c.id)
        )
        return [dict(row._mapping) for row in rows]

    def add_deputy(self, deputy: Deputy) -> int:
        result = self.session.execute(
            insert(deputies).values(
                deputy=deputy.deputy,
                principal=deputy.principal,
                starts=deputy.starts,
                ends=deputy.ends,
            )
        )
        self._changed()
        return result.inserted_primary_key[0]

    def remove_deputy(self, principal: str, deputy_id: int) -> Deputy | None:
        """Remove one of `principal`'s stand-ins; the one removed, or None."""
        row = self.session.execute(
            select(deputies).where(deputies.c.id == deputy_id, deputies.c.principal == principal)
        ).first()
        if row is None:
            return None
        self.session.execute(delete(deputies).where(deputies.c.id == deputy_id))
        self._changed()
        return Deputy(row.deputy, row.principal, row.starts, row.ends)


def _insert_many(session: Session, table: Table, rows: list[dict]) -> None:
    if rows:
        session.execute(insert(table), rows)


def _principals(deputy: str, day: date) -> Select[Any]:
    """The active users `deputy` stands in for on `day`, as a query."""
    return (
        select(deputies.c.principal)
        .join(users, users.c.username == deputies.c.principal)
        .where(
            deputies.c.deputy == deputy,
            deputies.c.starts <= day,
            deputies.c.ends >= day,
            users.c.active.is_(True),
        )
    )
