"""Cages and guarded moves, quarantines and health checks, introductions and their meetings."""

from datetime import date, datetime, timedelta

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from .. import clock
from ..domain import vocab
from ..domain.arrivals import arrivals_protocol
from ..services import arrivals as svc
from ..services import shapes
from ..services.progress import local_today
from ..services.shapes import (
    AlertOut,
    CageOut,
    HealthCheckOut,
    IntroductionDetail,
    IntroductionOut,
    MovedOut,
    QuarantineOut,
)
from . import common
from .errors import errors

router = Router(tags=["arrivals"])


@router.get(
    "/households/{hid}/cages",
    response={200: list[CageOut], **errors(404)},
    summary="Cages and the active animals living in each",
)
@paginate(common.Pages)
def list_cages(request, hid: str):
    h = common.household(request, hid)
    return common.Rendered(svc.cages_with_residents(h), shapes.cage_out)


class MoveIn(Schema):
    cage: str = Field(description='The cage to move into (created if new); "" takes the animal out of its cage.')
    override_reason: str = Field("", description="Owners only: why a refused move should happen anyway (recorded).")


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
    return shapes.moved_out(a, moved)


# --- quarantine ---------------------------------------------------------------------------


@router.get(
    "/households/{hid}/quarantines",
    response={200: list[QuarantineOut], **errors(404)},
    summary="Animals in quarantine today and the days left",
)
@paginate(common.Pages)
def quarantines(request, hid: str):
    h = common.household(request, hid)
    today = local_today(h, clock.now())
    return [shapes.quarantine_out(a, q) for a, q in svc.in_quarantine(h, today)]


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
    return Status(201, shapes.health_check_out(a, check, svc.quarantine_of(a, today)))


# --- introductions ------------------------------------------------------------------------


@router.get(
    "/households/{hid}/introductions",
    response={200: list[IntroductionOut], **errors(404)},
    summary="Introductions under way, and the stage each has reached",
)
@paginate(common.Pages)
def list_introductions(request, hid: str):
    h = common.household(request, hid)
    today = local_today(h, clock.now())

    return common.Rendered(
        svc.active_introductions(h), render_page=lambda intros: shapes.introductions_out(intros, today)
    )


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
    return Status(201, shapes.introduction_detail(intro, today))


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
    return shapes.introduction_detail(intro, local_today(h, clock.now()))


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
