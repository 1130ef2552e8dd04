"""Where work piles up: a process diagram coloured by each activity's median waiting time.

Four levels, each a quarter of the longest median wait of the period, so the activity
that keeps work longest is always the darkest; an activity nobody waited at in the period
stays uncoloured. Both drawings take the same classes (`heat-1` .. `heat-4`, coloured by
analytics.css): bpmn-js as markers, where the version has diagram interchange (DI), and
graphviz's drawing otherwise, whose element groups get the class here on the server.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree
from markupsafe import Markup

LEVELS = 4
SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class Band:
    """One level of the legend: waits from `low` to `high` seconds."""

    level: int
    low: float
    high: float


def levels(waits: Mapping[str, float | None]) -> dict[str, int]:
    """Each activity's level (1..4) by its median wait in seconds: level n holds the waits
    above n-1 quarters of the longest, up to n quarters; none without a wait."""
    longest = max((w for w in waits.values() if w is not None), default=0)
    if not longest:  # nobody waited at all: nothing is hotter than anything else
        return {}
    found = {}
    for activity, wait in waits.items():
        if wait is None:
            continue
        share = wait / longest if longest else 0
        found[activity] = max(1, math.ceil(share * LEVELS))
    return found


def legend(waits: Mapping[str, float | None]) -> list[Band]:
    """The waits each level stands for, from the shortest to the longest."""
    longest = max((w for w in waits.values() if w is not None), default=0)
    if not longest:
        return []
    return [Band(n, longest * (n - 1) / LEVELS, longest * n / LEVELS) for n in range(1, 5)]


def painted(svg: str, heat: Mapping[str, int], titles: Mapping[str, str]) -> Markup:
    """Graphviz's drawing (web/diagram.py) with each activity's level as a class and its
    wait as the tooltip, ready to sit inline in the page; the drawing keeps its size and
    scrolls inside its own box on a phone."""
    root = etree.fromstring(svg.encode("utf-8"))
    for title in list(root.iter(f"{{{SVG_NS}}}title")):  # graphviz's: the raw ids
        title.getparent().remove(title)
    for group in root.iter(f"{{{SVG_NS}}}g"):
        found = (group.get("id") or "").partition("bpmn-")
        element_id = found[2] if found[0] == "" and found[1] else None
        if element_id in heat:
            group.set("class", f"{group.get('class', '')} heat-{heat[element_id]}")
        if element_id in titles:
            title = etree.Element(f"{{{SVG_NS}}}title")
            title.text = titles[element_id]
            group.insert(0, title)
    return Markup(etree.tostring(root, encoding="unicode"))  # noqa: S704 (lxml escapes)
