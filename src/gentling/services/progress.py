"""Reads that ask the engine: progress, plans, and the progress cache.

The stored `ProgressSnapshot` is only a cache of the engine's answer. It is
refreshed after every write that can change it, and `verify_snapshots`
recomputes every animal from its sessions to prove the cache matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..domain import engine
from ..domain.plan import AnimalPlan, plan_for_day
from ..domain.protocol import Protocol, shipped_protocol
from ..domain.records import AnimalFacts, SessionRecord
from ..models import Animal, HealthCheck, Household, ProgressSnapshot, Session


def protocol_for(animal: Animal) -> Protocol:
    return shipped_protocol(animal.species)


def facts(animal: Animal) -> AnimalFacts:
    return AnimalFacts(animal.species, animal.source, animal.arrival_date, animal.extended_hold_opt_in)


def record(s: Session) -> SessionRecord:
    return SessionRecord(
        id=s.public_id,
        day=s.day,
        at=s.started_at,
        duration_seconds=s.duration_seconds,
        activities=frozenset(s.activities),
        holds=tuple(s.holds),
        observations=frozenset(s.observations),
        extended_hold_seconds=s.extended_hold_seconds,
        extended_hold_end=s.extended_hold_end or None,
    )


def health_record(c: HealthCheck) -> SessionRecord:
    return SessionRecord(id=f"health-{c.pk}", day=c.day, at=c.created_at, duration_seconds=0,
                         observations=frozenset(c.signs), kind="health_check")


def records(animal: Animal, until: date | None = None) -> list[SessionRecord]:
    """The animal's sessions and health checks, as the engine reads them."""
    return records_of([animal], until)[animal.pk]


def records_of(animals: list[Animal], until: date | None = None) -> dict[int, list[SessionRecord]]:
    """Sessions and health checks of several animals in two queries, by animal pk."""
    sessions = Session.objects.filter(animal__in=animals)
    checks = HealthCheck.objects.filter(animal__in=animals)
    if until is not None:
        sessions, checks = sessions.filter(day__lte=until), checks.filter(day__lte=until)
    found: dict[int, list[SessionRecord]] = {a.pk: [] for a in animals}
    for s in sessions:
        found[s.animal_id].append(record(s))
    for c in checks:
        found[c.animal_id].append(health_record(c))
    return {pk: sorted(recs, key=lambda r: r.order) for pk, recs in found.items()}


def local_today(household: Household, now: datetime | None = None) -> date:
    return local_time(household, now or timezone.now()).date()


def local_time(household: Household, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(household.time_zone))


def progress_of(animal: Animal, day: date) -> engine.Progress:
    return engine.progress(protocol_for(animal), facts(animal), records(animal, day), day)


def refresh_snapshot(animal: Animal, day: date) -> engine.Progress:
    result = progress_of(animal, day)
    ProgressSnapshot.objects.update_or_create(
        animal=animal, defaults={"as_of": day, "step_id": result.step_id, "data": result.to_dict()}
    )
    return result


def current_step_ids(animals: list[Animal], day: date) -> dict[int, str]:
    """Each animal's step on `day`, from the cache where it is fresh, else recomputed (and cached)."""
    fresh = {
        s.animal_id: s.step_id
        for s in ProgressSnapshot.objects.filter(animal__in=animals, as_of=day)
    }
    for animal in animals:
        if animal.pk not in fresh:
            fresh[animal.pk] = refresh_snapshot(animal, day).step_id
    return fresh


@dataclass(frozen=True)
class Mismatch:
    animal: Animal
    cached_step: str
    computed_step: str


def verify_snapshots() -> tuple[int, list[Mismatch]]:
    """Recompute every cached progress from its sessions; list the ones that differ."""
    checked, bad = 0, []
    for snap in ProgressSnapshot.objects.select_related("animal"):
        checked += 1
        computed = progress_of(snap.animal, snap.as_of).to_dict()
        if computed != snap.data:
            bad.append(Mismatch(snap.animal, snap.step_id, computed["step_id"]))
    return checked, bad


@dataclass(frozen=True)
class AnimalToday:
    animal: Animal
    progress: engine.Progress
    plan: AnimalPlan


def plan_for_household(household: Household, day: date) -> list[AnimalToday]:
    """Today's plan for every active animal that had arrived by `day`, by cage then name."""
    animals = (
        Animal.objects.filter(household=household, status="active", arrival_date__lte=day)
        .select_related("cage")
        .order_by("cage__name", "name", "id")
    )
    animals = list(animals)
    by_animal = records_of(animals, day)
    result = []
    for animal in animals:
        recs = by_animal[animal.pk]
        prog = engine.progress(protocol_for(animal), facts(animal), recs, day)
        todays = [r for r in recs if r.day == day]
        result.append(AnimalToday(animal, prog, plan_for_day(protocol_for(animal), prog, todays)))
    return result
