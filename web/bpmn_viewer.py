"""The diagram as its owner drew it: bpmn-js on the instance page, for versions whose
BPMN has diagram interchange (DI), with each activity's state as a marker; versions
without DI keep graphviz's drawing (web/diagram.py)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, g, jsonify
from flask_babel import gettext
from flask_login import login_required
from lxml import etree

from engine.safe_xml import parse_xml
from engine.views import oversight

from .activity_overlays import overlay_texts
from .bpmn_layout import has_di
from .diagram import BPMN_NS, infer_state, parse_process, recorded_state, taken_flows
from .services import engine
from .vendor import installed

bp = Blueprint("bpmn_viewer", __name__, url_prefix="/instances")
# bpmn-js draws with inline style attributes (scripts stay this site's only).
VIEWER_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; frame-ancestors 'none'"
)


def _sources(instance_id: str) -> tuple[dict[str, Any], dict[str, str]]:
    facts = oversight.diagram_facts(engine().uow(), instance_id)
    return facts, oversight.version_sources(engine().uow(), facts["version_id"])


@lru_cache(maxsize=1024)
def _version_has_di(process_engine: Any, process_id: str, version: int) -> bool:
    """Versions never change: whether one has DI is read once per engine and version."""
    version_id = oversight.version_id(process_engine.uow(), process_id, version)
    sources = oversight.version_sources(process_engine.uow(), version_id)
    return any(has_di(text) for name, text in sources.items() if name.endswith(".bpmn"))


@bp.app_template_global()
def version_drawn_with_di(process_id: str, version: int) -> bool:
    """Whether a version's page shows the owner's own diagram (and so allows its styles)."""
    found = installed() and _version_has_di(engine(), process_id, version)
    if found:
        g.bpmn_styles = True
    return found


@bp.app_template_global()
def drawn_with_di(instance: dict[str, Any]) -> bool:
    """Whether the instance page shows the owner's own diagram (and so allows its styles)."""
    if not installed():
        return False
    found = _version_has_di(engine(), instance["process_id"], instance["version"])
    if found:
        g.bpmn_styles = True
    return found


@bp.after_app_request
def viewer_policy(response: Response) -> Response:
    if g.get("bpmn_styles"):
        response.headers["Content-Security-Policy"] = VIEWER_POLICY
    return response


def in_reader_language(bpmn: str) -> str:
    """The drawing with each element's name in the reader's language (the catalog has
    the BPMN names), as the graphviz drawing shows them; the file itself is unchanged."""
    root = parse_xml(bpmn, "version.bpmn")
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        name = element.get("name")
        if name:
            element.set("name", gettext(name))
    return etree.tostring(root, encoding="unicode")


@bp.get("/<instance_id>/diagram.json")
@login_required
def diagram(instance_id: str) -> Any:
    from .instances import visible  # the instance page's own rule of who sees a case

    visible(instance_id)
    facts, sources = _sources(instance_id)
    graph = parse_process(sources, facts["process_id"])
    state = infer_state(graph, recorded_state(facts), completed=facts["status"] == "completed")
    bpmn = next(text for name, text in sorted(sources.items()) if name.endswith(".bpmn"))
    response = jsonify(
        {
            "bpmn": in_reader_language(bpmn),
            "state": {
                kind: sorted(getattr(state, kind))
                for kind in ("done", "active", "waiting", "failed")
            },
            "taken": sorted(taken_flows(graph, state)),
            # A word on each pending element, so that its state is not told by colour alone.
            "words": {
                "active": gettext("open task"),
                "waiting": gettext("waiting for a timer"),
                "failed": gettext("failed"),
            },
        }
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/of/<process_id>/<int:version>/diagram.json")
@login_required
def process_diagram(process_id: str, version: int) -> Any:
    """A version's drawing, with each activity's open tasks and their median wait to be
    taken up."""
    version_id = oversight.version_id(engine().uow(), process_id, version)
    sources = oversight.version_sources(engine().uow(), version_id)
    bpmn = next(text for name, text in sorted(sources.items()) if name.endswith(".bpmn"))
    overlays = overlay_texts(process_id, version)
    return jsonify({"bpmn": in_reader_language(bpmn), "state": {}, "overlays": overlays})
