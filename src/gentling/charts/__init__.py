"""Progress charts as SVG text, drawn on the server with matplotlib (no pyplot, no Django).

Each chart has a pure data function (plain values in, plain rows out) and a
render function that turns those rows into accessible, deterministic SVG for
the web page and the printed report.
"""

from .holds import hold_chart, hold_series
from .sessions_per_day import per_day, sessions_chart, sessions_per_day
from .signs import signs_chart, signs_from_observations, signs_per_day
from .steps import steps_chart, time_at_steps

__all__ = [
    "hold_chart",
    "hold_series",
    "per_day",
    "sessions_chart",
    "sessions_per_day",
    "signs_chart",
    "signs_from_observations",
    "signs_per_day",
    "steps_chart",
    "time_at_steps",
]
