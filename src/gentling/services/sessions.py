"""Logging sessions: the one write path for the CLI, the web app and the API.

A session is always recorded, even when the method warns against what was
done: nothing a keeper did is lost. The guardrail alerts are stored on the
session and returned, so every interface shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from ..domain import engine
from ..domain.errors import InvalidInput, NotFound
from ..domain.guardrails import Alert, check_session as guardrails_for
from ..domain.validation import SessionInput, check_session
from ..models import Animal, Household, Session, new_public_id
from .households import household_for
from .progress import facts, local_time, local_today, protocol_for, record, records, refresh_snapshot


@dataclass(frozen=True)
class Logged:
    animal: Animal
    session: Session
    alerts: list[Alert]
    step_before: str
    step_after: str

    @property
    def moved(self) -> str | None:
        if self.step_before == self.step_after:
            return None
        steps = [s.id for s in protocol_for(self.animal).steps]
        return "up" if steps.index(self.step_after) > steps.index(self.step_before) else "back"


@transaction.atomic
def log_session(*, keeper, household: Household, animals: list[Animal], entry: SessionInput, now: datetime) -> list[Logged]:
    """Record one sitting with one or more animals of the household."""
    household_for(keeper, household.public_id, write=True)
    if not animals:
        raise InvalidInput("animals", "Name at least one animal for the session.")
    unique = list({a.pk: a for a in animals}.values())
    for animal in unique:
        if animal.household_id != household.pk:
            raise NotFound(f"No animal '{animal.name}' in {household.name}.")
    entry = check_session(entry, now)
    day = local_time(household, entry.started_at).date()
    for animal in unique:
        if day < animal.arrival_date:
            raise InvalidInput(
                "started_at",
                f"{animal.name} arrived on {animal.arrival_date.isoformat()}; a session on {day.isoformat()} is before that.",
            )
    sitting = new_public_id()
    today = local_today(household, now)
    return [_log_one(keeper, animal, entry, day, sitting, today) for animal in unique]


def _log_one(keeper, animal: Animal, entry: SessionInput, day, sitting: str, today) -> Logged:
    protocol = protocol_for(animal)
    before_now = refresh_snapshot(animal, today).step_id
    session = Session(
        animal=animal,
        keeper=keeper,
        sitting=sitting,
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        day=day,
        activities=entry.activities,
        holds=entry.holds,
        observations=entry.observations,
        extended_hold_seconds=entry.extended_hold_seconds,
        extended_hold_end=entry.extended_hold_end or "",
        notes=entry.notes,
    )
    new = record(session)
    history = records(animal)
    before = engine.progress_before(protocol, facts(animal), history, new)
    alerts = guardrails_for(protocol, facts(animal), before, new)
    session.alerts = [a.to_dict() for a in alerts]
    session.save()
    after_now = refresh_snapshot(animal, today).step_id
    return Logged(animal, session, alerts, before_now, after_now)


@transaction.atomic
def delete_session(*, keeper, household: Household, public_id: str, now: datetime) -> Session:
    household_for(keeper, household.public_id, write=True)
    session = Session.objects.select_related("animal").filter(animal__household=household, public_id=public_id).first()
    if session is None:
        raise NotFound(f"No session '{public_id}' in {household.name}.")
    session.delete()
    refresh_snapshot(session.animal, local_today(household, now))
    return session
