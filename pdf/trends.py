"""Is the latest change in a score bigger than the minimal important difference (MID)?

A pure function of plain values, used by :class:`pdf.context.Trend` and the trend charts.
A change "passes" the MID when its size is at least the MID (the usual reading of a MID as the
smallest change patients perceive as important).  Only the latest change is judged: the last
score against the one before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class _Point(Protocol):
    @property
    def date(self): ...

    @property
    def score(self) -> float: ...


@dataclass(frozen=True)
class MidJudgement:
    previous: float
    latest: float
    change: float                # latest - previous
    mid: float | None
    passes: bool | None          # None when no MID is known
    direction: str               # "improved" | "worsened" | "unchanged"
    sentence: str


def format_score(value: float) -> str:
    """``9.0`` -> ``"9"``, ``12.5`` -> ``"12.5"``; a minus sign for negatives."""
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return text.replace("-", "\u2212")


def judge_change(points: Sequence[_Point], mid: float | None, *, lower_is_better: bool = True,
                 mid_source: str | None = None) -> MidJudgement:
    """Judge the latest change of ``points`` (oldest first) against ``mid``.

    >>> from types import SimpleNamespace as P
    >>> judge_change([P(date=1, score=12), P(date=2, score=9)], 2.5).sentence.split(":")[0]
    'Improved by 3 points since the previous visit (12 → 9)'
    """
    if len(points) < 2:
        raise ValueError("judging a change needs at least two scores")
    if mid is not None and mid <= 0:
        raise ValueError("a minimal important difference must be positive")
    previous, latest = float(points[-2].score), float(points[-1].score)
    change = latest - previous
    if change == 0:
        direction = "unchanged"
    elif (change < 0) == lower_is_better:
        direction = "improved"
    else:
        direction = "worsened"
    size = abs(change)
    unit = "point" if size == 1 else "points"
    span = f"({format_score(previous)} \u2192 {format_score(latest)})"
    if direction == "unchanged":
        head = f"Unchanged since the previous visit {span}"
    else:
        head = f"{direction.capitalize()} by {format_score(size)} {unit} since the previous visit {span}"
    source = f" ({mid_source})" if mid_source else ""
    if mid is None:
        passes = None
        tail = "no minimal important difference is published for this score, so its importance is not judged."
    elif size >= mid:
        passes = True
        tail = (f"this reaches the minimal important difference of {format_score(mid)}{source}, "
                f"so it is likely to be a change the patient notices.")
    else:
        passes = False
        tail = (f"this is within the minimal important difference of {format_score(mid)}{source}, "
                f"so it may not be a meaningful change.")
    return MidJudgement(previous, latest, change, mid, passes, direction, f"{head}: {tail}")


__all__ = ["MidJudgement", "format_score", "judge_change"]
