"""Small display formatters shared by the templates and the charts (plain strings out)."""

from __future__ import annotations

import datetime as dt

from .trends import format_score

__all__ = ["age_on", "format_date", "format_datetime", "format_range", "format_score"]


def format_date(value: dt.date | None) -> str:
    """``2026-03-17`` -> ``"17 Mar 2026"``; ``None`` -> ``"not recorded"``."""
    if value is None:
        return "not recorded"
    return f"{value.day} {value:%b %Y}"


def format_datetime(value: dt.datetime | None) -> str:
    """``17 Mar 2026, 14:05 UTC`` (the value's own time zone name, if any)."""
    if value is None:
        return "not recorded"
    zone = value.tzname() or ""
    return f"{format_date(value.date())}, {value:%H:%M}" + (f" {zone}" if zone else "")


def format_range(bounds: tuple[float, float]) -> str:
    return f"{format_score(bounds[0])}\u2013{format_score(bounds[1])}"


def age_on(born: dt.date | None, on: dt.date) -> int | None:
    """Age in whole years on a date."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
