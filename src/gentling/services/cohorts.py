"""Cohorts: named groups of a household's animals (a litter, an intake batch, a study arm), and
how long they took to reach each step of their ladder.

For each step, an animal either reached it (the days from its arrival, domain/cohorts.py) or
is still on its way and is censored at the days it has had so far. The curves are Kaplan-Meier
estimates from lifelines: the share of animals that stood at the step by day N after arrival,
with those still on their way counted for as long as they were seen, never dropped. The median
is the day by which half of them got there (None while fewer than half have).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from lifelines import KaplanMeierFitter

from ..domain import vocab
from ..domain.cohorts import TimeToStep, outcome_steps, time_to_step
from ..domain.errors import InvalidInput, NotFound
from ..domain.validation import check_choice
from ..models import Animal, Cohort, Household
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
