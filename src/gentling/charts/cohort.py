"""A cohort's outcome curve for one step: the share of animals that stood at it by day N after
arrival (Kaplan-Meier, services/cohorts.py), one line per cohort or group compared."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .figure import BLUE, TEXT, VERMILLION, empty_chart, fit_axes, legend, new_axes, new_figure, to_svg

# Okabe-Ito, colour-blind safe; a line is told apart by its dash too.
COLOURS = (BLUE, VERMILLION, "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("-", "--", "-.", ":")


def _group_lines(ax, drawn, draw, **marker) -> list[Line2D]:
    """One line per group, told apart by colour and dash; `draw(ax, xs, ys, style)` draws it.
    Returns the legend's handles."""
    handles = []
    for n, (name, points) in enumerate(drawn):
        style = {"color": COLOURS[n % len(COLOURS)], "linestyle": DASHES[n % len(DASHES)], "linewidth": 2}
        draw(ax, [x for x, _ in points], [y for _, y in points], style)
        handles.append(Line2D([], [], label=name, **marker, **style))
    return handles


def outcome_chart(step_title: str, lines: Sequence[tuple[str, Sequence[tuple[float, float]]]]) -> str:
    """`lines`: (group name, its curve as (days, share reached)) for each group."""
    title = f"Reached '{step_title}' by day after arrival"
    drawn = [(name, curve) for name, curve in lines if curve]
    if not drawn:
        return empty_chart(title, "No animals in these cohorts yet")
    fig = new_figure(height=300)
    ax = new_axes(fig, title)
    handles = _group_lines(ax, drawn, lambda ax, xs, ys, style: ax.step(xs, ys, where="post", **style))
    ax.set_ylim(-0.02, 1.02)  # a line at 0% stays in sight above the axis
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:.0%}"))
    ax.set_xlabel("Days after arrival", color=TEXT)
    legend(ax, handles)
    fit_axes(ax)
    description = "; ".join(f"{name}: {curve[-1][1]:.0%} by day {curve[-1][0]:.0f}" for name, curve in drawn)
    return to_svg(fig, title, f"Share of animals at '{step_title}' or beyond. {description}.")


def measure_chart(label: str, lines: Sequence[tuple[str, Sequence[tuple[int, float]]]]) -> str:
    """`lines`: (group name, its mean at the 1st, 2nd, ... session that took the measure)."""
    title = f"{label}, session by session"
    drawn = [(name, points) for name, points in lines if points]
    if not drawn:
        return empty_chart(title, "No session has taken this measure yet")
    fig = new_figure(height=300)
    ax = new_axes(fig, title)
    handles = _group_lines(ax, drawn, lambda ax, xs, ys, style: ax.plot(xs, ys, marker="o", **style), marker="o")
    ax.set_xlabel("Session that took it (1st, 2nd, ...)", color=TEXT)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(bottom=0)
    legend(ax, handles)
    fit_axes(ax)
    description = "; ".join(f"{name}: {points[-1][1]:g} at session {points[-1][0]}" for name, points in drawn)
    return to_svg(fig, title, f"Mean of {label} over each group's animals. {description}.")
