"""Import and export the directory (users, roles, membership, deputies) as YAML or CSV.

YAML: lists `roles` ({name, description}), `users` ({username, name, email,
roles, active}) and `deputies` ({deputy, for, from, to}).
CSV: one row per user, columns `username,name,email,active,roles,stands_in_for`
(the header names those it has, each row has a cell for each); roles separated by
`;`, and `stands_in_for` like `maria 2026-11-01..2026-11-30; eleni
2026-12-01..2026-12-24` (the row's user is the deputy). CSV creates the roles its
users name, so it keeps neither role descriptions nor roles nobody has.

Deputies are kept sorted, so that a dump loads back into an equal directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Literal

import yaml

from raci.directory import Deputy, Directory, Role, User
from raci.files import (
    Fail,
    FileFormatError,
    check_mapping,
    csv_records,
    line_of,
    parse_bool,
    read_text,
    read_yaml,
    write_csv,
    yaml_bool,
)

MAX_BYTES = 4 * 1024 * 1024  # thousands of users
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
CSV_COLUMNS = ("username", "name", "email", "active", "roles", "stands_in_for")
_STAND_IN = re.compile(r"(\S+)\s+(\S+)\s*\.\.\s*(\S+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YAML_KEYS = {  # the keys of an entry, by the list it is in
    "roles": ("name", "description"),
    "users": ("username", "name", "email", "roles", "active"),
    "deputies": ("deputy", "for", "from", "to"),
}


class DirectoryFormatError(FileFormatError):
    """A directory file that cannot be loaded; names the file and line."""


def load_directory(name: str, content: str | bytes) -> Directory:
    """Load the directory in `content`, YAML or CSV as the suffix of `name` says."""
    fail = partial(DirectoryFormatError, name)
    suffix = name.lower().rpartition(".")[2]
    if suffix not in ("yaml", "yml", "csv"):
        raise fail(None, "a directory file is .yaml, .yml or .csv")
    text = read_text(content, MAX_BYTES, fail)
    return _load_csv(text, fail) if suffix == "csv" else _load_yaml(text, fail)


def dump_directory(directory: Directory, fmt: Literal["yaml", "csv"]) -> str:
    """Write `directory` in the file format `fmt`."""
    return _dump_csv(directory) if fmt == "csv" else _dump_yaml(directory)


def _dump_csv(directory: Directory) -> str:
    records = [list(CSV_COLUMNS)]
    deputies = sorted(directory.deputies, key=_deputy_order)
    for user in directory.users.values():
        stands_in = [d for d in deputies if d.deputy == user.username]
        roles = ";".join(sorted(user.roles))
        periods = "; ".join(f"{d.principal} {d.starts}..{d.ends}" for d in stands_in)
        active = str(user.active).lower()
        records.append([user.username, user.name, user.email or "", active, roles, periods])
    return write_csv(records)


def _dump_yaml(directory: Directory) -> str:
    users = [
        {"username": u.username, "name": u.name}
        | ({"email": u.email} if u.email else {})
        | {"roles": sorted(u.roles), "active": u.active}
        for u in directory.users.values()
    ]
    data = {
        "roles": [{"name": r.name, "description": r.description} for r in directory.roles.values()],
        "users": users,
        "deputies": [
            {"deputy": d.deputy, "for": d.principal, "from": d.starts, "to": d.ends}
            for d in sorted(directory.deputies, key=_deputy_order)
        ],
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)


def _deputy_order(deputy: Deputy) -> tuple[str, str, date, date]:
    return (deputy.deputy, deputy.principal, deputy.starts, deputy.ends)


@dataclass
class _Builder:
    """Collects a directory's parts, checking each, and the deputies against the users."""

    fail: Fail
    roles: dict[str, Role] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    deputies: list[tuple[Deputy, int | None]] = field(default_factory=list)

    def add_role(self, role: Role, line: int | None) -> None:
        if not role.name or ";" in role.name:  # ';' separates roles in CSV
            raise self.fail(line, f"role name '{role.name}' must be non-empty text without ';'")
        if role.name in self.roles:
            raise self.fail(line, f"role '{role.name}' is listed twice")
        self.roles[role.name] = role

    def add_user(self, user: User, line: int | None) -> None:
        if not USERNAME.fullmatch(user.username):
            rule = "1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
            raise self.fail(line, f"username '{user.username}' must be {rule}")
        if user.username in self.users:
            raise self.fail(line, f"username '{user.username}' is listed twice")
        local, at, domain = (user.email or "").partition("@")
        if user.email is not None and not (local and at and domain and "@" not in domain):
            raise self.fail(line, f"email '{user.email}' must be one '@' with text on both sides")
        if unknown := sorted(user.roles - self.roles.keys()):
            raise self.fail(
                line, f"user '{user.username}' has unknown role(s) {', '.join(unknown)}"
            )
        self.users[user.username] = user

    def build(self) -> Directory:
        for deputy, line in self.deputies:
            for who in (deputy.deputy, deputy.principal):
                if who not in self.users:
                    raise self.fail(line, f"deputy entry names unknown user '{who}'")
            if deputy.deputy == deputy.principal:
                raise self.fail(line, f"'{deputy.deputy}' cannot stand in for themselves")
            if deputy.starts > deputy.ends:
                raise self.fail(line, f"from {deputy.starts} is after to {deputy.ends}")
        ordered = sorted((d for d, _ in self.deputies), key=_deputy_order)
        return Directory(self.users, self.roles, tuple(ordered))


def _load_csv(text: str, fail: Fail) -> Directory:
    records = csv_records(text, fail, one_line=True)  # no cell of a directory spans lines
    header_line, header = next(records, (None, []))
    columns = [column.lower() for column in header]
    if "username" not in columns:
        raise fail(header_line, f"the header needs a 'username' column ({', '.join(CSV_COLUMNS)})")
    if unknown := [column for column in header if column.lower() not in CSV_COLUMNS]:
        known = ", ".join(CSV_COLUMNS)
        raise fail(header_line, f"unknown column(s) {', '.join(unknown)} (known: {known})")
    if len(set(columns)) < len(columns):
        raise fail(header_line, "a column appears twice")
    builder = _Builder(fail)
    for line, record in records:
        if len(record) != len(columns):  # a row cut short would blank what it leaves out
            raise fail(line, f"{len(record)} cells, but the header has {len(columns)} columns")
        cell = dict(zip(columns, record, strict=False))
        roles = frozenset(part.strip() for part in cell.get("roles", "").split(";") if part.strip())
        for role in sorted(roles - builder.roles.keys()):
            builder.add_role(Role(role), line)
        try:
            active = parse_bool(cell.get("active", ""))
        except ValueError as exc:
            raise fail(line, f"active: {exc}") from None
        username = cell.get("username", "")
        user = User(
            username, cell.get("name", ""), cell.get("email") or None, active is not False, roles
        )
        builder.add_user(user, line)
        for part in filter(None, (p.strip() for p in cell.get("stands_in_for", "").split(";"))):
            if not (match := _STAND_IN.fullmatch(part)):
                raise fail(line, f"stands_in_for '{part}' is not 'username YYYY-MM-DD..YYYY-MM-DD'")
            principal, starts, ends = match.groups()
            dates = (_date(starts, line, fail), _date(ends, line, fail))
            builder.deputies.append((Deputy(username, principal, *dates), line))
    return builder.build()


def _load_yaml(text: str, fail: Fail) -> Directory:
    top = read_yaml(text, fail)
    check_mapping(top, tuple(_YAML_KEYS), "the file", None, fail)
    builder = _Builder(fail)
    for item, line in _entries(top, "roles", fail):
        builder.add_role(
            Role(_text(item, "name", line, fail), _text(item, "description", line, fail)), line
        )
    for item, line in _entries(top, "users", fail):
        roles = item.get("roles") or []
        if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
            raise fail(line, "roles must be a list of role names")
        try:
            active = yaml_bool(item.get("active", True))
        except ValueError as exc:
            raise fail(line, f"active: {exc}") from None
        username, name = _text(item, "username", line, fail), _text(item, "name", line, fail)
        email = _text(item, "email", line, fail) or None
        builder.add_user(User(username, name, email, active, frozenset(roles)), line)
    for item, line in _entries(top, "deputies", fail):
        deputy, principal = _text(item, "deputy", line, fail), _text(item, "for", line, fail)
        dates = (_date(item.get("from"), line, fail), _date(item.get("to"), line, fail))
        builder.deputies.append((Deputy(deputy, principal, *dates), line))
    return builder.build()


def _entries(top: dict[str, Any], key: str, fail: Fail) -> list[tuple[dict[str, Any], int | None]]:
    """The mappings listed under `key`, each with its line, checked for unknown keys."""
    items = top.get(key) or []
    if not isinstance(items, list):
        raise fail(line_of(top), f"'{key}' must be a list")
    for item in items:
        check_mapping(item, _YAML_KEYS[key], f"each entry of '{key}'", line_of(top), fail)
    return [(item, line_of(item)) for item in items]


def _text(item: dict[str, Any], key: str, line: int | None, fail: Fail) -> str:
    value = item.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fail(line, f"{key}: {value!r} must be text (put it in quotes)")
    return value.strip()


def _date(value: object, line: int | None, fail: Fail) -> date:
    try:
        if isinstance(value, str) and _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise fail(line, f"{value!r} is not a date (YYYY-MM-DD)")
