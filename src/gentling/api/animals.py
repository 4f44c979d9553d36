"""Animals: list, add, show, edit, and an animal's progress on its ladder."""

import datetime as dt
from datetime import date

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from .. import clock
from ..domain import vocab
from ..models import Quarantine
from ..services import selectors, shapes
from ..services.animals import AnimalDetails, add_animal, edit_animal
from ..services.progress import local_today, progress_of
from ..services.shapes import AnimalOut, AnimalSaved
from . import common
from .errors import errors

router = Router(tags=["animals"])


class AnimalFilter(Schema):
    status: str | None = Field(None, description=common.one_of(vocab.STATUSES) + " Without it: every animal.")


@router.get(
    "/households/{hid}/animals",
    response={200: list[AnimalOut], **errors(404)},
    summary="The household's animals, by name",
)
@paginate(common.Pages)
def list_animals(request, hid: str, q: Query[AnimalFilter]):
    h = common.household(request, hid)
    today = local_today(h, clock.now())
    animals = selectors.animals_listed(h, status=q.status or None)

    return common.Rendered(animals, render_page=lambda rows: shapes.animals_out(rows, today))


CAGE = "A cage name (created if new); moving into an occupied cage is guarded (409)."
OVERRIDE = "Owners only: why a refused cage move should happen anyway (recorded)."


class AnimalIn(Schema):
    name: str
    species: str = Field(description=common.one_of(vocab.SPECIES))
    source: str = Field(description=common.one_of(vocab.SOURCES) + " Sets the pace of the ladder.")
    sex: str | None = Field(None, description=common.one_of(vocab.SEXES))
    arrival_date: date | None = Field(None, description="Default: today.")
    birth_date: date | None = None
    birth_date_estimated: bool | None = None
    cage: str | None = Field(None, description=CAGE)
    notes: str | None = None
    extended_hold_opt_in: bool | None = None
    neutered_on: date | None = None
    air_space: str | None = Field(
        None, description="Where a newcomer spends its quarantine. " + common.one_of(dict(Quarantine.AIR_SPACES))
    )
    override_reason: str = Field("", description=OVERRIDE)
    protocol: str | None = Field(
        None,
        description='The protocol it follows: "ladder" (default: the handling ladder of its species), '
        "a lab protocol or the household's own (GET .../protocols). To change it later, move it (.../protocol).",
    )


class AnimalPatch(Schema):
    """Only the fields sent change. A null birth_date or neutered_on clears it; cage "" takes it out of its cage."""

    name: str | None = None
    species: str | None = Field(None, description=common.one_of(vocab.SPECIES))
    source: str | None = Field(None, description=common.one_of(vocab.SOURCES))
    sex: str | None = Field(None, description=common.one_of(vocab.SEXES))
    status: str | None = Field(None, description=common.one_of(vocab.STATUSES))
    arrival_date: date | None = None
    birth_date: date | None = None
    birth_date_estimated: bool | None = None
    cage: str | None = Field(None, description=CAGE)
    notes: str | None = None
    extended_hold_opt_in: bool | None = None
    neutered_on: date | None = None
    override_reason: str = Field("", description=OVERRIDE)


def _details(data: AnimalIn | AnimalPatch) -> AnimalDetails:
    sent = data.model_fields_set
    values = {k: v for k, v in data.model_dump(exclude_unset=True).items() if k in AnimalDetails.__dataclass_fields__}
    details = AnimalDetails(**values)
    details.clear_birth_date = "birth_date" in sent and data.birth_date is None
    details.clear_neutered_on = "neutered_on" in sent and data.neutered_on is None
    return details


@router.post(
    "/households/{hid}/animals",
    response={201: AnimalSaved, **errors(400, 403, 404, 409)},
    summary="Add an animal (a newcomer starts in quarantine; its cage move is guarded)",
)
def create_animal(request, hid: str, data: AnimalIn):
    h = common.household(request, hid, write=True)
    today = local_today(h, clock.now())
    a, alerts = add_animal(keeper=request.auth, household=h, details=_details(data), today=today)
    return Status(201, shapes.animal_saved(a, today, alerts))


@router.get("/households/{hid}/animals/{aid}", response={200: AnimalOut, **errors(404)}, summary="One animal")
def get_animal(request, hid: str, aid: str):
    h = common.household(request, hid)
    return shapes.animal_out(common.animal(request, h, aid), local_today(h, clock.now()))


@router.patch(
    "/households/{hid}/animals/{aid}",
    response={200: AnimalSaved, **errors(400, 403, 404, 409)},
    summary="Change an animal's details",
)
def patch_animal(request, hid: str, aid: str, data: AnimalPatch):
    h = common.household(request, hid, write=True)
    a = common.animal(request, h, aid, write=True)
    today = local_today(h, clock.now())
    a, alerts = edit_animal(keeper=request.auth, animal=a, details=_details(data), today=today)
    return shapes.animal_saved(a, today, alerts)


# --- progress -----------------------------------------------------------------------------


class StepChangeOut(Schema):
    day: date
    from_step: str | None
    to_step: str
    direction: str
    reason: str


class EvidenceOut(Schema):
    sessions_have: int
    sessions_needed: int
    days_have: int
    days_needed: int
    days_at_step: int
    min_days_at_step: int
    for_moving: list[str]
    against_moving: list[str]


class MilestoneOut(Schema):
    step_id: str
    title: str
    expected_date: date | None
    needs: str


class ProgressOut(Schema):
    animal: str
    animal_id: str
    protocol_id: str
    as_of: date
    step_id: str
    step_index: int
    step_title: str
    entered_on: date
    day_number: int
    settled_on: date
    hold_target_seconds: int | None
    hold_allowed_seconds: int | None
    paused_since: date | None
    evidence: EvidenceOut | None
    history: list[StepChangeOut]
    next_milestone: MilestoneOut | None
    sessions_counted: int


class DayQuery(Schema):
    date: dt.date | None = None


@router.get(
    "/households/{hid}/animals/{aid}/progress",
    response={200: ProgressOut, **errors(400, 404)},
    summary="An animal's step, the evidence for moving, its history and next milestone",
)
def progress(request, hid: str, aid: str, q: Query[DayQuery]):
    h = common.household(request, hid)
    a = common.animal(request, h, aid)
    day = common.day_of(h, q.date)
    return {"animal": a.name, "animal_id": a.public_id, **progress_of(a, day).to_dict()}
