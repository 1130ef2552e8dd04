"""Read RACI matrix files: `<process_id>.raci.csv`, `.raci.yaml` or `.raci.yml`.

CSV: a header `activity,<role>,<role>,...`, optionally with the flag columns
`@self_approval`, `@advisory` and `@signoff_due`; then one row per activity.
YAML: a mapping with `activities` (rows of `activity`, `raci` and flags) and
optional `process`, `roles` (column order) and `defaults` (flags for every row);
`levels` and a row's `authority` declare who signs by a level table (YAML only).
A row's `assign_to` (CSV: `@assign_to`) names the case variable holding the person
the task goes to; `scopes` (CSV: a role column written `bd[customer_bd]`) narrows a
role to the case's own person.
Every row gets a cell, maybe empty, for every role column.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any

from raci.files import (
    Fail,
    FileFormatError,
    base_name,
    check_mapping,
    csv_records,
    line_of,
    parse_bool,
    read_text,
    read_yaml,
    yaml_bool,
)
from raci.matrix import (
    DEFECT_KINDS,
    ActivityRow,
    ActivityRules,
    Authority,
    Letter,
    RaciMatrix,
    parse_letters,
)

MAX_BYTES = 256 * 1024
SUFFIXES = (".raci.csv", ".raci.yaml", ".raci.yml")
FLAG_COLUMNS = ("@self_approval", "@advisory", "@signoff_due", "@assign_to")
_FLAG_KEYS = ("self_approval", "advisory", "signoff_due")
_TOP_KEYS = ("process", "roles", "defaults", "levels", "scopes", "defects", "activities")
_ROW_KEYS = ("activity", "raci", "authority", "assign_to", "scopes", *_FLAG_KEYS)
_VARIABLE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")  # a case variable: request.customer_id
_NAME = re.compile(r"[A-Za-z_][\w.-]*")
_SCOPED_COLUMN = re.compile(r"(?P<role>.+?)\s*\[\s*(?P<scope>[^\]]*?)\s*\]")
_AUTHORITY_KEYS = ("decided_by", "reads")
_DURATION = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


class MatrixFormatError(FileFormatError):
    """A RACI matrix file that cannot be loaded; names the file and line."""


def is_matrix_file(name: str) -> bool:
    """Tell whether `name` is a matrix file name such as `approval.raci.csv`."""
    base = base_name(name).lower()
    return any(base.endswith(suffix) and len(base) > len(suffix) for suffix in SUFFIXES)


def process_id_of(name: str) -> str:
    """Return the process id a matrix file name stands for (`approval.raci.csv` → approval)."""
    if not is_matrix_file(name):
        raise ValueError(f"'{name}' is not named <process_id>.raci.csv, .raci.yaml or .raci.yml")
    base = base_name(name)
    return base[: -len(next(s for s in SUFFIXES if base.lower().endswith(s)))]


def load_matrix(name: str, content: str | bytes) -> RaciMatrix:
    """Load the matrix in `content`, in the format its file `name` says."""
    fail = partial(MatrixFormatError, name)
    if not is_matrix_file(name):
        raise fail(None, "not a RACI matrix file (name it <process_id>.raci.csv or .raci.yaml)")
    text = read_text(content, MAX_BYTES, fail)
    load = _load_csv if name.lower().endswith(".csv") else _load_yaml
    return replace(load(process_id_of(name), text, fail), source=name)


def parse_duration(text: str) -> timedelta:
    """Read an ISO-8601 duration such as P2D, PT4H, P1DT12H or P1W (no months or years)."""
    value = text.strip().upper()
    if value.startswith("P") and re.search(r"[YM]", value.partition("T")[0]):
        raise ValueError(f"'{text}': months and years have no fixed length; use weeks or days")
    match = _DURATION.fullmatch(value)
    if match is None or value.endswith("T") or not any(match.groups()):
        raise ValueError(f"'{text}' is not an ISO-8601 duration such as P2D, PT4H or P1DT12H")
    weeks, days, hours, minutes, seconds = (float(group or 0) for group in match.groups())
    duration = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    if not duration:
        raise ValueError(f"'{text}' is no time at all; give a duration longer than zero")
    return duration


def _load_csv(process_id: str, text: str, fail: Fail) -> RaciMatrix:
    records = csv_records(text, fail)
    header_line, header = next(records, (None, []))
    if not header or header[0].casefold() != "activity":
        found = f", not '{header[0]}'" if header else " (the file is empty)"
        raise fail(header_line, f"the first column must be named 'activity'{found}")
    roles, flags, scopes = _csv_header(header, header_line, fail)
    rows: list[ActivityRow] = []
    first_lines: dict[str, int | None] = {}
    for line, record in records:
        if len(record) > len(header):
            raise fail(line, f"{len(record)} cells, but the header has {len(header)} columns")
        record += [""] * (len(header) - len(record))
        activity = record[0]
        if not activity:
            raise fail(line, "the activity cell is empty")
        _check_unique(activity, line, first_lines, fail)
        try:
            cells = {role: parse_letters(record[index]) for index, role in roles}
        except ValueError as exc:
            raise fail(line, str(exc)) from None
        flag_values = {key[1:]: _csv_flag(key, record[index], line, fail) for key, index in flags}
        rows.append(ActivityRow(activity, cells, ActivityRules(**flag_values), line))
    return RaciMatrix(process_id, tuple(role for _, role in roles), tuple(rows), scopes=scopes)


def _csv_header(
    header: list[str], line: int | None, fail: Fail
) -> tuple[list[tuple[int, str]], list[tuple[str, int]], dict[str, str]]:
    """Split the header into role columns and flag columns, each with its position,
    and the scopes of the role columns written `role[scope]`."""
    roles: list[tuple[int, str]] = []
    flags: list[tuple[str, int]] = []
    scopes: dict[str, str] = {}
    seen: set[str] = set()
    for index, column in enumerate(header[1:], start=1):
        if scoped := _SCOPED_COLUMN.fullmatch(column):
            column = scoped["role"]
            scopes[column] = _scope_name(scoped["scope"], column, line, fail)
        key = column.lower() if column.startswith("@") else column
        if not column:
            raise fail(line, f"column {index + 1} has no name")
        if key.startswith("@") and key not in FLAG_COLUMNS:
            raise fail(line, f"unknown column '{column}' (flags are {', '.join(FLAG_COLUMNS)})")
        if key in seen:
            raise fail(line, f"column '{column}' appears twice")
        seen.add(key)
        if key.startswith("@"):
            flags.append((key, index))
        else:
            roles.append((index, column))
    return roles, flags, scopes


def _csv_flag(key: str, cell: str, line: int, fail: Fail) -> bool | timedelta | str | None:
    try:
        if key == "@assign_to":
            return _variable(cell) if cell else None
        if key == "@signoff_due":
            return parse_duration(cell) if cell else None
        return bool(parse_bool(cell))
    except ValueError as exc:
        raise fail(line, f"{key}: {exc}") from None


def _check_unique(
    activity: str, line: int | None, first: dict[str, int | None], fail: Fail
) -> None:
    """Refuse a second row for `activity` (compared as `row_for` compares names)."""
    key = activity.casefold()
    if key in first:
        where = f" (the first is on line {first[key]})" if first[key] else ""
        raise fail(line, f"activity '{activity}' has a second row{where}")
    first[key] = line


def _load_yaml(process_id: str, text: str, fail: Fail) -> RaciMatrix:
    top = read_yaml(text, fail)
    check_mapping(top, _TOP_KEYS, "the file", None, fail)
    line = line_of(top)
    if top.get("process", process_id) != process_id:
        raise fail(line, f"process '{top['process']}' is not '{process_id}' as the file name says")
    declared = _role_list(top["roles"], line, fail) if "roles" in top else None
    defaults = top.get("defaults") or {}
    check_mapping(defaults, _FLAG_KEYS, "'defaults'", line, fail)
    base = ActivityRules(**_yaml_flags(defaults, "defaults", line, fail))
    items = top.get("activities")
    if not isinstance(items, list):
        raise fail(line, "'activities' must be a list of rows")
    rows: list[ActivityRow] = []
    first_lines: dict[str, int | None] = {}
    for item in items:
        check_mapping(item, _ROW_KEYS, "each row of 'activities'", line, fail)
        row_line, activity = line_of(item), item.get("activity")
        if not isinstance(activity, str) or not activity.strip():
            raise fail(row_line, "each row needs an 'activity' (its BPMN id or name)")
        _check_unique(activity, row_line, first_lines, fail)
        cells = _yaml_cells(item.get("raci") or {}, declared, row_line, fail)
        rules = replace(base, **_yaml_flags(item, f"activity '{activity}'", row_line, fail))
        if "authority" in item:
            rules = replace(rules, authority=_authority(item["authority"], row_line, fail))
        if item.get("assign_to") is not None:
            rules = replace(rules, assign_to=_yaml_variable(item["assign_to"], row_line, fail))
        if item.get("scopes"):
            scoped = _yaml_scopes(item["scopes"], tuple(cells), row_line, fail, "row")
            rules = replace(rules, scopes=tuple(scoped.items()))
        rows.append(ActivityRow(activity, cells, rules, row_line))
    roles = declared or tuple(dict.fromkeys(role for row in rows for role in row.cells))
    full = [replace(row, cells={r: row.cells.get(r, frozenset()) for r in roles}) for row in rows]
    levels = _role_list(top["levels"], line, fail, "levels") if "levels" in top else ()
    scopes = _yaml_scopes(top.get("scopes") or {}, roles, line, fail)
    defects = _defects(top["defects"], line, fail) if "defects" in top else None
    return RaciMatrix(process_id, roles, tuple(full), levels=levels, scopes=scopes, defects=defects)


def _defects(value: object, line: int | None, fail: Fail) -> tuple[str, ...]:
    """Read `defects: [rework, sla_breach, ...]`: the kinds this process's analytics counts."""
    if not isinstance(value, list) or not all(kind in DEFECT_KINDS for kind in value):
        raise fail(line, f"'defects' must be a list of defect kinds, of {', '.join(DEFECT_KINDS)}")
    if len(set(value)) != len(value):
        raise fail(line, "'defects' names a kind twice")
    return tuple(value)


def _yaml_scopes(
    value: object, roles: tuple[str, ...], line: int | None, fail: Fail, where: str = "matrix"
) -> dict[str, str]:
    """Read `scopes: {<role>: <scope>}`, or `{<role>: {scope: <scope>}}`."""
    if not isinstance(value, dict):
        raise fail(line, "'scopes' must map roles to scopes, e.g. {bd: customer_bd}")
    line = line_of(value) or line
    scopes: dict[str, str] = {}
    for role, scope in value.items():
        if isinstance(scope, dict):
            check_mapping(scope, ("scope",), f"the scope of '{role}'", line, fail)
            scope = scope.get("scope")
        if not isinstance(role, str) or role not in roles:
            raise fail(line, f"'scopes' names '{role}', which is not a role of the {where}")
        if not isinstance(scope, str):
            raise fail(line, f"the scope of '{role}' must be a name, e.g. customer_bd")
        scopes[role] = _scope_name(scope, role, line, fail)
    return scopes


def _scope_name(scope: str, role: str, line: int | None, fail: Fail) -> str:
    if not _NAME.fullmatch(scope.strip()):
        raise fail(line, f"'{scope}' is not a scope name for '{role}' (e.g. customer_bd)")
    return scope.strip()


def _variable(text: str) -> str:
    """A case variable path such as `technician` or `schedule.technician`."""
    if not _VARIABLE.fullmatch(text.strip()):
        raise ValueError(f"'{text}' is not a case variable such as schedule.technician")
    return text.strip()


def _yaml_variable(value: object, line: int | None, fail: Fail) -> str:
    try:
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a case variable such as schedule.technician")
        return _variable(value)
    except ValueError as exc:
        raise fail(line, f"assign_to: {exc}") from None


def _authority(value: object, line: int | None, fail: Fail) -> Authority:
    """Read `authority: {decided_by: <business rule task>, reads: {<input>: <field>}}`."""
    check_mapping(value, _AUTHORITY_KEYS, "'authority'", line, fail)
    assert isinstance(value, dict)  # check_mapping insists
    line = line_of(value) or line
    decided_by = value.get("decided_by")
    if not isinstance(decided_by, str) or not decided_by.strip():
        raise fail(line, "'authority' needs 'decided_by': the business rule task picking the level")
    reads = value.get("reads") or {}
    if not isinstance(reads, dict) or not all(
        isinstance(key, str) and isinstance(field, str) and key and field
        for key, field in reads.items()
    ):
        raise fail(line, "'reads' must map table inputs to fields, e.g. {requested_limit: limit}")
    return Authority(decided_by.strip(), tuple(reads.items()))


def _role_list(value: object, line: int | None, fail: Fail, key: str = "roles") -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(role, str) and role for role in value):
        raise fail(line, f"'{key}' must be a list of role names")
    if len(set(value)) != len(value):
        raise fail(line, f"'{key}' names a role twice")
    return tuple(value)


def _yaml_cells(
    raci: object, declared: tuple[str, ...] | None, line: int | None, fail: Fail
) -> dict[str, frozenset[Letter]]:
    if not isinstance(raci, dict):
        raise fail(line, "'raci' must map role names to letters, e.g. {bd: C, finance_manager: A}")
    cells: dict[str, frozenset[Letter]] = {}
    for role, cell in raci.items():
        if not isinstance(role, str):
            raise fail(line, f"role name {role!r} must be text (put it in quotes)")
        if declared is not None and role not in declared:
            raise fail(line, f"role '{role}' is not in the 'roles' list")
        try:
            cells[role] = parse_letters("" if cell is None else str(cell))
        except ValueError as exc:
            raise fail(line, str(exc)) from None
    return cells


def _yaml_flags(given: dict[str, Any], what: str, line: int | None, fail: Fail) -> dict[str, Any]:
    """Return the flags `given` sets (a row or the defaults), read as ActivityRules fields."""
    flags: dict[str, Any] = {}
    try:
        for key in (key for key in _FLAG_KEYS if key in given):
            value = given[key]
            if key != "signoff_due":
                flags[key] = yaml_bool(value)
            elif value is None or isinstance(value, str):
                flags[key] = parse_duration(value) if value else None
            else:
                raise ValueError(f"{value!r} is not an ISO-8601 duration such as P2D")
    except ValueError as exc:
        raise fail(line_of(given) or line, f"{what}: {key}: {exc}") from None
    return flags
