"""Trend charts as inline SVG, drawn by hand (no plotting library).

Every piece of text that reaches the SVG goes through :func:`html.escape`, and the chart uses
presentation attributes only (no ``style`` attributes, no scripts, no external references), so
it is safe inline in the PDF and under the preview page's ``default-src 'self'`` CSP.
The ``<title>`` is the figure's alternative text in the tagged PDF.
"""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

from .assets import FONT_FAMILY
from .context import Trend
from .formats import format_date, format_score

WIDTH, HEIGHT = 320, 116
DATE_ROW = 11
"""Room below the chart for a second row of dates when two visits are close together."""
LEFT, RIGHT, TOP, BOTTOM = 30, 8, 14, 22
FONT = f"{FONT_FAMILY}, DejaVu Sans, sans-serif"
INK, MUTED, GRID, LINE, BAND, POINT_FILL = "#1f2933", "#5f6b7a", "#e3e8ee", "#0b5f7a", "#dcefe9", "#ffffff"
GOOD, BAD = "#1b7a4c", "#b3261e"


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _nice_step(span: float, target_ticks: int = 4) -> float:
    raw = span / max(target_ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def _text(x: float, y: float, content: str, *, size: float = 10, anchor: str = "middle",
          fill: str = MUTED, weight: int = 400) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{_attr(FONT)}" font-size="{size}" '
            f'font-weight="{weight}" fill="{fill}" text-anchor="{anchor}">{escape(content)}</text>')


def _same_day(point, last: bool) -> str:
    if point.same_day <= 1:
        return ""
    if last:
        return f" (this visit; {point.same_day} results that day)"
    return f" (the latest of {point.same_day} results that day)"


def describe(trend: Trend) -> str:
    """Plain-text description of the chart (its alternative text)."""
    last = len(trend.points) - 1
    scores = ", ".join(f"{format_score(p.score)} on {format_date(p.date)}{_same_day(p, i == last)}"
                       for i, p in enumerate(trend.points))
    mid = (f" Minimal important difference {format_score(trend.mid)}."
           if trend.mid is not None else " No minimal important difference published.")
    better = "Lower" if trend.lower_is_better else "Higher"
    return (f"{trend.instrument_name} scores by date: {scores}. {better} scores are better. "
            f"Range {format_score(trend.score_range[0])} to {format_score(trend.score_range[1])}.{mid}")


def legend(trend: Trend) -> str:
    """The chart's key as plain text: which way is better, and what the shaded band means."""
    better = "\u2193 lower is better" if trend.lower_is_better else "\u2191 higher is better"
    same_day = (" \u00b7 \u00d7N: N results on one day shown as one point (this visit's, else the latest)"
                if any(p.same_day > 1 for p in trend.points) else "")
    if trend.mid is None:
        return f"{better} \u00b7 no minimal important difference published{same_day}"
    return f"{better} \u00b7 shaded: previous score \u00b1 MID ({format_score(trend.mid)}){same_day}"


# --------------------------------------------------------------------------- label placement

CHAR_WIDTH = 0.62
"""A generous width of one character, in ems, for the report font's figures and letters."""


def _box(x: float, y: float, text: str, size: float, anchor: str) -> tuple[float, float, float, float]:
    width = len(text) * size * CHAR_WIDTH
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return (left - 1, y - size, left + width + 1, y + 2)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(candidates, bounds, obstacles=()) -> list:
    """Greedy, in priority order: each label takes its first candidate position whose box stays
    inside ``bounds`` and overlaps no label placed before; a label with no free position is left
    out (its value stays in the chart's text alternative).  ``candidates`` holds
    ``(key, text, size, [(x, y, anchor), ...])``; returns ``(key, text, size, x, y, anchor)``."""
    placed, boxes = [], list(obstacles)
    for key, text, size, positions in candidates:
        for x, y, anchor in positions:
            box = _box(x, y, text, size, anchor)
            inside = box[0] >= bounds[0] and box[2] <= bounds[2] and box[1] >= bounds[1] and box[3] <= bounds[3]
            if inside and not any(_overlaps(box, other) for other in boxes):
                placed.append((key, text, size, x, y, anchor))
                boxes.append(box)
                break
    return placed


def trend_svg(trend: Trend) -> Markup:
    """An SVG line chart of ``trend``: scores by date, the MID as a band around the previous score."""
    lo, hi = trend.score_range
    if hi <= lo:
        raise ValueError(f"{trend.instrument_id}: empty score range {trend.score_range}")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    first, last = trend.points[0].date, trend.points[-1].date
    days = max((last - first).days, 1)

    def x_of(date) -> float:
        pad = 28
        return LEFT + pad + (plot_w - 2 * pad) * ((date - first).days / days)

    def y_of(score: float) -> float:
        clamped = min(max(score, lo), hi)
        return TOP + plot_h * (1 - (clamped - lo) / (hi - lo))

    title = describe(trend)
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" width="{WIDTH}" height="{HEIGHT + DATE_ROW}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + DATE_ROW}" role="img" aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
    ]

    # MID band around the previous score: a latest score outside it passes the MID.
    if trend.mid is not None:
        prev = trend.points[-2]
        top, bottom = y_of(prev.score + trend.mid), y_of(prev.score - trend.mid)
        parts.append(f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{bottom - top:.1f}" '
                     f'fill="{BAND}"/>')

    # Grid and y axis labels.
    step = _nice_step(hi - lo)
    tick = lo
    while tick <= hi + 1e-9:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(LEFT - 6, y + 3.5, format_score(tick), size=9, anchor="end"))
        tick += step
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
                 f'stroke="{MUTED}" stroke-width="1"/>')
    # The legend and the "lower is better" note are HTML beside the chart (see legend()):
    # WeasyPrint lays out SVG text one letter at a time, so the SVG keeps only short labels.

    # The line, the points, their values and dates.
    coords = [(x_of(p.date), y_of(p.score)) for p in trend.points]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords))
    parts.append(f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="2.2" '
                 f'stroke-linejoin="round" stroke-linecap="round"/>')
    judgement = trend.judgement
    for i, (x, y) in enumerate(coords):
        is_last = i == len(coords) - 1
        colour = LINE
        if is_last and judgement.passes:
            colour = GOOD if judgement.direction == "improved" else BAD
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4.5 if is_last else 3.5}" fill="{POINT_FILL}" '
                     f'stroke="{colour}" stroke-width="2.2"/>')
    # Values above (or below) their points and dates under the axis, never overlapping: the latest
    # visit first, then the first, then the others from the newest back.
    order = [len(coords) - 1, 0, *range(len(coords) - 2, 0, -1)] if len(coords) > 1 else [0]
    circles = [(x - 5, y - 5, x + 5, y + 5) for x, y in coords]
    values, dates = [], []
    for i in dict.fromkeys(order):
        point, (x, y) = trend.points[i], coords[i]
        text = format_score(point.score) + (f" \u00d7{point.same_day}" if point.same_day > 1 else "")
        values.append((("v", i), text, 10, [(x, y - 9, "middle"), (x, y + 17, "middle"),
                                            (x + 7, y + 4, "start"), (x - 7, y + 4, "end")]))
        dates.append((("d", i), format_date(point.date), 9,
                      [(x, TOP + plot_h + 15, "middle"), (x, TOP + plot_h + 26, "middle")]))
    for key, text, size, lx, ly, anchor in place_labels(values + dates, (0, 0, WIDTH, HEIGHT + DATE_ROW), circles):
        bold = key[0] == "v"
        parts.append(_text(lx, ly, text, size=size, anchor=anchor, fill=INK if bold else MUTED,
                           weight=600 if bold else 400))
    parts.append("</svg>")
    # Every interpolated value above was escaped or is a number we formatted.
    return Markup("".join(parts))  # noqa: S704


__all__ = ["describe", "legend", "place_labels", "trend_svg"]
