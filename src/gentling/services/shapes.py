"""One shape per thing Gentling tells about: an animal, a session, a cage, a quarantine and an
introduction (with its meetings), as Pydantic models.

The API answers with them (their names are the OpenAPI schema's components) and
`gentling ... --json` prints them, so both say the same of the same thing: an
`animal` field is always the animal's id, and its name is `animal_name`. A test
validates the command line's JSON against these models' JSON schema.
`fields_of` gives a shape's field names, from which the CSV columns and the
backup's records are checked (tests/data/test_shapes.py).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from ..domain import vocab
from ..domain.arrivals import IntroductionProgress, QuarantineStatus
from ..models import Animal, Cage, HealthCheck, Introduction, Session
from . import selectors
from .arrivals import Move, introduction_of, introductions_of
from .progress import current_step_ids, protocol_for
from .sessions import Logged


class AlertOut(BaseModel):
    code: str
    level: str
    message: str


class AnimalRef(BaseModel):
    id: str
    name: str


class AnimalOut(BaseModel):
    id: str
    name: str
    species: str
    species_label: str
    sex: str
    source: str
    source_label: str
    arrival_date: date
    day_number: int
    birth_date: date | None
    birth_date_estimated: bool
    cage: str | None
    status: str
    status_label: str
    extended_hold_opt_in: bool
    neutered_on: date | None
    notes: str
    step: str
    step_title: str
    protocol: str  # "ladder", a lab protocol or the household's own
    protocol_title: str
    protocol_version: int


class AnimalSaved(AnimalOut):
    alerts: list[AlertOut]


class SessionOut(BaseModel):
    id: str
    animal: str
    animal_name: str
    sitting: str
    keeper: str | None
    started_at: datetime
    ended_at: datetime
    day: date
    duration_seconds: int
    activities: list[str]
    holds: list[int]
    observations: list[str]
    extended_hold_seconds: int | None
    extended_hold_end: str | None
    measures: dict[str, float | int]
    protocol: str  # the protocol it was logged under ("ladder": the handling ladder) and its version
    protocol_version: int
    notes: str
    alerts: list[AlertOut]


class LoggedOut(SessionOut):
    step_before: str
    step_after: str
    moved: str | None


class LoggedSessions(BaseModel):
    sessions: list[LoggedOut]


class MovedOut(BaseModel):
    animal: str
    cage: str | None
    alerts: list[AlertOut]


class CageOut(BaseModel):
    id: str
    name: str
    animals: list[AnimalRef]


class QuarantineOut(BaseModel):
    animal: str
    animal_name: str
    started_on: date
    ends_on: date
    days_left: int
    air_space: str
    air_space_ok: bool
    last_sign_on: date | None


class HealthCheckOut(BaseModel):
    animal: str
    day: date
    signs: list[str]
    notes: str
    quarantine_ends_on: date | None


class StageChangeOut(BaseModel):
    day: date
    stage: str
    direction: str
    reason: str


class MeetingOut(BaseModel):
    id: str
    started_at: datetime
    day: date
    duration_seconds: int
    behaviours: list[str]
    notes: str


class IntroductionOut(BaseModel):
    id: str
    newcomers: list[AnimalRef]
    residents: list[AnimalRef]
    cage: str | None
    started_on: date
    cage_cleaned_on: date | None
    stage: str
    stage_title: str
    waiting_until: date | None
    good_meetings: int
    meetings_needed: int
    next_meeting_seconds: int
    at_move_in: bool
    history: list[StageChangeOut]


class IntroductionDetail(IntroductionOut):
    meetings: list[MeetingOut]


def fields_of(shape: type[BaseModel]) -> tuple[str, ...]:
    return tuple(shape.model_fields)


# Where each field of a session and of an animal goes in the CSV export (csv_export.py) and in the
# backup (backup_schema.py), which keep their own documented names and order; None: left out, as
# said. A field added to a shape fails tests/integration/test_shapes.py until it is placed here.
SESSION_IN_CSV: dict[str, str | None] = {
    "id": "session_id",
    "animal": "animal_id",
    "animal_name": "animal_name",
    "sitting": None,  # one row per animal; the sitting matters only to edit it
    "keeper": "keeper",
    "started_at": "started_at",
    "ended_at": None,  # started_at + duration_seconds
    "day": "day",
    "duration_seconds": "duration_seconds",
    "activities": "activities",
    "holds": "hold_seconds",
    "observations": "observations",
    "extended_hold_seconds": "extended_hold_seconds",
    "extended_hold_end": "extended_hold_end",
    "measures": "measures",
    "protocol": "protocol",
    "protocol_version": "protocol_version",
    "notes": "notes",
    "alerts": "alerts",
}
SESSION_IN_BACKUP: dict[str, str | None] = {
    **{f: f for f in SESSION_IN_CSV},
    "animal_name": None,  # the backup's animal record has it
    "duration_seconds": None,  # ended_at - started_at
}
ANIMAL_IN_BACKUP: dict[str, str | None] = {
    **{f: f for f in fields_of(AnimalOut)},
    # What the day, the vocabulary or the ladder says of an animal is worked out again on restore.
    **dict.fromkeys(("species_label", "source_label", "status_label", "day_number", "step", "step_title")),
    "protocol_title": None,  # from the protocol the backup names
}


def alerts_out(alerts) -> list[AlertOut]:
    """Alerts as the services give them (objects with to_dict) or as stored (dicts)."""
    return [AlertOut(**(a if isinstance(a, dict) else a.to_dict())) for a in alerts]


def animal_out(a: Animal, today: date, step_id: str | None = None) -> AnimalOut:
    """`step_id` when the caller read several animals' steps at once (current_step_ids)."""
    step_id = step_id or current_step_ids([a], today)[a.pk]
    protocol = protocol_for(a)
    return AnimalOut(
        id=a.public_id,
        name=a.name,
        species=a.species,
        species_label=vocab.SPECIES[a.species],
        sex=a.sex,
        source=a.source,
        source_label=vocab.SOURCES[a.source],
        arrival_date=a.arrival_date,
        day_number=(today - a.arrival_date).days,
        birth_date=a.birth_date,
        birth_date_estimated=a.birth_date_estimated,
        cage=a.cage.name if a.cage else None,
        status=a.status,
        status_label=vocab.STATUSES[a.status],
        extended_hold_opt_in=a.extended_hold_opt_in,
        neutered_on=a.neutered_on,
        notes=a.notes,
        step=step_id,
        step_title=protocol.steps[protocol.index_of(step_id)].title,
        protocol=a.protocol or "ladder",
        protocol_title=protocol.title,
        protocol_version=protocol.version,
    )


def animals_out(animals: list[Animal], today: date) -> list[AnimalOut]:
    steps = current_step_ids(animals, today)
    return [animal_out(a, today, steps[a.pk]) for a in animals]


def animal_saved(a: Animal, today: date, alerts) -> AnimalSaved:
    return AnimalSaved(**animal_out(a, today).model_dump(), alerts=alerts_out(alerts))


def session_out(s: Session) -> SessionOut:
    return SessionOut(**_session_fields(s))


def _session_fields(s: Session) -> dict:
    return {
        "id": s.public_id,
        "animal": s.animal.public_id,
        "animal_name": s.animal.name,
        "sitting": s.sitting,
        "keeper": s.keeper.username if s.keeper else None,
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "day": s.day,
        "duration_seconds": s.duration_seconds,
        "activities": s.activities,
        "holds": s.holds,
        "observations": s.observations,
        "extended_hold_seconds": s.extended_hold_seconds,
        "extended_hold_end": s.extended_hold_end or None,
        "measures": s.measures,
        "protocol": s.protocol or "ladder",
        "protocol_version": s.protocol_version,
        "notes": s.notes,
        "alerts": alerts_out(s.alerts),
    }


def logged_out(item: Logged) -> LoggedOut:
    return LoggedOut(
        **_session_fields(item.session), step_before=item.step_before, step_after=item.step_after, moved=item.moved
    )


def refs(animals) -> list[AnimalRef]:
    """Animals by name: a list, or a relation already fetched (prefetch_related), read without a query."""
    rows = animals if isinstance(animals, list) else list(animals.all())
    return [AnimalRef(id=a.public_id, name=a.name) for a in sorted(rows, key=lambda a: (a.name, a.pk))]


def cage_out(c: Cage) -> CageOut:
    """A cage from `arrivals.cages_with_residents`, its residents already read."""
    return CageOut(id=c.public_id, name=c.name, animals=refs(c.residents))  # type: ignore[attr-defined]


def moved_out(a: Animal, move: Move) -> MovedOut:
    return MovedOut(animal=a.public_id, cage=move.cage.name if move.cage else None, alerts=alerts_out(move.alerts))


def quarantine_out(a: Animal, q: QuarantineStatus) -> QuarantineOut:
    return QuarantineOut(
        animal=a.public_id,
        animal_name=a.name,
        started_on=q.started_on,
        ends_on=q.ends_on,
        days_left=q.days_left,
        air_space=q.air_space,
        air_space_ok=q.air_space_ok,
        last_sign_on=q.last_sign_on,
    )


def introduction_out(intro: Introduction, day: date, progress: IntroductionProgress | None = None) -> IntroductionOut:
    return IntroductionOut(**_introduction_fields(intro, progress or introduction_of(intro, day)))


def health_check_out(a: Animal, check: HealthCheck, q: QuarantineStatus | None) -> HealthCheckOut:
    """`q`: the animal's quarantine today, after the check (a sign extends it)."""
    return HealthCheckOut(
        animal=a.public_id,
        day=check.day,
        signs=check.signs,
        notes=check.notes,
        quarantine_ends_on=q.ends_on if q else None,
    )


def introductions_out(intros: list[Introduction], day: date) -> list[IntroductionOut]:
    found = introductions_of(intros, day)
    return [introduction_out(i, day, progress=found[i.pk]) for i in intros]


def introduction_detail(intro: Introduction, day: date) -> IntroductionDetail:
    meetings = [
        MeetingOut(
            id=m.public_id,
            started_at=m.started_at,
            day=m.day,
            duration_seconds=m.duration_seconds,
            behaviours=m.behaviours,
            notes=m.notes,
        )
        for m in selectors.meetings_of(intro)
    ]
    return IntroductionDetail(**_introduction_fields(intro, introduction_of(intro, day)), meetings=meetings)


def _introduction_fields(intro: Introduction, p: IntroductionProgress) -> dict:
    return {
        "id": intro.public_id,
        "newcomers": refs(intro.newcomers),
        "residents": refs(intro.residents),
        "cage": intro.cage.name if intro.cage else None,
        "started_on": intro.started_on,
        "cage_cleaned_on": intro.cage_cleaned_on,
        "stage": p.stage_id,
        "stage_title": p.stage_title,
        "waiting_until": p.waiting_for_quarantine_until,
        "good_meetings": p.good_meetings,
        "meetings_needed": p.meetings_needed,
        "next_meeting_seconds": p.next_meeting_seconds,
        "at_move_in": p.at_move_in,
        "history": [
            StageChangeOut(day=c.day, stage=c.stage_id, direction=c.direction, reason=c.reason) for c in p.history
        ],
    }
