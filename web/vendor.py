"""The modeler's scripts and styles, served as npm installed them (`make` runs `npm ci`).

bpmn-js and dmn-js ship ready-made bundles in their `dist/` folders; bpmn-js-bpmnlint
ships its stylesheet there; `raciflow-lint` is the one thing built, by `make` with
esbuild (web/lint/: bpmnlint and the rules the modeler runs), into node_modules.
Nothing under node_modules is committed. Only those folders are reachable.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
LIBRARIES = ("bpmn-js", "dmn-js", "bpmn-js-bpmnlint", "raciflow-lint")

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


@bp.get("/<library>/<path:path>")
def asset(library: str, path: str) -> Response:
    if library not in LIBRARIES:
        abort(404)
    response = send_from_directory(NODE_MODULES / library / "dist", path, max_age=86400)
    return response


def installed() -> bool:
    """Whether `npm ci` has run (the modeler pages say so plainly if not)."""
    return all((NODE_MODULES / library / "dist").is_dir() for library in LIBRARIES)
