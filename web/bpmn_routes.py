"""The waypoints of a sequence flow between two placed shapes (web/bpmn_layout.py).

Orthogonal, as people draw BPMN: a gateway's ways out leave from its top or bottom
corner towards their target's row, ways into a joining gateway arrive at its top or
bottom; other flows leave a shape on the right and bend once, in the gap just after it;
a boundary event's flow leaves downwards and runs under its activity; a flow going back
(a loop) runs under both. When that way would cross another shape, the other L-shaped
way is tried, then a way along the gap between the rows; the first clear one is taken.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

Bounds = tuple[float, float, float, float]  # x, y, width, height
Point = tuple[float, float]
GAP = 25  # how far after its source a flow bends
ROW_GAP = 70  # from a row's middle to the free stretch between it and the next row


def route(
    source: Bounds,
    target: Bounds,
    *,
    from_gateway: bool = False,
    to_gateway: bool = False,
    from_boundary: bool = False,
    obstacles: Iterable[Bounds] = (),
) -> list[Point]:
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    source_mid, target_mid = sy + sh / 2, ty + th / 2
    if from_boundary:
        low = sy + sh + 20
        return [
            (sx + sw / 2, sy + sh),
            (sx + sw / 2, low),
            (tx - GAP, low),
            (tx - GAP, target_mid),
            (tx, target_mid),
        ]
    if tx < sx + sw:  # backwards
        below = max(sy + sh, ty + th) + 25
        return [
            (sx + sw / 2, sy + sh),
            (sx + sw / 2, below),
            (tx + tw / 2, below),
            (tx + tw / 2, ty + th),
        ]
    right, left = (sx + sw, source_mid), (tx, target_mid)
    down = target_mid > source_mid
    vertical_first = [(sx + sw / 2, sy + sh if down else sy), (sx + sw / 2, target_mid), left]
    horizontal_first = [right, (tx + tw / 2, source_mid), (tx + tw / 2, ty if down else ty + th)]
    if abs(source_mid - target_mid) < 1:
        preferred = [right, left]
    elif from_gateway:
        preferred = vertical_first
    elif to_gateway:
        preferred = horizontal_first
    else:
        preferred = [right, (sx + sw + GAP, source_mid), (sx + sw + GAP, target_mid), left]
    lane = source_mid + (ROW_GAP if target_mid >= source_mid else -ROW_GAP)
    along_gap = [
        (sx + sw / 2, sy + sh if lane > source_mid else sy),
        (sx + sw / 2, lane),
        (tx + tw / 2, lane),
        (tx + tw / 2, ty if lane < target_mid else ty + th),
    ]
    others = [b for b in obstacles if b not in (source, target)]
    for way in (preferred, vertical_first, horizontal_first, along_gap):
        if not any(_crosses(a, b, box) for a, b in itertools.pairwise(way) for box in others):
            return way
    return preferred


def _crosses(a: Point, b: Point, box: Bounds) -> bool:
    """Whether the straight stretch a-b passes through `box` (a little inside its edges)."""
    x, y, width, height = box
    (left, right), (top, bottom) = sorted((a[0], b[0])), sorted((a[1], b[1]))
    return left < x + width - 2 and right > x + 2 and top < y + height - 2 and bottom > y + 2


def flow_label(points: list[Point]) -> Bounds:
    """Where a flow's name goes: above the start of its first horizontal stretch long
    enough to hold it (a gateway's ways out are told apart where they turn to their
    targets), else beside its start."""
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        if abs(y1 - y2) < 1 and abs(x2 - x1) >= 40:
            return (min(x1, x2) + 6, y1 - 18, 80, 14)
    x, y = points[0]
    return (x + 6, y + 4, 80, 14)
