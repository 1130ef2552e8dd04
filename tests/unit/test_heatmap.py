"""The heat map: which activities are darkest, what the legend says, and graphviz's
drawing painted with the same classes bpmn-js gets."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from web.diagram import parse_process, render_svg
from web.heatmap import Band, legend, levels, painted

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def test_the_longest_median_wait_is_the_darkest_and_no_wait_is_no_colour():
    waits = {"request": 3600, "analyse": 4 * 3600, "sign": 0, "notify": None, "check": 2 * 3600}
    assert levels(waits) == {"request": 1, "analyse": 4, "sign": 1, "check": 2}


def test_nobody_waited_anywhere_colours_nothing_and_has_no_legend():
    # Work taken up at once is no pile: no colour, and no legend of four "up to 0 s".
    assert levels({"a": 0, "b": 0, "c": None}) == {}
    assert legend({"a": 0}) == []
    assert levels({}) == {}


def test_the_legend_splits_the_longest_wait_in_quarters():
    assert legend({"a": 8 * 3600, "b": None}) == [
        Band(1, 0, 7200),
        Band(2, 7200, 14400),
        Band(3, 14400, 21600),
        Band(4, 21600, 28800),
    ]


def test_graphviz_drawing_gets_the_levels_and_the_waits_as_tooltips_and_no_raw_ids():
    sources = {"c.bpmn": (ROOT / "bpmn" / "credit_limit_change.bpmn").read_text()}
    svg = render_svg(parse_process(sources, "credit_limit_change"))
    drawn = etree.fromstring(
        str(painted(svg, {"request": 2}, {"request": "Αίτημα: 3 ώ."})).encode()
    )
    request = next(g for g in drawn.iter(f"{SVG}g") if g.get("id") == "bpmn-request")
    assert request.get("class").split() == ["node", "userTask", "untouched", "heat-2"]
    assert request.findtext(f"{SVG}title") == "Αίτημα: 3 ώ."
    assert [t.text for t in drawn.iter(f"{SVG}title")] == ["Αίτημα: 3 ώ."]
