"""Logging sessions: the one write path for the CLI, the web app and the API.

A session is always recorded, even when the method warns against what was
done: nothing a keeper did is lost. The guardrail alerts are stored on the
session and returned, so every interface shows them. The one refusal that is
not about the entry itself: an animal that has left the household (adopted,
passed away) is in no new session (`check_still_here`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NoReturn

from django.db import transaction

from ..domain import alert_summary
from ..domain.alert_summary import and_list
from ..domain.errors import GentlingError, InvalidInput, NotFound
from ..domain.guardrails import Alert
from ..domain.guardrails import check_session as guardrails_for
from ..domain.validation import SessionInput, Words, check_session
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


@dataclass(frozen=True)
class SavedSummary:
    """What a keeper is told after saving a sitting, below what was saved: one message."""

    lines: list[str]
    level: str | None  # the worst alert's ("stop", "warning", "caution"); None when all went well


def saved_summary(logged: list[Logged]) -> SavedSummary:
    """Each warning once for all the animals it is about, worst first, then who moved."""
    shared = alert_summary.merge((item.animal.name, item.alerts) for item in logged)
    up = [item.animal.name for item in logged if item.moved == "up"]
    back = [item.animal.name for item in logged if item.moved == "back"]
    lines = [a.text for a in shared]
    if up:
        lines.append(f"{and_list(up)} moved up a step. Well done, {'both' if len(up) == 1 else 'all'} of you.")
    if back:
        lines.append(f"{and_list(back)} went back a step: slow down, shorter and gentler.")
    return SavedSummary(lines, alert_summary.worst(shared) or ("warning" if back else None))


def check_still_here(animals: list[Animal]) -> None:
    """Refuse a new session with an animal that has left the household (adopted, passed away).

    Every way into a new session (logging, the timer, its preview) asks here, so the web app, the
    API and the command line give the same answer."""
    for animal in animals:
        if animal.has_left:
            raise InvalidInput(
                "animals",
                f"{animal.name} is no longer here (status: {animal.get_status_display()}): no new session can be "
                f"logged for an animal that has left. If that is a mistake, set {animal.name}'s status back to "
                "Active first.",
            )


def _checked(
    keeper, household: Household, animals: list[Animal], entry: SessionInput, now: datetime, *, new: bool = True
):
    """The session's animals (each once) and entry, checked; `new`: a new session, so only animals still here."""
    check_member(keeper, household, write=True)
    if not animals:
        raise InvalidInput("animals", "Name at least one animal for the session.")
    unique = list({a.pk: a for a in animals}.values())
    for animal in unique:
        if animal.household_id != household.pk:
            raise NotFound(f"No animal '{animal.name}' in {household.name}.")
    if new:
        check_still_here(unique)
    entry = check_session(entry, now, Words.of(protocol_for(a) for a in unique))
    day = local_time(household, entry.started_at).date()
    for animal in unique:
        if day < animal.arrival_date:
            raise InvalidInput(
                "started_at",
                f"Start: {animal.name} arrived on {animal.arrival_date.isoformat()}; a session on {day.isoformat()} "
                "is before that.",
            )
        if animal.protocol_since and day < animal.protocol_since:
            raise InvalidInput(
                "started_at",
                f"Start: {animal.name} moved to {protocol_for(animal).title} on {animal.protocol_since.isoformat()}; "
                f"a session on {day.isoformat()} belongs to the protocol before, and cannot be logged now.",
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

    Only animals still in the household (see `check_still_here`). Where each
    animal stands is read before the write transaction and checked inside it by
    the animal's revision (read again only if a write came in between): SQLite
    has one writer at a time, so the transaction holds only the inserts."""
    drafts = _drafts(keeper, household, animals, entry, now, sitting or new_public_id())
    with transaction.atomic():
        return _write(drafts, local_today(household, now))


Draft = tuple[Animal, Session, AroundSession]


def _drafts(
    keeper, household: Household, animals: list[Animal], entry: SessionInput, now: datetime, sitting: str
) -> list[Draft]:
    """Each animal's session, checked and unsaved, with where the animal stands around it: all
    read outside the write transaction, so no lock is held meanwhile."""
    unique, entry, day = _checked(keeper, household, animals, entry, now)
    today = local_today(household, now)
    drafts = []
    for animal in unique:
        session = _session(keeper, animal, entry, day, sitting, now)
        drafts.append((animal, session, around_session(animal, record(session), today)))
    return drafts


def _write(drafts: list[Draft], today: date) -> list[Logged]:
    """Save the drafts (call inside the write transaction); what was logged, in the drafts' order."""
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
        measures=dict(entry.measures),
        protocol=animal.protocol,
        protocol_version=protocol_for(animal).version,
        notes=entry.notes,
        created_at=now,
    )


def _log_one(animal: Animal, session: Session, around: AroundSession, today) -> Logged:
    new = record(session)
    # Moving the revision on from the one read takes the animal's write lock; if another write
    # landed since the read, nothing moved: read again, now inside the transaction. The animal
    # too: a change to it (its facts, its status: it may have left) moves the revision on as well.
    if not records_changed(animal, session.day, revision=around.revision):
        animal.refresh_from_db()
        check_still_here([animal])
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
    """Correct a session: same checks as logging, alerts recomputed, progress refreshed.

    Also for an animal that has left since (adopted, passed away): a correction (a note, a hold's
    seconds, the time) changes its history, which the handover report reads, and adds it to no
    new session, which is what `check_still_here` refuses. A session keeps its animal: no edit
    can put another animal in it."""
    session = session_by_id(keeper=keeper, household=household, public_id=public_id, write=True)
    animal = session.animal
    _, entry, day = _checked(keeper, household, [animal], entry, now, new=False)
    today = local_today(household, now)
    before_now = progress_of(animal, today).step_id
    fresh = _session(session.keeper, animal, entry, day, session.sitting, now)
    fresh.pk, fresh.public_id, fresh.created_at = session.pk, session.public_id, session.created_at
    fresh.protocol, fresh.protocol_version = session.protocol, session.protocol_version  # history keeps its version
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
        if animal.household_id != household.pk:
            raise NotFound(f"No animal '{animal.name}' in {household.name}.")
    check_still_here(animals)
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


def save_draft(*, timer: OpenSession, data: dict[str, list[str]], measures: dict[str, str] | None = None) -> None:
    """Keep what was tapped and typed so far (unchecked: it is checked on save), bounded in size."""
    draft: dict = {key: [str(v)[:2000] for v in data.get(key, [])][:60] for key in DRAFT_FIELDS}
    draft["measures"] = {str(k)[:64]: str(v)[:40] for k, v in list((measures or {}).items())[:50]}
    OpenSession.objects.filter(pk=timer.pk).update(draft=draft)


def draft_measures(timer: OpenSession) -> dict[str, str]:
    """The measures typed so far in an open session (to show them again after a reload)."""
    kept = (timer.draft or {}).get("measures")
    return kept if isinstance(kept, dict) else {}


def draft_initial(timer: OpenSession) -> dict:
    d = timer.draft or {}
    single = {k: (d.get(k) or [""])[0] for k in ("holds", "notes", "extended_hold_minutes", "extended_hold_end")}
    # Nothing is ticked that the keeper did not tap: a tap always selects, never unselects.
    return {"activities": d.get("activities", []), "observations": d.get("observations", []), **single}


def finish_open_session(
    *, keeper, household: Household, public_id: str, entry: SessionInput, now: datetime
) -> list[Logged]:
    """Save a timed session: it ran from the stored start until now.

    As in `log_session`, the timer and where each animal stands are read first, with no lock
    held, and the write transaction holds only the writes. Once: inside it the timer is read
    again and locked, and its sessions take its id as their sitting's, so a second finish (a
    double tap, a retry after a lost answer) finds them and raises AlreadySaved, whether it
    read the timer before the first finish saved it or after."""
    check_member(keeper, household, write=True)
    timer = OpenSession.objects.filter(household=household, public_id=public_id).first()
    if timer is None:
        _already_saved(household, public_id)
    timed = SessionInput(
        timer.started_at,
        max(now, timer.started_at + timedelta(seconds=1)),
        entry.activities,
        entry.holds,
        entry.observations,
        entry.extended_hold_seconds,
        entry.extended_hold_end,
        entry.notes,
        entry.measures,
    )
    # A timer's start and animals never change once it is open: only whether it is still there.
    drafts = _drafts(keeper, household, list(timer.animals.all()), timed, now, timer.public_id)
    with transaction.atomic():
        if OpenSession.objects.select_for_update().filter(pk=timer.pk).first() is None:
            _already_saved(household, public_id)
        logged = _write(drafts, local_today(household, now))
        timer.delete()
    return logged


def _already_saved(household: Household, public_id: str) -> NoReturn:
    saved = list(Session.objects.filter(animal__household=household, sitting=public_id).select_related("animal"))
    if saved:
        raise AlreadySaved(saved)
    raise NotFound("That session was already saved or discarded.")


class AlreadySaved(GentlingError):
    """The timed session was saved before: `sessions` are what that first save stored."""

    def __init__(self, sessions: list[Session]):
        names = ", ".join(sorted(s.animal.name for s in sessions))
        super().__init__(f"Already saved: this session with {names} was saved a moment ago, once.")
        self.sessions = sessions
