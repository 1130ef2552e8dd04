"""Between a draft's files and what the modeler page edits: the BPMN (given a layout if
it has none), each DMN table, and the RACI matrix as a grid (raci/matrix_yaml.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from lxml import etree

from engine.definitions import process_name_in
from engine.errors import EngineError, InvalidState
from engine.safe_xml import parse_xml
from raci.loading import MatrixFormatError, is_matrix_file, load_matrix
from raci.matrix import RaciMatrix, format_letters
from raci.matrix_yaml import GridError, apply_grid, dump
from raci.messages import Message
from raci.render import format_duration
from workflows.forms import forms
from workflows.forms.general import CHECK_PREFIX, GENERAL_FORMS, general_prefix

from .bpmn_layout import with_layout
from .diagram import DiagramUnavailable, ProcessGraph, parse_process
from .vocabulary import term

# The general forms' names in the picker (a form without one shows its prefix).
_GENERAL_FORM_NAMES = {CHECK_PREFIX: _l("Check with a note (general form)")}


def _decision_roots(files: dict[str, str]) -> Iterator[tuple[str, etree._Element]]:
    """(file name, root) of each DMN file that parses; the others the checks report."""
    for name, text in files.items():
        if name.endswith(".dmn"):
            try:
                yield name, parse_xml(text.encode("utf-8"), name)
            except EngineError:
                continue


def decision_titles(files: dict[str, str]) -> dict[str, str]:
    """Each DMN file's decision name in the reader's language (its tab's title); a file
    whose decision is unnamed or unreadable has none."""
    from flask_babel import gettext

    titles = {}
    for name, root in _decision_roots(files):
        decision = next(root.iter("{*}decision"), None)
        if decision is not None and decision.get("name"):
            titles[name] = gettext(decision.get("name"))
    return titles


def dmn_words(files: dict[str, str]) -> dict[str, dict[str, str]]:
    """The decision tables' own words and the reader's: decision names, column labels and
    rules' annotations (`labels`), and output variable names shown as a column's label
    (`names`). The modeler shows these and writes the file's own back (modeler.js)."""
    from flask_babel import gettext

    labels: dict[str, str] = {}
    names: dict[str, str] = {}
    for _name, root in _decision_roots(files):
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            kind = etree.QName(element).localname
            said = element.get("name") if kind == "decision" else element.get("label")
            if kind == "description":  # a rule's annotation
                said = (element.text or "").strip()
            worded = kind in ("decision", "input", "output", "description") and said
            if worded and gettext(said) != said:
                labels[said] = gettext(said)
            variable = element.get("name")
            if kind == "output" and not element.get("label") and variable:
                shown = term(variable)
                if shown != variable:
                    names[variable] = shown
    return {"labels": labels, "names": names}


def bpmn_name(files: dict[str, str]) -> str:
    return next(name for name in sorted(files) if name.endswith(".bpmn"))


def matrix_of(files: dict[str, str]) -> tuple[str | None, RaciMatrix | None]:
    for name, text in sorted(files.items()):
        if is_matrix_file(name):
            try:
                return name, load_matrix(name, text)
            except MatrixFormatError:
                return name, None
    return None, None


def form_name(process_id: str, task_id: str) -> str:
    """The form a user task is done with, as the approver reads it: the process's own
    (code registered for its id), a general one its id names, or none (no fields)."""
    if (process_id, task_id) in forms():
        return str(_l("its own form"))
    prefix = general_prefix(task_id)
    if prefix is not None:
        return str(_GENERAL_FORM_NAMES.get(prefix, prefix))
    return str(_l("no form: done without fields"))


def process_title(process_id: str, files: dict[str, str]) -> str:
    """The process as the draft's BPMN names it, in the reader's language; else its id
    (a new process has no deployed name to fall back on)."""
    from flask_babel import gettext

    name = process_name_in(files, process_id)
    return gettext(name) if name else process_id


def activity_names(process_id: str, files: dict[str, str]) -> dict[str, str]:
    """Each element's name in the reader's language (the catalog has the BPMN names); an
    element without a name by its kind ("end event (no name)"), never by its id."""
    from flask_babel import gettext

    graph = _graph(process_id, files)
    if graph is None:
        return {}
    unnamed = gettext("(no name)")
    return _in_words(_names_in(graph)) | {
        e.id: f"{term(e.kind)} {unnamed}" for e in graph.elements.values() if not e.name
    }


def _in_words(names: dict[str, str | None]) -> dict[str, str]:
    from flask_babel import gettext

    return {key: gettext(name) if name else key for key, name in names.items()}


def _graph(process_id: str, files: dict[str, str]) -> ProcessGraph | None:
    try:
        return parse_process({n: t for n, t in files.items() if n.endswith(".bpmn")}, process_id)
    except EngineError:
        return None


def _names(process_id: str, files: dict[str, str]) -> dict[str, str | None]:
    """The names the files give: every element's (None if it has none), named lanes and flows."""
    graph = _graph(process_id, files)
    return _names_in(graph) if graph is not None else {}


def _names_in(graph: ProcessGraph) -> dict[str, str | None]:
    return (
        {e.id: e.name for e in graph.elements.values()}
        | {lane: name for lane, (name, _) in graph.lanes.items() if name}
        | {f.id: f.name for f in graph.flows if f.name}
    )


def editor_data(
    process_id: str,
    files: dict[str, str],
    directory_roles: list[str],
    known_scopes: Mapping[str, Collection[str]] | None = None,
) -> dict:
    """What the modeler page starts from."""
    name = bpmn_name(files)
    try:
        bpmn = with_layout(files[name])
    except (DiagramUnavailable, OSError):
        bpmn = files[name]
    _, matrix = matrix_of(files)
    names = _names(process_id, files)  # the diagram parsed once for both
    return {
        "process_id": process_id,
        "bpmn": bpmn,
        "dmn": {n: t for n, t in sorted(files.items()) if n.endswith(".dmn")},
        "dmn_words": dmn_words(files),
        "dmn_titles": decision_titles(files),
        "names": _in_words(names),
        # The form keys of the process (a user task uses the form of its own id).
        "form_keys": sorted(t for p, t in forms() if p == process_id and t != "start"),
        "general_forms": [
            {"prefix": prefix, "label": str(_GENERAL_FORM_NAMES.get(prefix, prefix))}
            for prefix in GENERAL_FORMS
        ],
        "original_names": names,
        "roles": list(matrix.roles) if matrix else [],
        # Audience scopes: those the engine knows, in words, and the matrix-wide ones
        # (which a row cannot lift: docs/raci.md).
        "scope_names": {scope: term(scope) for scope in sorted(known_scopes or {})},
        # The roles each scope can narrow (none listed: any role).
        "scope_roles": {scope: list(roles) for scope, roles in (known_scopes or {}).items()},
        "matrix_scopes": dict(matrix.scopes) if matrix else {},
        "directory_roles": sorted(directory_roles),
        "rows": [
            {
                "activity": row.activity,
                "cells": {r: format_letters(cell) for r, cell in row.cells.items() if cell},
                "self_approval": row.rules.self_approval,
                "advisory": row.rules.advisory,
                "scopes": matrix.scopes_of(row),
                "signoff_due": format_duration(row.rules.signoff_due)
                if row.rules.signoff_due
                else "",
            }
            for row in (matrix.rows if matrix else ())
        ],
    }


def edited_files(process_id: str, files: dict[str, str], payload: dict[str, Any]) -> dict[str, str]:
    """The draft's files after the modeler's save: its BPMN, DMN and grid replace theirs."""
    if not isinstance(payload, dict) or not isinstance(payload.get("bpmn"), str):
        raise InvalidState("the modeler sent no diagram")
    new = dict(files)
    new[bpmn_name(files)] = payload["bpmn"]
    for name, text in (payload.get("dmn") or {}).items():
        if name in files and isinstance(text, str):
            new[name] = text
    grid = payload.get("matrix")
    if isinstance(grid, dict) and grid.get("rows") is not None:
        old_name, old = matrix_of(files)
        try:
            matrix = apply_grid(process_id, old, list(grid.get("roles") or []), grid["rows"])
        except GridError as err:  # named by the task's name, as the grid shows it
            task = err.said.params.get("task", "")
            named = {**err.said.params, "task": _names(process_id, files).get(task) or task}
            raise InvalidState(Message(err.said.msgid, **named)) from None
        except (ValueError, KeyError, TypeError) as err:
            raise InvalidState(f"the RACI grid cannot be read: {err}") from None
        if old_name is not None:
            del new[old_name]
        new[f"{process_id}.raci.yaml"] = dump(matrix)
    return new
