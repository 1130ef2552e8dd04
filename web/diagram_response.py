"""A diagram as the browser gets it: the SVG, or, when it cannot be drawn, an SVG saying why.

The pages show diagrams as <img>, so a refusal is an image too (an HTML error
page in an <img> shows as a broken picture), with a non-2xx status.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from xml.sax.saxutils import escape

from flask import Response, current_app
from flask_babel import get_locale, gettext
from flask_babel import gettext as _

from .diagram import FONT, DiagramLimits, DiagramUnavailable

LIMITS_KEY = "RACIFLOW_DIAGRAM_LIMITS"


def diagram_language() -> tuple[str, Callable[[str], str]]:
    """The reader's locale and gettext, for the names a diagram shows (and its cache key)."""
    return str(get_locale() or "en"), gettext


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
                "Drawing this diagram took longer than %(seconds)s seconds; it is not shown.",
                seconds=f"{unavailable.timed_out:g}",
            )
            status = 503
        return Response(_message_svg(message), status=status, mimetype="image/svg+xml")


def _message_svg(message: str) -> str:
    """The message on a few short lines: the picture must fit a phone without scrolling."""
    lines = textwrap.wrap(message, 36)
    width = 7 * max(len(line) for line in lines) + 32
    rows = "".join(
        f'<tspan x="16" dy="{0 if n == 0 else 19}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{19 * len(lines) + 22}"'
        f' role="img"><rect width="100%" height="100%" fill="#fdecea" stroke="#b42318"/>'
        f'<text y="25" font-family="{FONT}" font-size="13" fill="#b42318">{rows}</text></svg>'
    )
