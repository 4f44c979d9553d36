"""Households, today's plan, the vocabulary, and JSON backups."""

import datetime as dt
from datetime import date

from django.http import StreamingHttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from .. import clock
from ..domain import vocab
from ..domain.arrivals import arrivals_protocol
from ..domain.errors import InvalidInput
from ..services import households as hs
from ..services.backup import MAX_BYTES, backup_text_for
from ..services.progress import local_today
from ..services.restore import import_backup
from ..services.today import today_dict, today_for_household
from . import common
from .errors import errors

router = Router(tags=["households"])


class HouseholdOut(Schema):
    id: str
    name: str
    time_zone: str
    role: str
    active_animals: int


@router.get("/households", response={200: list[HouseholdOut], **errors()}, summary="Your households")
@paginate(common.Pages)
def list_households(request):
    keeper = request.auth
    return common.Rendered(
        hs.households_listed(keeper),
        lambda h: {
            "id": h.public_id,
            "name": h.name,
            "time_zone": h.time_zone,
            "role": h.role,
            "active_animals": h.active_animals,
        },
    )


# --- today --------------------------------------------------------------------------------


class TaskOut(Schema):
    activity: str
    text: str
    times_per_day: int
    done_today: int
    target_seconds: int | None
    in_bouts: bool = Field(False, description="Done in the step's timed bouts: log it from the session screen's timer.")
    is_done: bool


class QuarantineCare(Schema):
    ends_on: date
    days_left: int
    air_space: str
    air_space_ok: bool
    care: list[str]


class AnimalTodayOut(Schema):
    id: str
    name: str
    species: str
    cage: str | None
    day: date
    day_number: int
    step_id: str
    step_title: str
    step_summary: str
    tasks: list[TaskOut]
    avoid: list[str]
    cautions: list[str]
    notices: list[str]
    sessions_today: int
    quarantine: QuarantineCare | None


class IntroductionTodayOut(Schema):
    id: str
    newcomers: list[str]
    residents: list[str]
    stage: str
    stage_title: str
    waiting_until: date | None
    good_meetings: int
    meetings_needed: int
    next_meeting_seconds: int


class LitterTodayOut(Schema):
    id: str
    name: str
    age_days: int
    items: list[str]
    separate_by: date
    alert: str | None
    alert_level: str | None


class TodayOut(Schema):
    household: str
    date: dt.date
    animals: list[AnimalTodayOut]
    introductions: list[IntroductionTodayOut]
    litters: list[LitterTodayOut]


class DayQuery(Schema):
    date: dt.date | None = None


@router.get(
    "/households/{hid}/today",
    response={200: TodayOut, **errors(400, 404)},
    summary="Today's plan: each animal's tasks, quarantines, introductions and litters",
)
def today(request, hid: str, q: Query[DayQuery]):
    h = common.household(request, hid)
    today_ = local_today(h, clock.now())
    return today_dict(h, today_for_household(h, common.day_of(h, q.date), today=today_))


# --- vocabulary ---------------------------------------------------------------------------


class Term(Schema):
    name: str
    label: str


class Activity(Term):
    meaning: str


class Observation(Activity):
    signal: str


class Behaviour(Term):
    kind: str


class VocabOut(Schema):
    activities: list[Activity]
    observations: list[Observation]
    extended_hold_endings: list[Term]
    species: list[Term]
    sexes: list[Term]
    sources: list[Term]
    statuses: list[Term]
    introduction_behaviours: list[Behaviour]


@router.get("/vocab", response={200: VocabOut, **errors()}, summary="The names of activities, observations and more")
def vocabulary(request):
    b = arrivals_protocol().behaviours
    return {
        **vocab.as_dict(),
        "introduction_behaviours": [
            {"name": k, "label": v, "kind": kind}
            for kind, group in (("normal", b.normal), ("danger", b.danger))
            for k, v in group.items()
        ],
    }


# --- backups ------------------------------------------------------------------------------


@router.get(
    "/households/{hid}/export",
    response={200: dict, **errors(403, 404)},
    summary="A JSON backup of the household (owners only; members by name only, never a password or email)",
)
def export(request, hid: str):
    # Streamed, as the web app's download: a rescue's backup runs to hundreds of MB.
    text = backup_text_for(request.auth, [common.household(request, hid)], now=clock.now())
    return StreamingHttpResponse(text, content_type="application/json; charset=utf-8")


class ImportedOut(Schema):
    households: int
    animals: int
    sessions: int
    note: str | None = None


BACKUP_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["format", "version"],
                    "description": "A Gentling backup, as GET /households/{hid}/export returns it.",
                    "properties": {
                        "format": {"type": "string", "enum": ["gentling-backup"]},
                        "version": {"type": "integer", "enum": [1, 2]},
                    },
                }
            }
        },
    },
}


@router.post(
    "/households/import",
    response={201: ImportedOut, **errors(400, 403, 413)},
    openapi_extra=BACKUP_BODY,
    summary="Restore a JSON backup as its owner: all of it, or nothing (replace=true restores over "
    "a household you own)",
)
def import_households(request, replace: bool = False):
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0  # Django reads such a body as empty
    if declared > MAX_BYTES:
        raise InvalidInput("file", "A backup larger than 50 MB is refused.")
    raw = request.read(MAX_BYTES + 1)
    if common.has_nul(raw):
        raise InvalidInput("file", "The backup contains NUL characters: it is damaged. Nothing was imported.")
    try:
        summary = import_backup(raw, keeper=request.auth, now=clock.now(), replace=replace)
    except OverflowError:  # a date the engine cannot reach (e.g. arriving in 9999); the import rolled back
        raise InvalidInput(
            "file", "The backup holds a date out of range (such as an arrival in the year 9999). Nothing was imported."
        ) from None
    return Status(201, summary)
