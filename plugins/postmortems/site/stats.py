"""Small statistics and time helpers for the rollups: quantiles, periods, durations."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks.

    This is the "inclusive" method of :func:`statistics.quantiles` and numpy's default:
    the value at position ``(n - 1) * q`` of the sorted values, interpolated. The median
    of an even number of values is the mean of the two middle ones.
    """
    if not values:
        raise ValueError("quantile of no values")
    if not 0 <= q <= 1:
        raise ValueError(f"quantile {q} is not between 0 and 1")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def month_key(day: dt.date) -> str:
    """``2026-03`` for any day of March 2026."""
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: dt.date) -> str:
    """``2026-Q1`` for any day of January to March 2026."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def year_key(day: dt.date) -> str:
    return f"{day.year:04d}"


def month_index(key: str) -> int:
    """Months since year 0 for a ``YYYY-MM`` key: consecutive months differ by one."""
    year, month = key.split("-")
    return int(year) * 12 + int(month) - 1


def month_from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> Iterator[str]:
    """Every ``YYYY-MM`` key from ``first`` to ``last``, both included."""
    for index in range(month_index(first), month_index(last) + 1):
        yield month_from_index(index)


def format_duration(value: dt.timedelta | None) -> str:
    """A short human duration: ``45 min``, ``1 h 23 min``, ``5 d 2 h``; empty when unknown."""
    if value is None:
        return ""
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
