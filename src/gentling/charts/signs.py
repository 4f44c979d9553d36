"""Comfort and fear signs per day: comfort above the line, fear below it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

import numpy as np
from matplotlib.ticker import FuncFormatter

from gentling.domain.records import SessionRecord
from gentling.domain.vocab import COMFORT_SIGNS, FEAR_SIGNS

from .figure import (
    BLUE,
    TEXT,
    VERMILLION,
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

TITLE = "Comfort and fear signs per day"


class SignsDay(NamedTuple):
    day: date
    comfort: int
    fear: int


def signs_per_day(sessions: Iterable[SessionRecord], first_day: date, last_day: date) -> list[SignsDay]:
    """Signs seen each day from `first_day` to `last_day`, both included.

    A sign counts once per session it was recorded in, so two sessions with
    "took_treat" on one day count 2.
    """
    return signs_from_observations(((s.day, s.observations) for s in sessions), first_day, last_day)


def signs_from_observations(
    observed: Iterable[tuple[date, Iterable[str]]], first_day: date, last_day: date
) -> list[SignsDay]:
    """The same from each session's day and observations, without the rest of the session."""
    comfort = dict.fromkeys(days_between(first_day, last_day), 0)
    fear = dict(comfort)
    for day, observations in observed:
        if day in comfort:
            comfort[day] += len(COMFORT_SIGNS.intersection(observations))
            fear[day] += len(FEAR_SIGNS.intersection(observations))
    return [SignsDay(day, comfort[day], fear[day]) for day in comfort]


def signs_chart(days: Sequence[SignsDay]) -> str:
    comfort_total = sum(d.comfort for d in days)
    fear_total = sum(d.fear for d in days)
    if not comfort_total and not fear_total:
        return empty_chart(TITLE, "No comfort or fear signs recorded yet")
    dates = [d.day for d in days]
    fig = new_figure()
    ax = new_axes(fig, TITLE)
    comfort = np.array([d.comfort for d in days], dtype=float)
    fear = -np.array([d.fear for d in days], dtype=float)
    handles = [
        daily_bars(ax, dates, comfort, color=BLUE, label="Comfort signs"),
        daily_bars(ax, dates, fear, color=VERMILLION, label="Fear signs"),
    ]
    ax.axhline(0, color=TEXT, linewidth=0.8)
    date_axis(ax, dates)
    count_axis(ax)
    # Fear is drawn downwards, but a count is never negative.
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):g}"))
    legend(ax, handles)
    fit_axes(ax)
    description = (
        f"From {dates[0].isoformat()} to {dates[-1].isoformat()}: "
        f"{comfort_total} comfort signs and {fear_total} fear signs recorded."
    )
    last_fear = next((d for d in reversed(days) if d.fear), None)
    if last_fear:
        description += f" Last fear sign on {last_fear.day.isoformat()}."
    return to_svg(fig, TITLE, description)
