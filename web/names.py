"""The one place a process id or a BPMN element id becomes its name in the reader's language.

Names come from the deployed BPMN (read once per version and kept) and are translated
through the catalog, where the custom extractor (web/babel_extract.py) puts every
<process>, task, event, gateway and flow name of bpmn/*.bpmn and every DMN name.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app, g, has_app_context, has_request_context
from flask_babel import gettext

from engine import views
from engine.views import oversight

from .diagram import parse_process

_lock = threading.Lock()
_cache: dict[tuple[str, str], dict[str, str]] = {}  # (process, content hash): {id: name}


def tr(text: str | None) -> str:
    """A name from the BPMN in the reader's language (as written if the catalog lacks it)."""
    return gettext(text) if text else (text or "")


def process_name(process_id: str | None) -> str:
    """The translated name of a process (its latest version's); the id if none is deployed."""
    if not process_id:
        return ""
    name = _process_names().get(process_id)
    return tr(name) if name else process_id


def element_names(process_id: str) -> dict[str, str]:
    """Every named element of a process (all versions, the latest winning): id -> English."""
    names: dict[str, str] = {}
    for version in _versions(process_id):
        key = (process_id, version["content_hash"])
        with _lock:
            found = _cache.get(key)
        if found is None:
            found = _read(process_id, version["version"])
            with _lock:
                _cache[key] = found
        names.update(found)
    return names


def task_name(process_id: str | None, element_id: str | None, name: str | None = None) -> str:
    """A task's name (BPMN element) in the reader's language; `name` if already known."""
    if name:
        return tr(name)
    if not element_id:
        return ""
    english = element_names(process_id).get(element_id) if process_id else None
    return tr(english) if english else element_id.replace("_", " ")


def _process_names() -> dict[str, str]:
    """Every deployed process's name (the latest version's), read once per request."""
    engine = current_app.extensions.get("raciflow") if has_app_context() else None
    if engine is None:  # an app without the engine (unit tests of a page's wording)
        return {}
    if has_request_context() and "raciflow_process_names" in g:
        return g.raciflow_process_names
    found = {v["process_id"]: v["name"] for v in views.process_versions(engine.uow())}
    if has_request_context():
        g.raciflow_process_names = found
    return found


def _versions(process_id: str) -> list[dict[str, Any]]:
    """The process's versions, read once per request (a list page names many rows)."""
    engine = current_app.extensions.get("raciflow")
    if engine is None:  # an app without the engine (unit tests of a page's wording)
        return []
    known = g.setdefault("raciflow_versions", {})
    if process_id not in known:
        known[process_id] = views.process_versions(engine.uow(), process_id)
    return known[process_id]


def _read(process_id: str, version: int) -> dict[str, str]:
    uow = current_app.extensions["raciflow"].uow
    sources = oversight.version_sources(uow(), oversight.version_id(uow(), process_id, version))
    graph = parse_process(sources, process_id)
    return {e.id: e.name for e in graph.elements.values() if e.name}
