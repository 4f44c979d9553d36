"""Days at each step of the ladder, every stay added up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from gentling.domain.engine import StepChange
from gentling.domain.protocol import Protocol

from .figure import BLUE, FONT_SIZE, TEXT, empty_chart, fit_axes, new_axes, new_figure, text_widths, to_svg

TITLE = "Days at each step"
LABEL_PAD = 4  # points between a bar and its label


class StepTime(NamedTuple):
    step_id: str
    step_title: str
    days: int


def time_at_steps(protocol: Protocol, history: Iterable[StepChange], as_of: date) -> list[StepTime]:
    """Every step of the ladder, in order, with the days spent at it up to `as_of`.

    A stay runs from the day the animal entered the step to the day it left,
    or to `as_of` for the step it is at; so, as in the engine, the day of
    arrival at a step is day 0 there. An animal that moved back and returned
    has its stays added up. Changes after `as_of`, and steps the protocol no
    longer has, are left out.
    """
    changes = sorted((c for c in history if c.day <= as_of), key=lambda c: c.day)
    days = {step.id: 0 for step in protocol.steps}
    for change, following in zip(changes, changes[1:] + [None], strict=False):
        left_on = following.day if following else as_of
        if change.to_step in days:
            days[change.to_step] += (left_on - change.day).days
    return [StepTime(step.id, step.title, days[step.id]) for step in protocol.steps]


def steps_chart(times: Sequence[StepTime]) -> str:
    total = sum(t.days for t in times)
    if not total:
        return empty_chart(TITLE, "No days on the ladder yet")
    row = 26
    fig = new_figure(height=70 + row * len(times))
    ax = new_axes(fig, TITLE)
    positions = range(len(times))
    bars = ax.barh(positions, [t.days for t in times], height=0.7, color=BLUE)
    labels = ax.bar_label(
        bars, labels=[_days_label(t.days) for t in times], padding=LABEL_PAD, fontsize=FONT_SIZE, color=TEXT
    )
    ax.set_yticks(positions, [t.step_title for t in times])
    ax.invert_yaxis()  # the ladder reads from the top
    ax.tick_params(axis="y", length=0)
    ax.grid(False, axis="y")
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    for label in labels:
        label.set_in_layout(False)  # they move with the x limits, set below to keep them inside the axes
    fit_axes(ax)
    ax.set_xlim(0, _room_for_labels(ax.bbox.width, [t.days for t in times], text_widths(labels)))
    description = f"{total} days in all: " + "; ".join(f"{t.step_title}: {_days_label(t.days)}" for t in times) + "."
    return to_svg(fig, TITLE, description)


def _room_for_labels(width: float, days: Sequence[int], label_widths: Sequence[float]) -> float:
    """The x limit that leaves room after each bar for its label, and at least 15% after the longest bar."""
    return max(
        max(days) * 1.15, *(d * width / (width - LABEL_PAD - w) for d, w in zip(days, label_widths, strict=False))
    )


def _days_label(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"
