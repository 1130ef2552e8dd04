"""What a draft changes against the version it was opened from, for the approver.

Three views, each in the terms its author used: BPMN elements added, removed or
changed (the diagram's layout ignored); DMN rules added, removed and changed cell by
cell; RACI rows added, removed and changed letter by letter and flag by flag.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta
from typing import Any

from lxml import etree

from raci.loading import MatrixFormatError, is_matrix_file, load_matrix
from raci.matrix import ActivityRow, ActivityRules, RaciMatrix, format_letters
from raci.render import format_duration

from .errors import InvalidDefinition
from .safe_xml import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)
Files = dict[str, str]


def diff_files(old: Files, new: Files) -> dict[str, Any]:
    """Every change from `old` to `new` (file name -> text), as plain data."""
    return {
        "files": {
            "added": sorted(set(new) - set(old)),
            "removed": sorted(set(old) - set(new)),
        },
        "elements": diff_elements(_bpmn(old), _bpmn(new)),
        "decisions": diff_decisions(_dmn(old), _dmn(new)),
        "raci": diff_matrices(_matrix(old), _matrix(new)),
    }


def is_empty(diff: dict[str, Any]) -> bool:
    elements, raci = diff["elements"], diff["raci"]
    return not (
        any(diff["files"].values())
        or any(elements.values())
        or diff["decisions"]
        or any(raci.values())
    )


# BPMN ----------------------------------------------------------------------------------


def _bpmn(files: Files) -> list[etree._Element]:
    return [_parsed(name, text) for name, text in sorted(files.items()) if name.endswith(".bpmn")]


def _parsed(name: str, text: str) -> etree._Element:
    try:
        return parse_xml(text, name)
    except InvalidDefinition:
        return etree.Element("unreadable")


def _elements(roots: list[etree._Element]) -> dict[str, dict[str, Any]]:
    """The model's elements with an id (the diagram's shapes live in another namespace)."""
    found = {}
    for root in roots:
        for element in root.iter(f"{{{BPMN_NS}}}*"):
            element_id = element.get("id")
            if element_id is None or element is root:
                continue
            found[element_id] = {
                "type": etree.QName(element).localname,
                "name": element.get("name"),
                # A flow is known by what it joins (most have no name).
                "source": element.get("sourceRef"),
                "target": element.get("targetRef"),
                "parts": _parts(element),
            }
    return found


def _parts(element: etree._Element) -> dict[str, str]:
    """What an element says itself: its attributes and its children without ids of their
    own (a script, a condition, the flows in and out), each part as canonical text."""
    parts = {f"@{key}": value for key, value in element.attrib.items()}
    for child in element:
        if not isinstance(child.tag, str) or (
            child.get("id") is not None and etree.QName(child).namespace == BPMN_NS
        ):
            continue
        name = etree.QName(child).localname
        parts[name] = parts.get(name, "") + _canonical(child)
    return parts


def _canonical(element: etree._Element) -> str:
    """An element as what it says, not how it is written: its name, attributes, trimmed
    text and children (a modeler's namespace prefixes and indentation do not count)."""
    if not isinstance(element.tag, str):
        return ""
    attributes = sorted((str(k), v) for k, v in element.attrib.items())
    inner = "".join(_canonical(child) for child in element)
    return f"<{element.tag} {attributes}>{(element.text or '').strip()}{inner}</>"


def diff_elements(old: list[etree._Element], new: list[etree._Element]) -> dict[str, list]:
    before, after = _elements(old), _elements(new)

    def brief(element_id: str, element: dict[str, Any]) -> dict[str, Any]:
        keys = ("type", "name", "source", "target")
        return {"id": element_id, **{key: element[key] for key in keys}}

    changed = []
    for element_id in sorted(set(before) & set(after)):
        was, now = before[element_id]["parts"], after[element_id]["parts"]
        keys = set(was) | set(now)
        what = sorted(key.lstrip("@") for key in keys if was.get(key) != now.get(key))
        if what or before[element_id]["type"] != after[element_id]["type"]:
            entry = {**brief(element_id, after[element_id]), "changed": what}
            if "name" in what:  # the approver reads what it was called
                entry["was_name"] = before[element_id]["name"]
            changed.append(entry)
    return {
        "added": [brief(i, after[i]) for i in sorted(set(after) - set(before))],
        "removed": [brief(i, before[i]) for i in sorted(set(before) - set(after))],
        "changed": changed,
    }


# DMN -----------------------------------------------------------------------------------


def _dmn(files: Files) -> dict[str, dict[str, Any]]:
    """Decision tables by decision id: columns, and rules by id with their cells."""
    tables = {}
    for name, text in sorted(files.items()):
        if not name.endswith(".dmn"):
            continue
        for decision in _parsed(name, text).iter():
            if not isinstance(decision.tag, str) or etree.QName(decision).localname != "decision":
                continue
            table = next((c for c in decision if _local(c) == "decisionTable"), None)
            if table is None:
                continue
            columns = [_column(c) for c in table if _local(c) in ("input", "output")]
            rules = {}
            for index, rule in enumerate(c for c in table if _local(c) == "rule"):
                cells = [
                    "".join(entry.itertext()).strip()
                    for entry in rule
                    if _local(entry) in ("inputEntry", "outputEntry")
                ]
                rules[rule.get("id") or f"#{index + 1}"] = cells
            tables[decision.get("id")] = {
                "name": decision.get("name"),
                "file": name,
                "columns": columns,
                "rules": rules,
            }
    return tables


def _local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _column(element: etree._Element) -> str:
    if _local(element) == "output":
        return element.get("label") or element.get("name") or ""
    expression = next((c for c in element if _local(c) == "inputExpression"), None)
    text = "".join(expression.itertext()).strip() if expression is not None else ""
    return element.get("label") or text


def diff_decisions(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for decision_id in sorted(set(old) | set(new)):
        was, now = old.get(decision_id), new.get(decision_id)
        if was == now:
            continue
        entry: dict[str, Any] = {
            "decision": decision_id,
            "name": (now or was)["name"],
            "status": "added" if was is None else "removed" if now is None else "changed",
        }
        if was is not None and now is not None:
            columns = now["columns"]
            entry["columns_changed"] = was["columns"] != columns
            entry["rules_added"] = sorted(set(now["rules"]) - set(was["rules"]))
            entry["rules_removed"] = sorted(set(was["rules"]) - set(now["rules"]))
            position = {rule_id: n for n, rule_id in enumerate(now["rules"], start=1)}
            entry["cells"] = [
                {
                    "rule": rule_id,
                    "row": position[rule_id],  # as the table numbers it
                    "column": columns[index] if index < len(columns) else f"#{index + 1}",
                    "old": old_cell,
                    "new": new_cell,
                }
                for rule_id in now["rules"]
                if rule_id in was["rules"]
                for index, (old_cell, new_cell) in enumerate(
                    _padded(was["rules"][rule_id], now["rules"][rule_id])
                )
                if old_cell != new_cell
            ]
        changes.append(entry)
    return changes


def _padded(a: list[str], b: list[str]) -> list[tuple[str | None, str | None]]:
    size = max(len(a), len(b))
    return [(a[i] if i < len(a) else None, b[i] if i < len(b) else None) for i in range(size)]


# RACI ----------------------------------------------------------------------------------


def _matrix(files: Files) -> RaciMatrix | None:
    for name, text in sorted(files.items()):
        if is_matrix_file(name):
            try:
                return load_matrix(name, text)
            except MatrixFormatError:
                return None
    return None


def _cells(row: ActivityRow) -> dict[str, str]:
    return {role: format_letters(letters) for role, letters in row.cells.items() if letters}


def diff_matrices(old: RaciMatrix | None, new: RaciMatrix | None) -> dict[str, list]:
    before = {row.activity: row for row in (old.rows if old else ())}
    after = {row.activity: row for row in (new.rows if new else ())}
    changed = []
    for activity in [a for a in after if a in before]:
        was, now = _cells(before[activity]), _cells(after[activity])
        cells = [
            {"role": role, "old": was.get(role, ""), "new": now.get(role, "")}
            for role in dict.fromkeys([*was, *now])
            if was.get(role, "") != now.get(role, "")
        ]
        old_rules, new_rules = before[activity].rules, after[activity].rules
        flags = [
            {
                "flag": f.name,
                "old": _flag(getattr(old_rules, f.name)),
                "new": _flag(getattr(new_rules, f.name)),
            }
            for f in fields(new_rules)
            if getattr(old_rules, f.name) != getattr(new_rules, f.name)
        ]
        if cells or flags:
            changed.append({"activity": activity, "cells": cells, "flags": flags})
    return {
        "added": [
            {"activity": a, "cells": _cells(after[a]), "flags": _set_flags(after[a].rules)}
            for a in after
            if a not in before
        ],
        "removed": [{"activity": a, "cells": _cells(before[a])} for a in before if a not in after],
        "changed": changed,
    }


def _set_flags(rules: ActivityRules) -> list[dict[str, Any]]:
    """A new row's flags that differ from a row's defaults (the approver signs them too)."""
    default = ActivityRules()
    return [
        {"flag": f.name, "old": None, "new": _flag(getattr(rules, f.name))}
        for f in fields(rules)
        if getattr(rules, f.name) != getattr(default, f.name)
    ]


def _flag(value: Any) -> Any:
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, tuple):  # scopes: (role, scope) pairs
        return [list(pair) if isinstance(pair, tuple) else pair for pair in value]
    return value if value is None or isinstance(value, bool | str | int) else str(value)
