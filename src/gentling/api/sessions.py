"""Sessions: list (by animal and dates), log, show, correct and delete."""

from datetime import date, datetime, timedelta

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from .. import clock
from ..domain import vocab
from ..domain.errors import InvalidInput
from ..domain.validation import SessionInput
from ..models import Household, Session
from ..services import selectors, shapes
from ..services import sessions as svc
from ..services.shapes import LoggedOut, LoggedSessions, SessionOut
from . import common
from .errors import errors

router = Router(tags=["sessions"])
# Far beyond any plausible session; only keeps the date arithmetic in range (the service refuses > 6 h).
_SECONDS_BOUND = 10**7


class SessionFilter(Schema):
    animal: str | None = Field(None, description="Only this animal's sessions (its id).")
    date_from: date | None = Field(None, description="From this day on (the household's calendar day).")
    date_to: date | None = Field(None, description="Up to and including this day.")


@router.get(
    "/households/{hid}/sessions",
    response={200: list[SessionOut], **errors(400, 404)},
    summary="Sessions, newest first; filter by animal and by day (date_from, date_to, inclusive)",
)
@paginate(common.Pages)
def list_sessions(request, hid: str, q: Query[SessionFilter]):
    h = common.household(request, hid)
    animal = common.animal(request, h, q.animal) if q.animal else None
    sessions = selectors.sessions_listed(h, animal=animal, date_from=q.date_from, date_to=q.date_to)
    return common.Rendered(sessions, shapes.session_out)


OWN = " An animal on a lab or household protocol may also use that protocol's own words (GET .../protocols)."
ACTIVITIES = "What was done, any of: " + ", ".join(vocab.ACTIVITIES) + "." + OWN
OBSERVATIONS = "What was seen, any of: " + ", ".join(vocab.OBSERVATIONS) + "." + OWN
MEASURES = 'The protocol\'s measures, name to number, e.g. {"calls_50khz": 42}; each in its range, whole for a count.'
HOLDS = "Seconds of each pick-up, in order."
DURATION = "The length in seconds; or send ended_at instead."
STARTED = "ISO 8601; without a UTC offset, in the household's time zone."
EXT_END = "How an extended hold ended. " + common.one_of(vocab.EXTENDED_HOLD_ENDINGS)


class SessionIn(Schema):
    animals: list[str] = Field(description="The ids of the animals handled together (at least one).")
    started_at: datetime = Field(description=STARTED)
    duration_seconds: int | None = Field(None, description=DURATION)
    ended_at: datetime | None = None
    activities: list[str] = Field([], description=ACTIVITIES)
    holds: list[int] = Field([], description=HOLDS)
    observations: list[str] = Field([], description=OBSERVATIONS)
    extended_hold_seconds: int | None = None
    extended_hold_end: str | None = Field(None, description=EXT_END)
    notes: str = ""
    measures: dict[str, float | int] = Field({}, description=MEASURES)


def _end(h: Household, start: datetime, duration_seconds: int | None, ended_at: datetime | None) -> datetime:
    if duration_seconds is not None and ended_at is not None:
        raise InvalidInput("ended_at", "Send either duration_seconds or ended_at, not both.")
    if ended_at is not None:
        return common.moment_of(h, ended_at, "ended_at")
    if duration_seconds is None:
        raise InvalidInput("duration_seconds", "Say how long the session lasted: duration_seconds, or ended_at.")
    return start + timedelta(seconds=max(-_SECONDS_BOUND, min(duration_seconds, _SECONDS_BOUND)))


def _renames(duration_sent: bool) -> dict[str, str]:
    return {"ended_at": "duration_seconds"} if duration_sent else {}


@router.post(
    "/households/{hid}/sessions",
    response={201: LoggedSessions, **errors(400, 403, 404)},
    summary="Log a session with one or more animals; returns each animal's session and its alerts",
)
def log_session(request, hid: str, data: SessionIn):
    h = common.household(request, hid, write=True)
    if not data.animals:
        raise InvalidInput("animals", "Name at least one animal for the session (their ids).")
    animals = common.animals_named(h, data.animals, "animals")
    start = common.moment_of(h, data.started_at, "started_at")
    entry = SessionInput(
        start,
        _end(h, start, data.duration_seconds, data.ended_at),
        data.activities,
        data.holds,
        data.observations,
        data.extended_hold_seconds,
        data.extended_hold_end,
        data.notes,
        data.measures,
    )
    with common.fields_renamed(_renames(data.duration_seconds is not None)):
        logged = svc.log_session(keeper=request.auth, household=h, animals=animals, entry=entry, now=clock.now())
    return Status(201, LoggedSessions(sessions=[shapes.logged_out(item) for item in logged]))


@router.get("/households/{hid}/sessions/{sid}", response={200: SessionOut, **errors(404)}, summary="One session")
def get_session(request, hid: str, sid: str):
    h = common.household(request, hid)
    sid = common.checked_id(sid, "No such session.")
    return shapes.session_out(svc.session_by_id(keeper=request.auth, household=h, public_id=sid))


class SessionPatch(Schema):
    """Only the fields sent change; the length is kept when only started_at moves."""

    started_at: datetime | None = Field(None, description=STARTED)
    duration_seconds: int | None = Field(None, description=DURATION)
    ended_at: datetime | None = None
    activities: list[str] | None = Field(None, description=ACTIVITIES)
    holds: list[int] | None = Field(None, description=HOLDS)
    observations: list[str] | None = Field(None, description=OBSERVATIONS)
    extended_hold_seconds: int | None = None
    extended_hold_end: str | None = Field(None, description=EXT_END)
    notes: str | None = None
    measures: dict[str, float | int] | None = Field(None, description=MEASURES)


def _patched(h: Household, s: Session, data: SessionPatch) -> SessionInput:
    sent = data.model_fields_set

    def value(name: str, current):
        given = getattr(data, name)
        return given if name in sent and given is not None else current

    start = common.moment_of(h, data.started_at, "started_at") if data.started_at else s.started_at
    if data.duration_seconds is None and data.ended_at is None:
        end = start + (s.ended_at - s.started_at)
    else:
        end = _end(h, start, data.duration_seconds, data.ended_at)
    ext_seconds = data.extended_hold_seconds if "extended_hold_seconds" in sent else s.extended_hold_seconds
    ext_end = data.extended_hold_end if "extended_hold_end" in sent else (s.extended_hold_end or None)
    return SessionInput(
        start,
        end,
        value("activities", s.activities),
        value("holds", s.holds),
        value("observations", s.observations),
        ext_seconds,
        ext_end,
        value("notes", s.notes),
        value("measures", s.measures),
    )


@router.patch(
    "/households/{hid}/sessions/{sid}",
    response={200: LoggedOut, **errors(400, 403, 404)},
    summary="Correct a session: the same checks as logging; alerts and progress recomputed",
)
def patch_session(request, hid: str, sid: str, data: SessionPatch):
    h = common.household(request, hid, write=True)
    sid = common.checked_id(sid, "No such session.")
    s = svc.session_by_id(keeper=request.auth, household=h, public_id=sid, write=True)
    entry = _patched(h, s, data)
    with common.fields_renamed(_renames(data.duration_seconds is not None)):
        item = svc.edit_session(keeper=request.auth, household=h, public_id=sid, entry=entry, now=clock.now())
    return shapes.logged_out(item)


@router.delete(
    "/households/{hid}/sessions/{sid}",
    response={204: None, **errors(403, 404)},
    summary="Delete a session; the animal's progress is recomputed",
)
def delete_session(request, hid: str, sid: str):
    h = common.household(request, hid, write=True)
    sid = common.checked_id(sid, "No such session.")
    svc.delete_session(keeper=request.auth, household=h, public_id=sid, now=clock.now())
    return Status(204, None)
