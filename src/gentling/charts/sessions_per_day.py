"""Sessions per day: how often the keeper sat with the animal, zero days included."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import NamedTuple

import numpy as np

from gentling.domain.records import SessionRecord

from .figure import (
    BLUE,
    count_axis,
    daily_bars,
    date_axis,
    days_between,
    empty_chart,
    fit_axes,
    legend,
    new_axes,
    new_figure,
    to_svg,
)

TITLE = "Sessions per day"


class DayCount(NamedTuple):
    day: date
    count: int


def sessions_per_day(sessions: Iterable[SessionRecord], first_day: date, last_day: date) -> list[DayCount]:
    """One count per day from `first_day` to `last_day`, both included; sessions outside are left out."""
    return per_day(Counter(s.day for s in sessions), first_day, last_day)


def per_day(counts: Mapping[date, int], first_day: date, last_day: date) -> list[DayCount]:
    """The same from sessions counted by day (a day missing from `counts` had none)."""
    return [DayCount(day, counts.get(day, 0)) for day in days_between(first_day, last_day)]


def sessions_chart(counts: Sequence[DayCount]) -> str:
    total = sum(c.count for c in counts)
    if not total:
        return empty_chart(TITLE, "No sessions yet")
    days = [c.day for c in counts]
    fig = new_figure()
    ax = new_axes(fig, TITLE)
    bars = daily_bars(ax, days, np.array([c.count for c in counts], dtype=float), color=BLUE, label="Sessions")
    date_axis(ax, days)
    count_axis(ax)
    legend(ax, [bars])
    fit_axes(ax)
    active = sum(1 for c in counts if c.count)
    description = (
        f"From {days[0].isoformat()} to {days[-1].isoformat()}: {total} sessions "
        f"on {active} of {len(counts)} days, at most {max(c.count for c in counts)} in a day."
    )
    return to_svg(fig, TITLE, description)
