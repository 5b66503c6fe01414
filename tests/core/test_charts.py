"""The SVG charts: safe markup, accessible names, geometry that follows the numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tqr.core import charts
from tqr.core.charts import Series, bar_chart, hbar_chart, nice_max, nice_scale, text_width

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output; a parse error is a test failure


def rects(root, *, titled=True):
    return [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if not titled or r.find("s:title", NS) is not None]


def test_it_escapes_labels_and_titles():
    evil = '<script>alert("x")</script>&'
    svg = hbar_chart(evil, [evil], [Series(evil, [3]), Series("b", [1])])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)  # well-formed XML: every & and < escaped
    assert root.find("s:title", NS).text == evil
    svg = bar_chart(evil, [(evil, 2)])
    assert "<script>" not in svg
    parse(svg)


def test_it_is_an_image_with_a_name_and_a_description():
    root = parse(hbar_chart("各校进度", ["甲校", "乙校"], [Series("已提交", [4, 2])], unit="人"))
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 420 [\d.]+", root.get("viewBox"))
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find("s:title", NS).get("id") == title_id
    desc = root.find("s:desc", NS)
    assert desc.get("id") == desc_id
    assert desc.text == "甲校：已提交 4人；乙校：已提交 2人"


def test_grouped_bars_are_as_long_as_their_values():
    root = parse(hbar_chart("t", ["甲", "乙"], [Series("a", [10, 5]), Series("b", [2, 0])]))
    bars = {r.find("s:title", NS).text: float(r.get("width")) for r in rects(root)}
    assert set(bars) == {"a：10", "a：5", "b：2"}  # a zero draws no bar (its number still shows)
    assert bars["a：10"] == pytest.approx(2 * bars["a：5"], abs=0.2)
    assert bars["a：10"] == pytest.approx(5 * bars["b：2"], abs=0.3)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"10", "5", "2", "0"} <= set(texts)  # direct value labels: readable without colour


def test_stacked_segments_follow_each_other_and_the_total_is_written():
    root = parse(hbar_chart("t", ["小学"], [Series("合格", [6]), Series("暂缓", [3]), Series("不合格", [1])],
                            stacked=True))
    segments = rects(root)
    xs = [(float(r.get("x")), float(r.get("width"))) for r in segments]
    for (x, w), (next_x, _) in zip(xs, xs[1:], strict=False):
        assert next_x == pytest.approx(x + w, abs=0.11)
    assert "10" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_series_differ_by_pattern_not_only_colour():
    svg = hbar_chart("t", ["甲"], [Series(str(i), [1]) for i in range(4)])
    root = parse(svg)
    patterns = root.findall("s:defs/s:pattern", NS)
    assert len(patterns) == 3  # the first series is solid, the others hatched, dotted, cross-hatched
    fills = {r.get("fill") for r in rects(root)}
    assert len(fills) == 4


def test_long_labels_are_cut_and_kept_whole_in_a_tooltip():
    name = "重庆市黔江区城东街道中心小学校附属幼儿园分园第二教学点"
    root = parse(hbar_chart("t", [name], [Series("a", [1])]))
    label = next(t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.find("s:title", NS) is not None)
    assert label.find("s:title", NS).text == name
    assert label.text is None or label.find("s:title", NS).tail.endswith("…")
    assert text_width(label.find("s:title", NS).tail) <= charts.WIDTH * charts.LABEL_SHARE


def test_columns_are_as_tall_as_their_values():
    root = parse(bar_chart("t", [("提交", 8), ("确认", 4), ("终审", 0)]))
    heights = {r.find("s:title", NS).text: float(r.get("height")) for r in rects(root)}
    assert heights["提交：8"] == pytest.approx(2 * heights["确认：4"], abs=0.2)
    assert "终审：0" not in heights


def test_nothing_to_show_says_so():
    assert "暂无数据" in hbar_chart("t", [], [Series("a", [])])
    assert "无结论" in bar_chart("t", [], empty="无结论")
    parse(hbar_chart("t", ["甲"], [Series("a", [0])]))  # all zero: no division by zero


def test_it_refuses_a_series_of_the_wrong_length():
    with pytest.raises(ValueError):
        hbar_chart("t", ["甲", "乙"], [Series("a", [1])])


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (1, 1), (3, 3), (7, 8), (12, 15), (40, 40), (240, 250),
                                               (905, 1000), (0.4, 0.4)])
def test_the_axis_ends_on_a_round_number(value, expected):
    assert nice_max(value) == expected


def test_chinese_is_wider_than_latin():
    assert text_width("学校") == pytest.approx(2 * charts.FONT)
    assert text_width("ab") == pytest.approx(1.2 * charts.FONT)


def test_ticks_are_whole_numbers_for_counts():
    for peak in (3, 7, 12, 19, 40, 345, 858):
        end, step = nice_scale(peak)
        assert float(step).is_integer() and end >= peak and end / step <= 5
    root = parse(hbar_chart("t", ["甲"], [Series("a", [40])]))
    ticks = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("font-size") == str(charts.SMALL)
             and t.get("fill") == charts.MUTED]
    assert ticks == ["0", "10", "20", "30", "40"]
