"""Cohorts: named groups of a household's animals (a litter, an intake batch, a study arm), and
how long they took to reach each step of their ladder.

For each step, an animal either reached it (the days from its arrival, domain/cohorts.py) or
is still on its way and is censored at the days it has had so far. The curves are Kaplan-Meier
estimates from lifelines: the share of animals that stood at the step by day N after arrival,
with those still on their way counted for as long as they were seen, never dropped. The median
is the day by which half of them got there (None while fewer than half have).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import pandas
from django.db import IntegrityError, transaction
from lifelines import KaplanMeierFitter

from ..domain import vocab
from ..domain.cohorts import TimeToStep, outcome_steps, time_to_step
from ..domain.errors import InvalidInput, NotFound
from ..domain.validation import check_choice
from ..models import Animal, Cohort, Household, Session
from .households import animal_for, check_member
from .progress import protocol_for, standings

NAME_MAX = 200
CUTS = {"source": "Where they came from", "sex": "Sex", "species": "Species", "protocol": "Protocol"}


# --- the groups ----------------------------------------------------------------------------------


def cohorts_of(household: Household) -> list[Cohort]:
    return list(Cohort.objects.filter(household=household).prefetch_related("animals"))


def cohort_by_id(keeper, household: Household, public_id: str) -> Cohort:
    check_member(keeper, household)
    cohort = Cohort.objects.filter(household=household, public_id=public_id).first()
    if cohort is None:
        raise NotFound(f"No cohort '{public_id[:20]}' in {household.name}.")
    return cohort


def members_of(cohort: Cohort) -> list[Animal]:
    return list(cohort.animals.order_by("name"))


@transaction.atomic
def create_cohort(*, keeper, household: Household, name: str, animals: Iterable[str]) -> Cohort:
    """A new cohort of the household's animals (by id or name)."""
    check_member(keeper, household, write=True)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name", "Name the cohort, e.g. 'Spring intake' or 'Tickled rats'.")
    if len(name) > NAME_MAX:
        raise InvalidInput("name", f"A cohort's name is {len(name)} characters long; the limit is {NAME_MAX}.")
    members = [animal_for(keeper, household, ref) for ref in animals]
    try:
        with transaction.atomic():
            cohort = Cohort.objects.create(household=household, name=name)
    except IntegrityError:
        raise InvalidInput("name", f"There is a cohort called '{name}' already: choose another name.") from None
    cohort.animals.set(members)
    return cohort


# --- the outcomes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepOutcome:
    step_id: str
    title: str
    animals: int
    reached: int
    median_days: float | None  # None: fewer than half have reached it yet
    curve: list[tuple[float, float]]  # (days after arrival, share reached by then), a step function


@dataclass(frozen=True)
class GroupOutcome:
    name: str
    animals: int
    steps: list[StepOutcome]


def outcomes(cohorts: list[Cohort], today: date, *, by: str | None = None) -> list[GroupOutcome]:
    """Each cohort's days to each step; with `by`, each cohort cut into groups by that fact."""
    if by:
        check_choice(by, CUTS, "by", "way to cut a cohort")
    groups: list[tuple[str, list[Animal]]] = []
    for cohort in cohorts:
        members = list(cohort.animals.all())
        if not by:
            groups.append((cohort.name, members))
            continue
        cut: dict[str, list[Animal]] = {}
        for animal in members:
            cut.setdefault(_label(animal, by), []).append(animal)
        groups += [(f"{cohort.name} · {label}", animals) for label, animals in sorted(cut.items())]
    return [GroupOutcome(name, len(animals), _steps(animals, today)) for name, animals in groups]


def _label(animal: Animal, by: str) -> str:
    if by == "source":
        return vocab.SOURCES.get(animal.source, animal.source)
    if by == "sex":
        return vocab.SEXES.get(animal.sex, animal.sex)
    if by == "species":
        return vocab.SPECIES.get(animal.species, animal.species)
    return protocol_for(animal).title


def _times(animals: list[Animal], today: date) -> Iterator[tuple[Animal, str, str, str, TimeToStep]]:
    """(animal, protocol id, step id, step title, days to it) for every outcome step of each
    animal's ladder; their progress read together, in a constant number of queries."""
    standing = standings(animals, today)
    for animal in animals:
        protocol = protocol_for(animal)
        history = standing[animal.pk].progress.history
        for step_id, title in outcome_steps(protocol):
            t = time_to_step(protocol, animal.arrival_date, history, today, step_id)
            yield animal, protocol.id, step_id, title, t


def _steps(animals: list[Animal], today: date) -> list[StepOutcome]:
    """Every outcome step of the animals' protocols, in ladder order, the first protocol's first."""
    seen: dict[str, str] = {}
    times: dict[str, list[TimeToStep]] = {}
    for _, _, step_id, title, t in _times(animals, today):
        seen.setdefault(step_id, title)
        times.setdefault(step_id, []).append(t)
    return [_fit(step_id, title, times[step_id]) for step_id, title in seen.items()]


def _fit(step_id: str, title: str, times: list[TimeToStep]) -> StepOutcome:
    km = KaplanMeierFitter().fit([t.days for t in times], [t.reached for t in times])
    survival = km.survival_function_["KM_estimate"]
    curve = [(float(day), round(1 - float(left), 4)) for day, left in survival.items()]
    median = float(km.median_survival_time_)
    return StepOutcome(
        step_id,
        title,
        len(times),
        sum(t.reached for t in times),
        None if math.isinf(median) else median,
        curve,
    )


def outcome_svg(groups: list[GroupOutcome], step_id: str) -> str:
    """The curve of `step_id` for each group, as one chart."""
    from ..charts.cohort import outcome_chart

    lines, title = [], step_id
    for group in groups:
        for step in group.steps:
            if step.step_id == step_id:
                lines.append((group.name, step.curve))
                title = step.title
    return outcome_chart(title, lines)


def cohorts_by_ids(household: Household, public_ids: Iterable[str]) -> list[Cohort]:
    wanted = list(public_ids)
    found = {c.public_id: c for c in Cohort.objects.filter(household=household, public_id__in=wanted)}
    return [found[i] for i in wanted if i in found]


def table(groups: list[GroupOutcome]) -> list[tuple[StepOutcome, list[StepOutcome | None]]]:
    """One row per step of the first group, with each group's outcome there (None: not on its ladder)."""
    if not groups:
        return []
    return [
        (step, [next((o for o in g.steps if o.step_id == step.step_id), None) for g in groups])
        for step in groups[0].steps
    ]


SHOWN_FIRST = "first-pickups"  # the step keepers ask about most: when can I pick them up?


def step_shown(groups: list[GroupOutcome], asked: str | None) -> str:
    """The step whose curve a cohort's page shows: the one asked for, else pick-ups, else the last."""
    ids = [s.step_id for s in groups[0].steps] if groups else []
    if asked in ids:
        return asked or ""
    return SHOWN_FIRST if SHOWN_FIRST in ids else (ids[-1] if ids else "")


# --- the study export ----------------------------------------------------------------------------

# One row per cohort, animal and step (tidy, long): in R `survfit(Surv(days, reached) ~ cohort)`,
# in Python lifelines' `fit(days, reached)`, with no cleaning. `days` is the days from arrival
# until the step was reached, or until the export's day when it has not been (reached false:
# censored). Dates are YYYY-MM-DD; `reached` is true or false.
STUDY_COLUMNS = (
    "cohort",
    "animal_id",
    "animal_name",
    "species",
    "sex",
    "source",
    "protocol",
    "arrival_date",
    "step",
    "step_title",
    "days",
    "reached",
)


def study_rows(cohorts: list[Cohort], today: date) -> Iterable[tuple[object, ...]]:
    """The header, then each cohort's animals' days to each step of their ladder."""
    yield STUDY_COLUMNS
    for cohort in cohorts:
        for animal, protocol_id, step_id, title, t in _times(members_of(cohort), today):
            yield (
                cohort.name,
                animal.public_id,
                animal.name,
                animal.species,
                animal.sex,
                animal.source,
                protocol_id,
                animal.arrival_date.isoformat(),
                step_id,
                title,
                t.days,
                "true" if t.reached else "false",
            )


# --- measures over sessions ----------------------------------------------------------------------

# One row per cohort, animal and session (tidy, wide in the measures): a measure's column is empty
# where that session did not take it. `session_number` counts the animal's sessions under the
# protocol, from 1; `days_since_arrival` is the session's day less the arrival.
SESSION_STUDY_COLUMNS = (
    "cohort",
    "animal_id",
    "animal_name",
    "species",
    "sex",
    "source",
    "protocol",
    "protocol_version",
    "session_id",
    "session_number",
    "day",
    "days_since_arrival",
    "duration_seconds",
)


@dataclass(frozen=True)
class MeasuredSession:
    cohort: str
    animal: Animal
    session_id: str
    number: int
    day: date
    protocol: str
    protocol_version: int
    duration_seconds: int
    measures: dict[str, float]


def measured_sessions(cohorts: list[Cohort]) -> list[MeasuredSession]:
    """Every session of the cohorts' animals, in order, numbered per animal (one query per cohort)."""
    found = []
    for cohort in cohorts:
        members = {a.pk: a for a in members_of(cohort)}
        counts: dict[int, int] = {}
        rows = (
            Session.objects.filter(animal__in=list(members))
            .order_by("animal_id", "started_at", "public_id")
            .values_list(
                "animal_id", "public_id", "day", "started_at", "ended_at", "measures", "protocol", "protocol_version"
            )
        )
        for animal_id, sid, day, start, end, measures, protocol, version in rows:
            counts[animal_id] = counts.get(animal_id, 0) + 1
            found.append(
                MeasuredSession(
                    cohort.name,
                    members[animal_id],
                    sid,
                    counts[animal_id],
                    day,
                    protocol or "ladder",
                    version,
                    int((end - start).total_seconds()),
                    measures or {},
                )
            )
    return found


def measure_names(sessions: list[MeasuredSession]) -> list[str]:
    """The measures any of the sessions took, by name."""
    return sorted({name for s in sessions for name in s.measures})


def session_study_rows(cohorts: list[Cohort]) -> Iterator[tuple[object, ...]]:
    """The header, then one row per cohort, animal and session, with a column per measure."""
    sessions = measured_sessions(cohorts)
    names = measure_names(sessions)
    yield (*SESSION_STUDY_COLUMNS, *names)
    for s in sessions:
        a = s.animal
        yield (
            s.cohort,
            a.public_id,
            a.name,
            a.species,
            a.sex,
            a.source,
            s.protocol,
            s.protocol_version,
            s.session_id,
            s.number,
            s.day.isoformat(),
            (s.day - a.arrival_date).days,
            s.duration_seconds,
            *(s.measures.get(n, "") for n in names),
        )


def study_frame(cohorts: list[Cohort]) -> pandas.DataFrame:
    """The per-session study data as a pandas table with proper types (for Parquet)."""
    rows = session_study_rows(cohorts)
    header = next(rows)
    frame = pandas.DataFrame(list(rows), columns=list(header))
    frame["day"] = pandas.to_datetime(frame["day"])
    for name in header[len(SESSION_STUDY_COLUMNS) :]:
        frame[name] = pandas.to_numeric(frame[name].replace("", None), errors="coerce")
    return frame


class ParquetUnavailable(RuntimeError):
    """Parquet needs pyarrow, an optional extra."""


def study_parquet(cohorts: list[Cohort]) -> bytes:
    """The per-session study data as a Parquet file (pyarrow, the `study` extra)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ParquetUnavailable(
            "Parquet needs pyarrow, which this installation does not have: pip install 'gentling[study]'. "
            "The CSV download has the same data."
        ) from None
    buffer = io.BytesIO()
    study_frame(cohorts).to_parquet(buffer, index=False)
    return buffer.getvalue()


@dataclass(frozen=True)
class MeasureLine:
    """A measure's mean over a group's animals at each of their sessions that took it."""

    group: str
    points: list[tuple[int, float, int]]  # (n-th session that took it, mean, animals)


@dataclass(frozen=True)
class MeasuresShown:
    """The measures part of a cohort's page: the measures the sessions took, the one shown, its lines."""

    labels: dict[str, str]  # name -> label with unit, for every measure a session took
    name: str  # the one shown ("" when no session took any)
    lines: list[MeasureLine]

    @property
    def label(self) -> str:
        return self.labels.get(self.name, self.name[:64])

    @property
    def rows(self) -> list[tuple[int, list[tuple[float, int] | None]]]:
        """The table: for each n-th session, each line's (mean, animals) there, or None."""
        by_line = [{n: (mean, count) for n, mean, count in line.points} for line in self.lines]
        every_n = sorted({n for points in by_line for n in points})
        return [(n, [points.get(n) for points in by_line]) for n in every_n]


def measures_shown(cohorts: list[Cohort], asked: str | None) -> MeasuresShown:
    """The measure `asked` for (else the first one taken) over the cohorts' sessions, read once."""
    sessions = measured_sessions(cohorts)
    taken = set(measure_names(sessions))
    labels: dict[str, str] = {}
    for animal in {s.animal.pk: s.animal for s in sessions}.values():
        for m in protocol_for(animal).measures:
            if m.name in taken:
                labels.setdefault(m.name, f"{m.label} ({m.unit})" if m.unit else m.label)
    name = asked if asked in labels else next(iter(labels), "")
    return MeasuresShown(labels, name or "", _measure_lines(cohorts, sessions, name) if name else [])


def _measure_lines(cohorts: list[Cohort], sessions: list[MeasuredSession], name: str) -> list[MeasureLine]:
    """For each cohort, the mean of measure `name` at the 1st, 2nd, ... session that took it
    (e.g. 50-kHz calls across the tickling days), with how many animals each mean is over."""
    taken = [s for s in sessions if name in s.measures]
    if not taken:
        return []
    frame = pandas.DataFrame(
        [(s.cohort, s.animal.pk, s.number, float(s.measures[name])) for s in taken],
        columns=["cohort", "animal", "session", "value"],
    )
    frame["nth"] = frame.groupby(["cohort", "animal"])["session"].rank(method="first").astype(int)
    means = frame.groupby(["cohort", "nth"])["value"].agg(["mean", "count"]).reset_index()
    return [
        MeasureLine(
            cohort.name,
            [(int(r.nth), float(r.mean), int(r.count)) for r in means[means.cohort == cohort.name].itertuples()],
        )
        for cohort in cohorts
        if (means.cohort == cohort.name).any()
    ]


def measure_svg(shown: MeasuresShown) -> str:
    from ..charts.cohort import measure_chart

    return measure_chart(shown.label, [(line.group, [(n, mean) for n, mean, _ in line.points]) for line in shown.lines])
