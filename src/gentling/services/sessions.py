"""Logging sessions: the one write path for the CLI, the web app and the API.

A session is always recorded, even when the method warns against what was
done: nothing a keeper did is lost. The guardrail alerts are stored on the
session and returned, so every interface shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from ..domain.errors import GentlingError, InvalidInput, NotFound
from ..domain.guardrails import Alert
from ..domain.guardrails import check_session as guardrails_for
from ..domain.validation import SessionInput, check_session
from ..models import Animal, Household, OpenSession, Session, new_public_id
from .households import check_member
from .progress import (
    AroundSession,
    around_session,
    facts,
    local_time,
    local_today,
    progress_before,
    progress_of,
    protocol_for,
    record,
    records_changed,
)


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


def _checked(keeper, household: Household, animals: list[Animal], entry: SessionInput, now: datetime):
    check_member(keeper, household, write=True)
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
                f"Start: {animal.name} arrived on {animal.arrival_date.isoformat()}; a session on {day.isoformat()} "
                "is before that.",
            )
    return unique, entry, day


def log_session(
    *,
    keeper,
    household: Household,
    animals: list[Animal],
    entry: SessionInput,
    now: datetime,
    sitting: str | None = None,
) -> list[Logged]:
    """Record one sitting with one or more animals of the household (`sitting`: its id, new if not given).

    Where each animal stands is read before the write transaction and checked
    inside it by the animal's revision (read again only if a write came in
    between): SQLite has one writer at a time, so the transaction holds only
    the inserts."""
    unique, entry, day = _checked(keeper, household, animals, entry, now)
    sitting = sitting or new_public_id()
    today = local_today(household, now)
    drafts = []
    for animal in unique:
        session = _session(keeper, animal, entry, day, sitting, now)
        drafts.append((animal, session, around_session(animal, record(session), today)))
    with transaction.atomic():
        # Each animal's progress row is locked as its session is logged: always in the same order
        # (by animal), so two sittings with the same animals named in other orders never wait on
        # each other in a circle (a deadlock, which PostgreSQL ends by refusing one of them).
        logged = {
            animal.pk: _log_one(animal, session, around, today)
            for animal, session, around in sorted(drafts, key=lambda draft: draft[0].pk)
        }
    return [logged[animal.pk] for animal, _, _ in drafts]


def preview_alerts(
    *, keeper, household: Household, animals: list[Animal], entry: SessionInput, now: datetime
) -> dict[Animal, list[Alert]]:
    """The alerts saving this session would show, without saving anything."""
    unique, entry, day = _checked(keeper, household, animals, entry, now)
    return {animal: _alerts(animal, _session(keeper, animal, entry, day, "", now)) for animal in unique}


def _alerts(animal: Animal, session: Session) -> list[Alert]:
    """The guardrails for `session`, against where the animal stood when it began."""
    new = record(session)
    return guardrails_for(protocol_for(animal), facts(animal), progress_before(animal, new), new)


def _session(keeper, animal: Animal, entry: SessionInput, day, sitting: str, now: datetime) -> Session:
    return Session(
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
        created_at=now,
    )


def _log_one(animal: Animal, session: Session, around: AroundSession, today) -> Logged:
    new = record(session)
    # Moving the revision on from the one read takes the animal's write lock; if another write
    # landed since the read, nothing moved: read again, now inside the transaction.
    if not records_changed(animal, session.day, revision=around.revision):
        around = around_session(animal, new, today)
        records_changed(animal, session.day)
    alerts = guardrails_for(protocol_for(animal), facts(animal), around.basis, new)
    session.alerts = [a.to_dict() for a in alerts]
    session.save()
    return Logged(animal, session, alerts, around.before_now.step_id, around.after_now.step_id)


@transaction.atomic
def delete_session(*, keeper, household: Household, public_id: str, now: datetime) -> Session:
    check_member(keeper, household, write=True)
    session = Session.objects.select_related("animal").filter(animal__household=household, public_id=public_id).first()
    if session is None:
        raise NotFound(f"No session '{public_id}' in {household.name}.")
    session.delete()
    records_changed(session.animal, session.day)
    return session


def session_by_id(*, keeper, household: Household, public_id: str, write: bool = False) -> Session:
    check_member(keeper, household, write=write)
    session = (
        Session.objects.select_related("animal", "keeper")
        .filter(animal__household=household, public_id=public_id)
        .first()
    )
    if session is None:
        raise NotFound(f"No session '{public_id}' in {household.name}.")
    return session


@transaction.atomic
def edit_session(*, keeper, household: Household, public_id: str, entry: SessionInput, now: datetime) -> Logged:
    """Correct a session: same checks as logging, alerts recomputed, progress refreshed."""
    session = session_by_id(keeper=keeper, household=household, public_id=public_id, write=True)
    animal = session.animal
    _, entry, day = _checked(keeper, household, [animal], entry, now)
    today = local_today(household, now)
    before_now = progress_of(animal, today).step_id
    fresh = _session(session.keeper, animal, entry, day, session.sitting, now)
    fresh.pk, fresh.public_id, fresh.created_at = session.pk, session.public_id, session.created_at
    records_changed(animal, min(day, session.day))  # first: a checkpoint must not hold the old version
    alerts = _alerts(animal, fresh)
    fresh.alerts = [a.to_dict() for a in alerts]
    fresh.save()
    return Logged(animal, fresh, alerts, before_now, progress_of(animal, today).step_id)


# --- sessions in progress (the web timer) ------------------------------------------


@transaction.atomic
def open_session(*, keeper, household: Household, animals: list[Animal], now: datetime) -> OpenSession:
    check_member(keeper, household, write=True)
    if not animals:
        raise InvalidInput("animals", "Choose at least one animal for the session.")
    for animal in animals:
        if animal.household_id != household.pk or animal.status != "active":
            raise NotFound(f"No active animal '{animal.name}' in {household.name}.")
    timer = OpenSession.objects.create(household=household, keeper=keeper, started_at=now)
    timer.animals.set(animals)
    return timer


def open_session_by_id(*, keeper, household: Household, public_id: str) -> OpenSession:
    check_member(keeper, household, write=True)
    timer = OpenSession.objects.filter(household=household, public_id=public_id).first()
    if timer is None:
        raise NotFound("That session was already saved or discarded.")
    return timer


DRAFT_FIELDS = ("activities", "observations", "holds", "notes", "extended_hold_minutes", "extended_hold_end")


def save_draft(*, timer: OpenSession, data: dict[str, list[str]]) -> None:
    """Keep what was tapped so far (unchecked: it is checked on save), bounded in size."""
    draft = {key: [str(v)[:2000] for v in data.get(key, [])][:60] for key in DRAFT_FIELDS}
    OpenSession.objects.filter(pk=timer.pk).update(draft=draft)


def draft_initial(timer: OpenSession) -> dict:
    d = timer.draft or {}
    single = {k: (d.get(k) or [""])[0] for k in ("holds", "notes", "extended_hold_minutes", "extended_hold_end")}
    return {"activities": d.get("activities") or ["talked"], "observations": d.get("observations", []), **single}


@transaction.atomic
def finish_open_session(
    *, keeper, household: Household, public_id: str, entry: SessionInput, now: datetime
) -> list[Logged]:
    """Save a timed session: it ran from the stored start until now. Once: the timer is read and
    locked in this transaction, and its sessions take its id as their sitting's, so a second
    finish (a double tap, a retry after a lost answer) finds them and raises AlreadySaved."""
    check_member(keeper, household, write=True)
    timer = OpenSession.objects.select_for_update().filter(household=household, public_id=public_id).first()
    if timer is None:
        saved = list(Session.objects.filter(animal__household=household, sitting=public_id).select_related("animal"))
        if saved:
            raise AlreadySaved(saved)
        raise NotFound("That session was already saved or discarded.")
    entry = SessionInput(
        timer.started_at,
        max(now, timer.started_at + timedelta(seconds=1)),
        entry.activities,
        entry.holds,
        entry.observations,
        entry.extended_hold_seconds,
        entry.extended_hold_end,
        entry.notes,
    )
    logged = log_session(
        keeper=keeper,
        household=household,
        animals=list(timer.animals.all()),
        entry=entry,
        now=now,
        sitting=timer.public_id,
    )
    timer.delete()
    return logged


class AlreadySaved(GentlingError):
    """The timed session was saved before: `sessions` are what that first save stored."""

    def __init__(self, sessions: list[Session]):
        names = ", ".join(sorted(s.animal.name for s in sessions))
        super().__init__(f"Already saved: this session with {names} was saved a moment ago, once.")
        self.sessions = sessions
