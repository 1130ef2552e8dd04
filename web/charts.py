"""Charts as SVG written on the server: a bar chart and a control chart (docs/analytics.md).

Pure functions of plain values: the caller gives every text already in the reader's
language (labels, values, ticks), so a chart reads like the table beside it. The SVG is
inline in the page: it needs no script, passes the site's content policy (colours are
presentation attributes and classes, never `style`), scales to the width it is given
(viewBox), and each mark carries a <title> with its value for a pointer or a reader.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

WIDTH, HEIGHT = 420, 230  # the viewBox: legible at 330 px wide (a phone), fitted on a desk
LEFT, RIGHT, TOP, BOTTOM = 46, 12, 14, 34  # room for the y ticks and the x labels
MAX_X_LABELS = 6


@dataclass(frozen=True)
class Point:
    """One mark: its x label, its value, the value as the reader reads it, whether it is
    outside the control limits."""

    label: str
    value: float
    text: str
    out_of_control: bool = False


@dataclass(frozen=True)
class Limit:
    """A horizontal line of a control chart: centre line or control limit."""

    value: float
    text: str  # "UCL 4,2 ημέρες"
    kind: str  # "centre" or "limit"


def nice_ticks(high: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least `high` (1, 2, 2.5 or 5 times a power of ten)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * m for m in (1, 2, 2.5, 5, 10) if power * m >= raw)
    return [step * n for n in range(math.ceil(high / step - 1e-9) + 1)]


def bar_chart(points: Sequence[Point], *, title: str, tick: Callable[[float], str]) -> Markup:
    """Bars of `points` from zero; `tick` words an axis value."""
    ticks = nice_ticks(max((p.value for p in points), default=0))
    scale = _Scale(len(points), ticks[0], ticks[-1])
    marks = []
    for n, point in enumerate(points):
        x, width = scale.x(n) - scale.band * 0.35, scale.band * 0.7
        y = scale.y(point.value)
        marks.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{scale.y(0) - y:.1f}"><title>{_t(point.label)}: {_t(point.text)}</title>'
            "</rect>"
        )
    return _svg(title, scale, ticks, tick, points, "".join(marks))


def control_chart(
    points: Sequence[Point], limits: Sequence[Limit], *, title: str, tick: Callable[[float], str]
) -> Markup:
    """Points joined by a line, with the centre line and control limits; a point outside
    the limits is a larger red diamond, so that it shows without colour too."""
    values = [p.value for p in points] + [limit.value for limit in limits]
    ticks = nice_ticks(max(values, default=0) * 1.05)
    scale = _Scale(len(points), ticks[0], ticks[-1])
    lines = []
    for limit in limits:
        y = scale.y(limit.value)
        lines.append(
            f'<line class="{limit.kind}" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
            f'y2="{y:.1f}"><title>{_t(limit.text)}</title></line>'
            f'<text class="limit-label" x="{WIDTH - RIGHT - 2}" y="{y - 3:.1f}" '
            f'text-anchor="end">{_t(limit.text)}</text>'
        )
    path = " ".join(f"{scale.x(n):.1f},{scale.y(p.value):.1f}" for n, p in enumerate(points))
    marks = [f'<polyline class="series" points="{path}"/>'] if len(points) > 1 else []
    for n, point in enumerate(points):
        x, y = scale.x(n), scale.y(point.value)
        label = f"<title>{_t(point.label)}: {_t(point.text)}</title>"
        if point.out_of_control:
            diamond = (
                f"{x:.1f},{y - 7:.1f} {x + 7:.1f},{y:.1f} {x:.1f},{y + 7:.1f} {x - 7:.1f},{y:.1f}"
            )
            marks.append(f'<polygon class="point out" points="{diamond}">{label}</polygon>')
        else:
            marks.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5">{label}</circle>'
            )
    return _svg(title, scale, ticks, tick, points, "".join(lines + marks))


@dataclass(frozen=True)
class _Scale:
    count: int
    low: float
    high: float

    @property
    def band(self) -> float:
        return (WIDTH - LEFT - RIGHT) / max(self.count, 1)

    def x(self, n: int) -> float:
        return LEFT + self.band * (n + 0.5)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - self.low) / span)


def _svg(
    title: str,
    scale: _Scale,
    ticks: Sequence[float],
    tick: Callable[[float], str],
    points: Sequence[Point],
    marks: str,
) -> Markup:
    axis = []
    for value in ticks:
        y = scale.y(value)
        axis.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text x="{LEFT - 5}" y="{y + 4:.1f}" text-anchor="end">{_t(tick(value))}</text>'
        )
    every = math.ceil(len(points) / MAX_X_LABELS) or 1
    for n, point in enumerate(points):
        if n % every == 0:
            axis.append(
                f'<text x="{scale.x(n):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                f'text-anchor="middle">{_t(point.label)}</text>'
            )
    return Markup(  # noqa: S704 (every text in it went through _t)
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label={quoteattr(title)} xmlns="http://www.w3.org/2000/svg">'
        f"<title>{_t(title)}</title>{''.join(axis)}{marks}</svg>"
    )


def _t(text: str) -> str:
    return escape(text)
