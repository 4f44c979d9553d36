"""Protocols: the ladders, the lab protocols and the household's own; uploading one; moving an animal."""

from typing import Literal

from ninja import Field, Router, Schema, Status

from .. import clock
from ..domain.protocol import Protocol
from ..services import protocols as svc
from . import common
from .errors import errors

router = Router(tags=["protocols"])


class TermOut(Schema):
    name: str
    label: str
    meaning: str
    role: str | None = None  # activities: what the guardrails read it as
    signal: str | None = None  # observations: up, down, neutral or health


class MeasureOut(Schema):
    name: str
    label: str
    unit: str
    min: float
    max: float
    whole: bool
    fear_sign: bool


class BoutsOut(Schema):
    on_seconds: int
    rest_seconds: int
    total_seconds: int
    on_label: str
    rest_label: str


class StepOut(Schema):
    id: str
    kind: str
    title: str
    summary: str
    allows: list[str] = Field(description="The activities that belong to this step (besides the daily ones).")
    technique: list[str]
    measures: list[str]
    bouts: BoutsOut | None


class ProtocolOut(Schema):
    ref: str = Field(description="What to send to use it: \"ladder\", a lab protocol's id, or the household's own.")
    kind: str = Field(description="ladder, lab or household")
    id: str
    version: int
    title: str
    species: list[str]
    summary: str
    sources_cited: list[str]
    activities: list[TermOut] = Field(description="The protocol's own activities, besides GET /vocab's.")
    observations: list[TermOut] = Field(description="The protocol's own observations, besides GET /vocab's.")
    measures: list[MeasureOut]
    steps: list[StepOut]


def protocol_out(choice: svc.Choice) -> ProtocolOut:
    p: Protocol = choice.protocol
    return ProtocolOut(
        ref=choice.ref,
        kind=choice.kind,
        id=p.id,
        version=p.version,
        title=p.title,
        species=list(p.species),
        summary=p.summary,
        sources_cited=list(p.sources_cited),
        activities=[TermOut(name=a.name, label=a.label, meaning=a.meaning, role=a.role) for a in p.activities],
        observations=[TermOut(name=o.name, label=o.label, meaning=o.meaning, signal=o.signal) for o in p.observations],
        measures=[MeasureOut(**m.model_dump(exclude={"meaning"})) for m in p.measures],
        steps=[
            StepOut(
                id=s.id,
                kind=s.kind.value,
                title=s.title,
                summary=s.summary,
                allows=list(s.allows),
                technique=list(s.technique),
                measures=list(s.measures),
                bouts=BoutsOut(**s.bouts.model_dump()) if s.bouts else None,
            )
            for s in p.steps
        ],
    )


@router.get(
    "/households/{hid}/protocols",
    response={200: list[ProtocolOut], **errors(404)},
    summary="Every protocol the household's animals can follow (its own at their latest version)",
)
def list_protocols(request, hid: str):
    h = common.household(request, hid)
    return [protocol_out(c) for c in svc.choices(h)]


class ProtocolUpload(Schema):
    text: str = Field(max_length=svc.PROTOCOL_TEXT_MAX, description="The protocol file's TOML text.")
    file: str = Field("protocol.toml", max_length=200, description="Its file name, for error messages.")


@router.post(
    "/households/{hid}/protocols",
    response={201: ProtocolOut, **errors(400, 403, 404)},
    summary="Upload a household protocol (owners): a new id, or a new version of one; checked in full first",
)
def upload_protocol(request, hid: str, data: ProtocolUpload):
    h = common.household(request, hid, write=True)
    row = svc.add_protocol(keeper=request.auth, household=h, text=data.text, file=data.file, now=clock.now())
    return Status(201, protocol_out(svc.household_choice(row)))


class MoveIn(Schema):
    to: str = Field(description="The protocol to follow: \"ladder\", a lab protocol's id, or the household's own.")
    how: Literal["mapped", "restarted"] = Field(
        "mapped", description="mapped: keep its place (the same step, or the same point); restarted: start over."
    )


class MoveOut(Schema):
    animal: str
    from_title: str
    from_step: str
    to_title: str
    to_step: str
    how: str


@router.post(
    "/households/{hid}/animals/{aid}/protocol",
    response={200: MoveOut, **errors(400, 403, 404)},
    summary="Move an animal to another protocol or version (owners); recorded, history kept",
)
def move_to_protocol(request, hid: str, aid: str, data: MoveIn):
    h = common.household(request, hid, write=True)
    animal = common.animal(request, h, aid, write=True)
    move = svc.move_animal(keeper=request.auth, household=h, animal=animal, to=data.to, how=data.how, now=clock.now())
    return MoveOut(
        animal=animal.public_id,
        from_title=move.from_title,
        from_step=move.from_step,
        to_title=move.to_title,
        to_step=move.to_step,
        how=move.how,
    )
