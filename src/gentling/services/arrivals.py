"""New arrivals: quarantine, health checks, introductions and guarded cage moves.

The rules are in domain.arrivals; this module stores and fetches. A move that
the guardrail refuses raises HousingRefused with every reason; an owner can
override with a written reason, which is recorded on the cage stay.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from django.db import transaction
from django.db.models import Prefetch

from ..domain import vocab
from ..domain.arrivals import (
    AirSpace,
    HousingProblem,
    IntroductionProgress,
    Meeting,
    QuarantineStatus,
    Resident,
    arrivals_protocol,
    danger_signs,
    housing_problems,
    introduction_progress,
    quarantine_status,
)
from ..domain.errors import GentlingError, InvalidInput, NotAllowed, NotFound
from ..domain.guardrails import Alert
from ..domain.validation import check_choice, check_name, check_names, check_notes
from ..models import (
    Animal,
    Cage,
    CageStay,
    HealthCheck,
    Household,
    Introduction,
    IntroductionMeeting,
    Quarantine,
    Session,
)
from .households import check_member, is_owner
from .progress import local_time, local_today, records_changed

AIR_SPACES = dict(Quarantine.AIR_SPACES)


class HousingRefused(GentlingError):
    def __init__(self, problems: list[HousingProblem]):
        self.problems = problems
        super().__init__(
            " ".join(p.message for p in problems) + " An owner can override with a written reason.", "cage"
        )


# --- quarantine ----------------------------------------------------------------


def needs_quarantine(household: Household, species: str, source: str, arrival_date: date) -> bool:
    """A newcomer joining a household that already keeps its species starts in quarantine.
    Animals that arrived together (same day, same source) are one group, not residents."""
    if source == "born_at_home":
        return False
    others = Animal.objects.active().filter(household=household, species=species)
    return others.exclude(arrival_date=arrival_date, source=source).exists()


def follow_arrival_date(animal: Animal, old_arrival: date) -> None:
    """A corrected arrival date moves a quarantine that started on the old one."""
    Quarantine.objects.filter(animal=animal, started_on=old_arrival).update(started_on=animal.arrival_date)


def start_quarantine(*, animal: Animal, air_space: str, started_on: date) -> Quarantine:
    air = check_choice(air_space, AIR_SPACES, "air_space", "air space")
    return Quarantine.objects.create(animal=animal, started_on=started_on, air_space=air)


def quarantine_of(animal: Animal, day: date) -> QuarantineStatus | None:
    return quarantines_of([animal], day).get(animal.pk)


def in_quarantine(household: Household, day: date) -> list[tuple[Animal, QuarantineStatus]]:
    """The household's animals in quarantine on `day`, by name, with the days left: four queries
    however many animals (the API's and the command line's quarantine list)."""
    animals = list(household.animals.active().order_by("name", "id"))
    found = quarantines_of(animals, day)
    return [(a, found[a.pk]) for a in animals if a.pk in found and not found[a.pk].done]


def quarantines_of(animals: list[Animal], day: date) -> dict[int, QuarantineStatus]:
    """The latest quarantine of each animal that has one (begun by `day`), in three queries.

    Only the days with an illness sign are read (the records' `illness` flag),
    not every session, so the cost does not grow with an animal's history."""
    # (start, air space) by animal: columns, not model instances, by ids (a rescue has hundreds).
    latest: dict[int, tuple[date, str]] = {}
    rows = Quarantine.objects.filter(animal_id__in=[a.pk for a in animals], started_on__lte=day)
    for animal_id, started_on, air_space in rows.order_by("-started_on", "-id").values_list(
        "animal_id", "started_on", "air_space"
    ):
        latest.setdefault(animal_id, (started_on, air_space))
    signs: dict[int, set[date]] = defaultdict(set)
    for model in (Session, HealthCheck):
        ill = model.objects.filter(animal_id__in=list(latest), illness=True, day__lte=day).order_by()
        for animal_id, on in ill.values_list("animal_id", "day"):
            signs[animal_id].add(on)
    return {
        a.pk: quarantine_status(
            arrivals_protocol(),
            started_on=latest[a.pk][0],
            source=a.source,
            air_space=cast(AirSpace, latest[a.pk][1]),  # a choice of Quarantine.AIR_SPACES, the same three
            sign_days=sorted(signs[a.pk]),
            day=day,
        )
        for a in animals
        if a.pk in latest
    }


@transaction.atomic
def record_health_check(
    *, keeper, animal: Animal, day: date, signs: list[str], notes: str = "", now: datetime
) -> HealthCheck:
    check_member(keeper, animal.household, write=True)
    today = local_today(animal.household, now)
    if day > today:
        raise InvalidInput("day", f"Date {day.isoformat()}: a health check cannot be in the future.")
    if day < animal.arrival_date:
        raise InvalidInput(
            "day",
            f"Date {day.isoformat()}: {animal.name} arrived on {animal.arrival_date.isoformat()}; "
            "a health check cannot be before that.",
        )
    allowed = {
        k: v
        for k, v in vocab.OBSERVATIONS.items()
        if v.signal in (vocab.Signal.HEALTH, vocab.Signal.NEUTRAL, vocab.Signal.CLEARED)
    }
    checked = check_names(signs, allowed, "signs", "health sign")
    check = HealthCheck.objects.create(
        animal=animal, keeper=keeper, day=day, signs=checked, notes=check_notes(notes), created_at=now
    )
    records_changed(animal, day)  # an illness sign pauses the handling program
    return check


# --- housing -------------------------------------------------------------------


def resident(animal: Animal, day: date) -> Resident:
    q = quarantine_of(animal, day)
    return Resident(
        animal.public_id,
        animal.name,
        animal.species,
        animal.sex,
        animal.birth_date,
        animal.neutered_on,
        None if q is None or q.done else q.ends_on,
        cohort=f"{animal.arrival_date.isoformat()}/{animal.source}",
    )


def _introduced(animal: Animal, others: list[Animal], day: date) -> bool:
    """True when an introduction that covers the animal and every resident reached move-in."""
    others_ids = {o.pk for o in others}
    for intro in Introduction.objects.filter(household=animal.household).prefetch_related("newcomers", "residents"):
        members = {a.pk for a in intro.newcomers.all()} | {a.pk for a in intro.residents.all()}
        if animal.pk in members and others_ids <= members and introduction_of(intro, day).at_move_in:
            return True
    return False


def check_move(animal: Animal, cage: Cage, day: date) -> list[HousingProblem]:
    others = list(cage.animals.active().exclude(pk=animal.pk))
    if not others:
        return []
    me = resident(animal, day)
    strangers = [o for o in others if resident(o, day).cohort != me.cohort]
    return housing_problems(
        me, [resident(o, day) for o in others], introduced=_introduced(animal, strangers, day), day=day
    )


@dataclass(frozen=True)
class Move:
    animal: Animal
    cage: Cage | None
    problems: list[HousingProblem]  # what was overridden or only cautioned

    @property
    def alerts(self) -> list[Alert]:
        return [Alert(p.code, "warning" if p.blocking else "caution", p.message) for p in self.problems]


@transaction.atomic
def move_animal(*, keeper, animal: Animal, cage_name: str | None, day: date, override_reason: str = "") -> Move:
    """Move an animal into a cage (created if new), or out of any cage with an empty name.
    Refused with every reason when the housing guardrail says no, unless an owner overrides."""
    if keeper is not None:
        check_member(keeper, animal.household, write=True)
    current = CageStay.objects.filter(animal=animal, moved_out_on__isnull=True).first()
    if cage_name is None or not cage_name.strip():
        if current:
            current.moved_out_on = day
            current.save(update_fields=["moved_out_on"])
        animal.cage = None
        animal.save(update_fields=["cage"])
        return Move(animal, None, [])
    name = check_name(cage_name, "cage", "Cage name")
    cage, _ = Cage.objects.get_or_create(household=animal.household, name=name)
    if animal.cage_id == cage.pk:
        return Move(animal, cage, [])
    problems = check_move(animal, cage, day)
    blocking = [p for p in problems if p.blocking]
    reason = check_notes(override_reason, "override_reason")
    if blocking and not reason:
        raise HousingRefused(blocking)
    if blocking and not is_owner(keeper, animal.household):
        raise NotAllowed("Only an owner can override the housing guardrail. " + " ".join(p.message for p in blocking))
    if current:
        current.moved_out_on = day
        current.save(update_fields=["moved_out_on"])
    CageStay.objects.create(
        animal=animal,
        cage=cage,
        moved_in_on=day,
        moved_by=keeper,
        override_reason=reason if blocking else "",
        overridden=[p.code for p in blocking],
    )
    animal.cage = cage
    animal.save(update_fields=["cage"])
    return Move(animal, cage, problems)


# --- introductions --------------------------------------------------------------


def _meeting(m: IntroductionMeeting) -> Meeting:
    return Meeting(m.public_id, m.started_at, m.day, m.duration_seconds, frozenset(m.behaviours))


def introduction_of(intro: Introduction, day: date) -> IntroductionProgress:
    return introductions_of([intro], day)[intro.pk]


def introductions_of(intros: list[Introduction], day: date) -> dict[int, IntroductionProgress]:
    """Several introductions' progress, with every member's quarantine read at once (by introduction pk).
    Prefetch newcomers, residents and meetings (see `active_introductions`) to keep it to a few queries."""
    members = {i.pk: list(i.newcomers.all()) + list(i.residents.all()) for i in intros}
    quarantines = quarantines_of(list({a.pk: a for group in members.values() for a in group}.values()), day)
    found = {}
    for intro in intros:
        ends = [quarantines[a.pk].ends_on for a in members[intro.pk] if a.pk in quarantines]
        found[intro.pk] = introduction_progress(
            arrivals_protocol(),
            started_on=intro.started_on,
            quarantine_done_on=max(ends, default=intro.started_on),
            cage_cleaned_on=intro.cage_cleaned_on,
            meetings=[_meeting(m) for m in intro.meetings.all()],
            day=day,
        )
    return found


@transaction.atomic
def start_introduction(
    *, keeper, household: Household, newcomers: list[Animal], residents: list[Animal], cage_name: str | None, day: date
) -> Introduction:
    check_member(keeper, household, write=True)
    if not newcomers or not residents:
        raise InvalidInput("animals", "An introduction needs at least one newcomer and one resident.")
    if {a.pk for a in newcomers} & {a.pk for a in residents}:
        raise InvalidInput("animals", "An animal cannot be both a newcomer and a resident.")
    for a in [*newcomers, *residents]:
        if a.household_id != household.pk:
            raise NotFound(f"No animal '{a.name}' in {household.name}.")
    species = {a.species for a in [*newcomers, *residents]}
    if len(species) > 1:
        raise InvalidInput("animals", "Rats and mice are not introduced to each other.")
    cage = None
    if cage_name:
        cage, _ = Cage.objects.get_or_create(household=household, name=check_name(cage_name, "cage", "Cage name"))
    intro = Introduction.objects.create(household=household, started_on=day, cage=cage, created_by=keeper)
    intro.newcomers.set(newcomers)
    intro.residents.set(residents)
    return intro


def introduction_by_id(*, keeper, household: Household, public_id: str, write: bool = False) -> Introduction:
    check_member(keeper, household, write=write)
    intro = Introduction.objects.filter(household=household, public_id=public_id).first()
    if intro is None:
        raise NotFound(f"No introduction '{public_id}' in {household.name}.")
    return intro


@dataclass(frozen=True)
class MeetingLogged:
    meeting: IntroductionMeeting
    progress: IntroductionProgress
    alerts: list[Alert]


@transaction.atomic
def log_meeting(
    *,
    keeper,
    intro: Introduction,
    started_at: datetime,
    duration_seconds: int,
    behaviours: list[str],
    notes: str,
    now: datetime,
) -> MeetingLogged:
    household = intro.household
    check_member(keeper, household, write=True)
    p = arrivals_protocol()
    known = {**p.behaviours.normal, **p.behaviours.danger}
    chosen = check_names(behaviours, known, "behaviours", "behaviour")
    if started_at > now + timedelta(minutes=2):
        raise InvalidInput("started_at", "Start: the meeting starts in the future; log meetings that happened.")
    if not 0 < duration_seconds <= 12 * 3600:
        raise InvalidInput("duration", "Length: a meeting must last more than zero seconds and at most 12 hours.")
    day = local_time(household, started_at).date()
    if day < intro.started_on:
        raise InvalidInput(
            "started_at",
            f"Start: the introduction started on {intro.started_on.isoformat()}; this meeting is before that.",
        )
    before = introduction_of(intro, day)
    if before.waiting_for_quarantine_until:
        raise InvalidInput(
            "started_at",
            f"Start: quarantine runs until {before.waiting_for_quarantine_until.isoformat()}: no meetings before then.",
        )
    meeting = IntroductionMeeting.objects.create(
        introduction=intro,
        keeper=keeper,
        started_at=started_at,
        day=day,
        duration_seconds=duration_seconds,
        behaviours=chosen,
        notes=check_notes(notes),
    )
    after = introduction_of(intro, local_today(household, now))
    alerts = []
    danger = danger_signs(p, chosen)
    if danger:
        labels = ", ".join(p.behaviours.danger[d].lower() for d in danger)
        alerts.append(
            Alert(
                "separate_now",
                "stop",
                f"Danger: {labels}. {p.introduction.separate_advice} "
                f"The introduction goes back to '{after.stage_title}'.",
            )
        )
    return MeetingLogged(meeting, after, alerts)


@transaction.atomic
def mark_cage_cleaned(*, keeper, intro: Introduction, day: date, today: date) -> Introduction:
    check_member(keeper, intro.household, write=True)
    if day > today:
        raise InvalidInput("date", f"Date {day.isoformat()}: the cage cannot have been cleaned in the future.")
    if day < intro.started_on:
        raise InvalidInput(
            "date",
            f"Date {day.isoformat()}: the introduction started on {intro.started_on.isoformat()}; "
            "clean the cage after that.",
        )
    intro.cage_cleaned_on = day
    intro.save(update_fields=["cage_cleaned_on"])
    return intro


def cages_with_residents(household: Household, *, recent_moves: int = 0):
    """The household's cages by name, each with `residents` (the active animals living in it) and,
    with `recent_moves`, `moves`: its latest stays, newest first. One more query for all the cages
    for each, however many cages."""
    living = Animal.objects.active().order_by("name", "id")
    cages = household.cages.order_by("name", "id").prefetch_related(Prefetch("animals", living, to_attr="residents"))
    if recent_moves:
        stays = CageStay.objects.select_related("animal").order_by("-moved_in_on", "-id")[:recent_moves]
        cages = cages.prefetch_related(Prefetch("stays", stays, to_attr="moves"))
    return cages


def active_introductions(household: Household):
    """Introductions under way, with their cage, members and meetings read at once."""
    return (
        Introduction.objects.filter(household=household, finished_on__isnull=True)
        .select_related("cage")
        .prefetch_related("newcomers", "residents", "meetings")
    )
