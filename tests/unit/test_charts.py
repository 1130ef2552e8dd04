"""The analytics charts: SVG a browser draws, with every value readable and nothing inline
that the site's content policy refuses."""

from __future__ import annotations

from lxml import etree

from web.charts import Limit, Point, bar_chart, control_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> etree._Element:
    return etree.fromstring(str(markup).encode())


def test_ticks_are_round_and_reach_the_highest_value():
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(100) == [0, 25, 50, 75, 100]
    assert nice_ticks(0.9) == [0, 0.25, 0.5, 0.75, 1.0]
    assert nice_ticks(0) == [0.0, 1.0]


def test_a_bar_per_week_with_its_value_in_words_and_taller_for_more():
    weeks = [Point("6/10", 3, "3"), Point("13/10", 12, "12"), Point("20/10", 0, "0")]
    svg = parsed(bar_chart(weeks, title="Ολοκληρώσεις ανά εβδομάδα", tick=lambda v: f"{v:g}"))
    bars = svg.findall(f"{SVG}rect")
    assert [bar.findtext(f"{SVG}title") for bar in bars] == ["6/10: 3", "13/10: 12", "20/10: 0"]
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[1] == max(heights) and heights[1] == 4 * heights[0] and heights[2] == 0
    assert svg.get("aria-label") == "Ολοκληρώσεις ανά εβδομάδα"
    assert not [e for e in svg.iter() if e.get("style")]  # CSP: style-src 'self'


def test_the_x_labels_thin_out_so_that_a_phone_can_read_them():
    weeks = [Point(f"{n}/10", n, str(n)) for n in range(1, 13)]
    svg = parsed(bar_chart(weeks, title="t", tick=str))
    labels = [t.text for t in svg.findall(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert labels == ["1/10", "3/10", "5/10", "7/10", "9/10", "11/10"]


def test_a_control_chart_marks_the_points_outside_its_limits_and_draws_the_limits():
    points = [Point("1", 2.0, "2 ημ."), Point("2", 9.5, "9 ημ. 12 ώρ.", True), Point("3", 2.5, "")]
    limits = [Limit(2.6, "X̄ 2,6", "centre"), Limit(6.1, "UCL 6,1", "limit"), Limit(0, "", "limit")]
    svg = parsed(control_chart(points, limits, title="I", tick=str))
    [out] = svg.findall(f"{SVG}polygon")
    assert out.get("class") == "point out" and out.findtext(f"{SVG}title") == "2: 9 ημ. 12 ώρ."
    assert len(svg.findall(f"{SVG}circle")) == 2
    drawn = {line.findtext(f"{SVG}title") for line in svg.findall(f"{SVG}line[@class='limit']")}
    assert drawn == {"UCL 6,1", ""}
    ucl = next(
        line for line in svg.findall(f"{SVG}line") if line.findtext(f"{SVG}title") == "UCL 6,1"
    )
    assert float(ucl.get("y1")) > float(out.get("points").split()[0].split(",")[1])  # above it


def test_text_is_escaped():
    svg = bar_chart([Point("<b>", 1, "a & b")], title="x < y", tick=str)
    assert "<b>" not in svg and "a &amp; b" in svg
    parsed(svg)
