"""Trend charts: same-day results are one labelled point and no two labels ever overlap."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from pdf.charts import describe, legend, trend_svg
from pdf.context import Trend, TrendPoint

SVG = "{http://www.w3.org/2000/svg}"
CHAR = 0.55  # a narrower estimate than the chart's own: overlaps found here are real


def _boxes(svg: str):
    root = ET.fromstring(svg)  # noqa: S314 - the chart this test just drew
    out = []
    for el in root.iter(f"{SVG}text"):
        text, size = el.text or "", float(el.get("font-size"))
        x, y, anchor = float(el.get("x")), float(el.get("y")), el.get("text-anchor")
        width = len(text) * size * CHAR
        left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        out.append((text, (left, y - size * 0.8, left + width, y)))
    return out


def _overlapping(boxes):
    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[1][0] < b[1][2] and b[1][0] < a[1][2] and a[1][1] < b[1][3] and b[1][1] < a[1][3]]


def _trend(points, mid=2.5):
    return Trend("iciq-ui-sf", "ICIQ-UI SF", tuple(points), (0, 21), mid)


@pytest.mark.parametrize("gaps", [(1, 2, 365), (3, 3, 3, 200), (100, 1, 1), (7, 7, 7, 7, 7, 7)])
def test_no_two_labels_overlap_however_close_the_visits(gaps):
    day = dt.date(2026, 1, 5)
    points = [TrendPoint(day, 12)]
    for i, gap in enumerate(gaps):
        day = day + dt.timedelta(days=gap)
        points.append(TrendPoint(day, 12 - (i % 2)))
    svg = str(trend_svg(_trend(points)))
    assert not _overlapping(_boxes(svg)), _overlapping(_boxes(svg))
    # The latest visit's value and date are always shown; every value is in the text alternative.
    texts = [t for t, _ in _boxes(svg)]
    assert "11" in texts or "12" in texts
    assert f"{points[-1].date.day} {points[-1].date:%b %Y}" in texts
    for p in points:
        assert f"on {p.date.day} {p.date:%b %Y}" in describe(_trend(points))


def test_same_day_results_are_one_point_with_a_clear_label():
    points = (TrendPoint(dt.date(2026, 2, 3), 12), TrendPoint(dt.date(2026, 3, 17), 9, same_day=2))
    svg = str(trend_svg(_trend(points)))
    assert "9 \u00d72" in svg
    assert "\u00d7N: N results on one day shown as one point" in legend(_trend(points))
    assert "this visit; 2 results that day" in describe(_trend(points))
    with pytest.raises(ValueError, match="same-day"):
        _trend((TrendPoint(dt.date(2026, 2, 3), 12), TrendPoint(dt.date(2026, 2, 3), 9)))
