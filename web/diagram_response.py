"""A diagram as the browser gets it: the SVG, or, when it cannot be drawn, an SVG saying why.

The pages show diagrams as <img>, so a refusal is an image too (an HTML error
page in an <img> shows as a broken picture), with a non-2xx status.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape

from flask import Response, current_app
from flask_babel import gettext as _

from .diagram import FONT, DiagramLimits, DiagramUnavailable

LIMITS_KEY = "RACIFLOW_DIAGRAM_LIMITS"


def diagram_limits() -> DiagramLimits:
    return current_app.config.get(LIMITS_KEY) or DiagramLimits()


def svg_response(render: Callable[[], str]) -> Response:
    """The SVG `render` draws; 422 (too large) or 503 (too slow) with the reason instead."""
    try:
        return Response(render(), mimetype="image/svg+xml")
    except DiagramUnavailable as unavailable:
        if unavailable.too_large is not None:
            nodes, limit = unavailable.too_large
            message = _(
                "This diagram is too large to draw: %(nodes)d elements; the limit is %(limit)d.",
                nodes=nodes,
                limit=limit,
            )
            status = 422
        else:
            message = _(
                "Drawing this diagram took longer than %(seconds)g seconds; it is not shown.",
                seconds=unavailable.timed_out,
            )
            status = 503
        return Response(_message_svg(message), status=status, mimetype="image/svg+xml")


def _message_svg(message: str) -> str:
    width = max(320, 7 * len(message) + 32)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="48" role="img">'
        f'<rect width="100%" height="100%" fill="#fdecea" stroke="#b42318"/>'
        f'<text x="16" y="29" font-family="{FONT}" font-size="13" fill="#b42318">'
        f"{escape(message)}</text></svg>"
    )
