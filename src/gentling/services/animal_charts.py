"""The four charts of an animal's page, as SVG (matplotlib, drawn on the server so they print).
Each reads only what it draws: years of sessions make whole records the slow part."""

from __future__ import annotations

from datetime import date

from django.db.models import Count

from .. import charts
from ..domain import engine
from ..models import Animal
from .progress import facts, progress_of, protocol_for, records

CHARTS = {
    "holds": "Hold time per day against target",
    "sessions": "Sessions per day",
    "signs": "Comfort and fear signs",
    "steps": "Time at each step",
}


def chart_svg(animal: Animal, name: str, today: date) -> str:
    """The chart `name` (one of CHARTS) of `animal` from its arrival to `today`."""
    first = animal.arrival_date
    sessions = animal.sessions.filter(day__range=(first, today)).order_by()
    if name == "holds":  # the day's targets need the engine's replay of every record
        recs = records(animal, today)
        days = engine.timeline(protocol_for(animal), facts(animal), recs, today)
        return charts.hold_chart(charts.hold_series(recs, days))
    if name == "sessions":  # health checks tell the engine about health, but are not sessions
        counts = dict(sessions.values_list("day").annotate(Count("pk")))
        return charts.sessions_chart(charts.per_day(counts, first, today))
    if name == "signs":
        observed = sessions.values_list("day", "observations").iterator()
        return charts.signs_chart(charts.signs_from_observations(observed, first, today))
    history = progress_of(animal, today).history
    return charts.steps_chart(charts.time_at_steps(protocol_for(animal), history, today))
