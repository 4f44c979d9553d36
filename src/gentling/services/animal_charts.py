"""The four charts of an animal's page, as SVG (matplotlib, drawn on the server so they print).
Each reads only what it draws: years of sessions make whole records the slow part.

Drawing is most of the page's time, and a chart changes only when the animal's records or facts
do, or the day does. So each chart is kept in Django's cache under the animal's records revision
(ProgressSnapshot: every session logged, edited or deleted, every health check, every change of
its facts or protocol moves it on, in the same transaction) and the day. The revision is read
before the chart is drawn, so a chart is never kept under a revision older than its data: a
write that lands meanwhile moves the revision on, and the next view draws afresh."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.db.models import Count, F

from .. import charts
from ..domain import engine
from ..models import Animal, Household
from ..prepared import Prepared
from .households import animal_by_id
from .progress import facts, progress_of, protocol_for, records, records_revision, revision_text

CHARTS = {
    "holds": "Hold time per day against target",
    "sessions": "Sessions per day",
    "signs": "Comfort and fear signs",
    "steps": "Time at each step",
}


CHART_FORMAT = 1  # raise it when a chart's drawing changes: charts kept by an older release are not used
KEEP_SECONDS = 2 * 24 * 3600  # a chart is for a day; a shared cache drops it after two


def chart_version(animal: Animal, today: date, *, revision: str | None = None) -> str:
    """What the animal's charts show today: it changes whenever they would (a browser may keep a
    chart fetched with the same version for as long as it likes). `revision`: the animal's
    records_revision, if already read."""
    return f"{CHART_FORMAT}.{revision or records_revision(animal)}.{today.isoformat()}"


# A chart's request reads the animal and where its records stand in one statement: with the chart
# in the cache, that is all it reads (gentling/prepared.py).
_ANIMAL_AND_REVISION = Prepared(
    lambda household_id, public_id: Animal.objects.filter(household_id=household_id, public_id=public_id).annotate(
        snapshot_pk=F("snapshot__pk"), snapshot_revision=F("snapshot__revision")
    ),
    (1, "a"),
    (2, "b"),
)


def chart_of(keeper, household: Household, public_id: str, name: str, today: date) -> tuple[str, bool, str]:
    """The chart `name` of the keeper's animal `public_id`, as cached_chart_svg gives it (NotFound, or
    NotAllowed, as households.animal_by_id)."""
    animal = animal_by_id(keeper, household, public_id, read=_ANIMAL_AND_REVISION)
    snapshot, count = animal.snapshot_pk, animal.snapshot_revision  # type: ignore[attr-defined]  # annotated
    revision = None if snapshot is None else revision_text(snapshot, count)
    return cached_chart_svg(animal, name, today, revision=revision)


def cached_chart_svg(animal: Animal, name: str, today: date, *, revision: str | None = None) -> tuple[str, bool, str]:
    """The chart `name` of `animal` up to `today`, whether it came from the cache, and its version."""
    version = chart_version(animal, today, revision=revision)
    key = f"chart:{animal.public_id}:{version}:{name}"
    svg = cache.get(key)
    if svg is not None:
        return svg, True, version
    svg = chart_svg(animal, name, today)
    cache.set(key, svg, KEEP_SECONDS)
    return svg, False, version


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
