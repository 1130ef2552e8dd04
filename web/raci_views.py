"""RACI matrices of the deployed processes, version by version, and their diagrams.

Every signed-in user may read them: knowing who does, signs off, is asked and is
told is what the matrix is for.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from flask_login import login_required

from engine import views
from engine.errors import NotFound
from engine.views import oversight
from raci.render import as_rows

from .diagram import ProcessGraph, parse_process, process_svg
from .diagram_response import diagram_language, diagram_limits, svg_response
from .query_args import number_arg
from .services import engine

bp = Blueprint("raci", __name__, url_prefix="/raci")


@bp.get("/")
@login_required
def index() -> str:
    processes: dict[str, dict[str, Any]] = {}
    for version in views.process_versions(engine().uow()):  # oldest first: the latest wins
        processes[version["process_id"]] = version
    return render_template("raci/index.html", processes=[processes[p] for p in sorted(processes)])


@bp.get("/<process_id>")
@login_required
def matrix(process_id: str) -> str:
    versions = _versions(process_id)
    number, found = engine().matrix(process_id, number_arg("version"))
    graph = _graph(process_id, number)
    described = engine().directory().roles
    roles = (
        [(r, described[r].description if r in described else "") for r in found.roles]
        if found
        else []
    )
    return render_template(
        "raci/matrix.html",
        process_id=process_id,
        name=next(v["name"] for v in versions if v["version"] == number),
        version=number,
        versions=[v["version"] for v in reversed(versions)],
        roles=roles,
        rows=as_rows(found) if found else [],
        names={e.id: e.name for e in graph.elements.values()},
    )


@bp.get("/<process_id>/diagram.svg")
@login_required
def diagram(process_id: str) -> Response:
    versions = _versions(process_id)
    wanted = number_arg("version") or versions[-1]["version"]
    version = next((v for v in versions if v["version"] == wanted), None)
    if version is None:
        raise NotFound(f"process '{process_id}' version {wanted} is not deployed")
    return svg_response(
        lambda: process_svg(
            version["content_hash"],
            process_id,
            lambda: _sources(process_id, wanted),
            diagram_limits(),
            diagram_language(),
        )
    )


def _versions(process_id: str) -> list[dict[str, Any]]:
    """The process's deployed versions, oldest first; NotFound if it has none."""
    versions = views.process_versions(engine().uow(), process_id)
    if not versions:
        raise NotFound(f"process '{process_id}' is not deployed")
    return versions


def _sources(process_id: str, version: int) -> dict[str, str]:
    version_id = oversight.version_id(engine().uow(), process_id, version)
    return oversight.version_sources(engine().uow(), version_id)


def _graph(process_id: str, version: int) -> ProcessGraph:
    return parse_process(_sources(process_id, version), process_id)
