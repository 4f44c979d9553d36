"""Hold time: the longest pick-up of each day against that day's hold target."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

import numpy as np

from gentling.domain.engine import DayState
from gentling.domain.records import SessionRecord

from .figure import (
    BLUE,
    TEXT,
    count_axis,
    daily_bars,
    date_axis,
    day_edges,
    empty_chart,
    fit_axes,
    legend,
    new_axes,
    new_figure,
    stairs,
    to_svg,
)

TITLE = "Hold time per day (seconds) against target"


class HoldPoint(NamedTuple):
    day: date
    longest_hold: int | None  # seconds; None when nobody picked the animal up that day
    target: int | None  # the day's hold target in seconds; None at steps without holds


def hold_series(sessions: Iterable[SessionRecord], days: Iterable[DayState]) -> list[HoldPoint]:
    """One point per day of `days` (from `engine.timeline`).

    Only pick-ups (`SessionRecord.holds`) count: an extended hold lasts 20
    minutes or more and would flatten every other day of the chart.
    """
    longest: dict[date, int] = {}
    for s in sessions:
        if s.holds:
            longest[s.day] = max(longest.get(s.day, 0), max(s.holds))
    return [HoldPoint(d.day, longest.get(d.day), d.hold_target_seconds) for d in days]


def hold_chart(points: Sequence[HoldPoint]) -> str:
    if not any(p.longest_hold is not None or p.target is not None for p in points):
        return empty_chart(TITLE, "No pick-ups yet")
    days = [p.day for p in points]
    holds = np.array([np.nan if p.longest_hold is None else p.longest_hold for p in points], dtype=float)
    targets = np.array([np.nan if p.target is None else p.target for p in points], dtype=float)
    fig = new_figure()
    ax = new_axes(fig, TITLE)
    bars = daily_bars(ax, days, holds, color=BLUE, label="Longest hold", weekly="max")
    target = stairs(ax, targets, day_edges(days), color=TEXT, linewidth=2, label="Target", baseline=None)
    date_axis(ax, days)
    count_axis(ax)
    legend(ax, [bars, target])
    fit_axes(ax)
    return to_svg(fig, TITLE, _describe(points))


def _describe(points: Sequence[HoldPoint]) -> str:
    held = [p for p in points if p.longest_hold is not None]
    first, last = points[0].day.isoformat(), points[-1].day.isoformat()
    text = f"From {first} to {last}: picked up on {len(held)} of {len(points)} days."
    if held:
        best = max(held, key=lambda p: p.longest_hold)
        text += f" Longest hold {best.longest_hold} s on {best.day.isoformat()}."
    if points[-1].target is not None:
        text += f" Target on {last}: {points[-1].target} s."
    return text
