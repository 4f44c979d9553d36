"""Cages and guarded moves, quarantines and health checks, introductions and their meetings."""

from datetime import date, datetime, timedelta

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from .. import clock
from ..domain import vocab
from ..domain.arrivals import arrivals_protocol
from ..models import Introduction
from ..services import arrivals as svc
from ..services import selectors
from ..services.progress import local_today
from . import common
from .animals import AlertOut
from .errors import errors

router = Router(tags=["arrivals"])


class AnimalRef(Schema):
    id: str
    name: str


class CageOut(Schema):
    id: str
    name: str
    animals: list[AnimalRef]


@router.get(
    "/households/{hid}/cages",
    response={200: list[CageOut], **errors(404)},
    summary="Cages and the active animals living in each",
)
@paginate(common.Pages)
def list_cages(request, hid: str):
    h = common.household(request, hid)
    return common.Rendered(
        svc.cages_with_residents(h),
        lambda c: {"id": c.public_id, "name": c.name, "animals": _refs(c.residents)},
    )


class MoveIn(Schema):
    cage: str = Field(description='The cage to move into (created if new); "" takes the animal out of its cage.')
    override_reason: str = Field("", description="Owners only: why a refused move should happen anyway (recorded).")


class MovedOut(Schema):
    animal: str
    cage: str | None
    alerts: list[AlertOut]


@router.post(
    "/households/{hid}/animals/{aid}/move",
    response={200: MovedOut, **errors(400, 403, 404, 409)},
    summary='Move an animal into a cage (created if new), or out with cage ""; '
    "refused with every reason (409) unless an owner overrides with a written reason",
)
def move(request, hid: str, aid: str, data: MoveIn):
    h = common.household(request, hid, write=True)
    a = common.animal(request, h, aid, write=True)
    moved = svc.move_animal(
        keeper=request.auth,
        animal=a,
        cage_name=data.cage,
        day=local_today(h, clock.now()),
        override_reason=data.override_reason,
    )
    return {
        "animal": a.public_id,
        "cage": moved.cage.name if moved.cage else None,
        "alerts": [x.to_dict() for x in moved.alerts],
    }


# --- quarantine ---------------------------------------------------------------------------


class QuarantineOut(Schema):
    animal: str
    animal_name: str
    started_on: date
    ends_on: date
    days_left: int
    air_space: str
    air_space_ok: bool
    last_sign_on: date | None


@router.get(
    "/households/{hid}/quarantines",
    response={200: list[QuarantineOut], **errors(404)},
    summary="Animals in quarantine today and the days left",
)
@paginate(common.Pages)
def quarantines(request, hid: str):
    h = common.household(request, hid)
    today = local_today(h, clock.now())
    return [
        {
            "animal": a.public_id,
            "animal_name": a.name,
            "started_on": q.started_on,
            "ends_on": q.ends_on,
            "days_left": q.days_left,
            "air_space": q.air_space,
            "air_space_ok": q.air_space_ok,
            "last_sign_on": q.last_sign_on,
        }
        for a, q in svc.in_quarantine(h, today)
    ]


class HealthCheckIn(Schema):
    day: date | None = Field(None, description="Default: the household's today.")
    signs: list[str] = Field(
        [],
        description="Signs seen (none: all well), any of: "
        + ", ".join(
            k
            for k, o in vocab.OBSERVATIONS.items()
            if o.signal in (vocab.Signal.HEALTH, vocab.Signal.NEUTRAL, vocab.Signal.CLEARED)
        )
        + ".",
    )
    notes: str = ""


class HealthCheckOut(Schema):
    animal: str
    day: date
    signs: list[str]
    notes: str
    quarantine_ends_on: date | None


@router.post(
    "/households/{hid}/animals/{aid}/health-checks",
    response={201: HealthCheckOut, **errors(400, 403, 404)},
    summary="Record a daily health check (illness signs pause handling and extend quarantine)",
)
def health_check(request, hid: str, aid: str, data: HealthCheckIn):
    h = common.household(request, hid, write=True)
    a = common.animal(request, h, aid, write=True)
    now = clock.now()
    today = local_today(h, now)
    check = svc.record_health_check(
        keeper=request.auth,
        animal=a,
        day=common.day_of(h, data.day, "day"),
        signs=data.signs,
        notes=data.notes,
        now=now,
    )
    q = svc.quarantine_of(a, today)
    return Status(
        201,
        {
            "animal": a.public_id,
            "day": check.day,
            "signs": check.signs,
            "notes": check.notes,
            "quarantine_ends_on": q.ends_on if q else None,
        },
    )


# --- introductions ------------------------------------------------------------------------


class StageChangeOut(Schema):
    day: date
    stage: str
    direction: str
    reason: str


class IntroductionOut(Schema):
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


class MeetingOut(Schema):
    id: str
    started_at: datetime
    day: date
    duration_seconds: int
    behaviours: list[str]
    notes: str


class IntroductionDetail(IntroductionOut):
    meetings: list[MeetingOut]


def _refs(animals) -> list[dict]:
    """Animals by name: a list, or a relation already fetched (prefetch_related), read without a query."""
    rows = animals if isinstance(animals, list) else list(animals.all())
    return [{"id": a.public_id, "name": a.name} for a in sorted(rows, key=lambda a: (a.name, a.pk))]


def introduction_json(
    intro: Introduction, day: date, meetings: bool = False, progress: svc.IntroductionProgress | None = None
) -> dict:
    p = progress or svc.introduction_of(intro, day)
    data = {
        "id": intro.public_id,
        "newcomers": _refs(intro.newcomers),
        "residents": _refs(intro.residents),
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
            {"day": c.day, "stage": c.stage_id, "direction": c.direction, "reason": c.reason} for c in p.history
        ],
    }
    if meetings:
        data["meetings"] = [
            {
                "id": m.public_id,
                "started_at": m.started_at,
                "day": m.day,
                "duration_seconds": m.duration_seconds,
                "behaviours": m.behaviours,
                "notes": m.notes,
            }
            for m in selectors.meetings_of(intro)
        ]
    return data


@router.get(
    "/households/{hid}/introductions",
    response={200: list[IntroductionOut], **errors(404)},
    summary="Introductions under way, and the stage each has reached",
)
@paginate(common.Pages)
def list_introductions(request, hid: str):
    h = common.household(request, hid)
    today = local_today(h, clock.now())

    def page(intros: list[Introduction]) -> list[dict]:
        found = svc.introductions_of(intros, today)
        return [introduction_json(i, today, progress=found[i.pk]) for i in intros]

    return common.Rendered(svc.active_introductions(h), render_page=page)


class IntroductionIn(Schema):
    newcomers: list[str] = Field(description="Ids of the animals joining.")
    residents: list[str] = Field(description="Ids of the animals already there.")
    cage: str | None = Field(None, description="The cage they will share.")


@router.post(
    "/households/{hid}/introductions",
    response={201: IntroductionDetail, **errors(400, 403, 404)},
    summary="Start a staged introduction of newcomers to residents",
)
def start_introduction(request, hid: str, data: IntroductionIn):
    h = common.household(request, hid, write=True)
    today = local_today(h, clock.now())
    intro = svc.start_introduction(
        keeper=request.auth,
        household=h,
        newcomers=common.animals_named(h, data.newcomers, "newcomers"),
        residents=common.animals_named(h, data.residents, "residents"),
        cage_name=data.cage,
        day=today,
    )
    return Status(201, introduction_json(intro, today, meetings=True))


def _introduction(request, hid: str, iid: str, write: bool = False):
    h = common.household(request, hid, write=write)
    iid = common.checked_id(iid, "No such introduction.")
    return h, svc.introduction_by_id(keeper=request.auth, household=h, public_id=iid, write=write)


@router.get(
    "/households/{hid}/introductions/{iid}",
    response={200: IntroductionDetail, **errors(404)},
    summary="One introduction, with its meetings and stage history",
)
def get_introduction(request, hid: str, iid: str):
    h, intro = _introduction(request, hid, iid)
    return introduction_json(intro, local_today(h, clock.now()), meetings=True)


class MeetingIn(Schema):
    duration_seconds: int
    started_at: datetime | None = Field(None, description="Default: it just ended (now minus its length).")
    behaviours: list[str] = Field(
        [],
        description="Behaviours seen, any of: "
        + ", ".join([*arrivals_protocol().behaviours.normal, *arrivals_protocol().behaviours.danger])
        + ".",
    )
    notes: str = ""


class MeetingLoggedOut(Schema):
    id: str
    stage: str
    stage_title: str
    alerts: list[AlertOut]


@router.post(
    "/households/{hid}/introductions/{iid}/meetings",
    response={201: MeetingLoggedOut, **errors(400, 403, 404)},
    summary="Log a meeting on neutral ground; danger signs send the introduction back a stage",
)
def log_meeting(request, hid: str, iid: str, data: MeetingIn):
    h, intro = _introduction(request, hid, iid, write=True)
    now = clock.now()
    if data.started_at is not None:
        start = common.moment_of(h, data.started_at, "started_at")
    else:  # the service refuses lengths out of range; the bound only keeps the arithmetic safe
        start = now - timedelta(seconds=max(0, min(data.duration_seconds, 24 * 3600)))
    with common.fields_renamed({"duration": "duration_seconds"}):
        logged = svc.log_meeting(
            keeper=request.auth,
            intro=intro,
            started_at=start,
            duration_seconds=data.duration_seconds,
            behaviours=data.behaviours,
            notes=data.notes,
            now=now,
        )
    return Status(
        201,
        {
            "id": logged.meeting.public_id,
            "stage": logged.progress.stage_id,
            "stage_title": logged.progress.stage_title,
            "alerts": [x.to_dict() for x in logged.alerts],
        },
    )


class CleanedIn(Schema):
    day: date | None = Field(None, description="Default: the household's today.")


class CleanedOut(Schema):
    id: str
    cage_cleaned_on: date


@router.post(
    "/households/{hid}/introductions/{iid}/cleaned",
    response={200: CleanedOut, **errors(400, 403, 404)},
    summary="Record that the shared cage was washed and rearranged",
)
def cage_cleaned(request, hid: str, iid: str, data: CleanedIn | None = None):
    h, intro = _introduction(request, hid, iid, write=True)
    day = common.day_of(h, data.day if data else None, "day")
    with common.fields_renamed({"date": "day"}):
        svc.mark_cage_cleaned(keeper=request.auth, intro=intro, day=day, today=local_today(h, clock.now()))
    return {"id": intro.public_id, "cage_cleaned_on": day}
