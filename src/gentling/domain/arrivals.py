"""New arrivals: quarantine, staged introductions and the housing guardrail.

Pure functions over plain values, like the handling engine. The rules and
figures come from protocols/quarantine.toml (domain.md sections 1, 2 and 8):
- quarantine lasts the protocol's days (fewer for a trusted breeder's animal);
  an illness sign extends it to at least `after_sign_days` after the sign;
- an introduction starts once every newcomer's quarantine is over, and moves
  stage by stage on days and good meetings; a danger sign stops the meeting
  ("separate now") and moves the introduction back a stage;
- moving an animal in with others is refused while a quarantine runs, before
  the introduction reached move-in, or when it would mix an intact male and a
  female of breeding age.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .protocol import ProtocolError

BREEDING_AGE_DAYS = 35  # rats and mice: treat as able to breed from 5 weeks (domain.md 2 and 8)
NEUTER_FERTILE_DAYS = 42  # a newly neutered male is treated as fertile for 6 weeks
ADULT_DAYS = 84  # treated as adult by other animals from about 12 weeks
MEETING_STEP_SECONDS = 15 * 60
MEETING_MAX_SECONDS = 3 * 3600

AirSpace = Literal["separate_building", "another_room", "same_room"]  # where a newcomer spends its quarantine


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DailyItem(_Strict):
    text: str


class QuarantineRules(_Strict):
    days: int = Field(ge=1, le=60)
    breeder_days: int = Field(ge=1, le=60)
    after_sign_days: int = Field(ge=1, le=60)
    after_sign_rule: Literal["extend", "restart"]
    why: str
    air_space: dict[AirSpace, str]
    daily: list[DailyItem]

    @model_validator(mode="after")
    def _a_note_for_every_air_space(self) -> QuarantineRules:
        missing = [a for a in get_args(AirSpace) if a not in self.air_space]
        if missing:  # a quarantine in that air space would have no advice to show
            raise ValueError(f"air_space needs a note for each of: {', '.join(missing)}")
        return self


class Stage(_Strict):
    id: str
    title: str
    summary: str
    min_days: int = Field(ge=0, le=60)
    meetings: int = Field(ge=0, le=50)
    needs_cage_cleaned: bool = False
    tips: list[str] = []


class IntroductionRules(_Strict):
    why: str
    good_meeting_seconds: int = Field(ge=60, le=6 * 3600)
    first_meeting_seconds: int = Field(ge=60, le=6 * 3600)
    baby_min_days: int = Field(ge=0, le=200)
    separate_advice: str
    stages: list[Stage] = Field(min_length=2)


class Behaviours(_Strict):
    normal: dict[str, str]
    danger: dict[str, str]


class ArrivalsProtocol(_Strict):
    id: str
    version: int
    title: str
    quarantine: QuarantineRules
    introduction: IntroductionRules
    behaviours: Behaviours


@cache
def arrivals_protocol() -> ArrivalsProtocol:
    text = resources.files("gentling").joinpath("protocols", "quarantine.toml").read_text(encoding="utf-8")
    return load_arrivals_text(text, "quarantine.toml")


def load_arrivals_text(text: str, name: str) -> ArrivalsProtocol:
    try:
        return ArrivalsProtocol.model_validate(tomllib.loads(text))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ProtocolError(name, err["msg"], None, ".".join(map(str, err["loc"]))) from None


# --- quarantine ----------------------------------------------------------------


@dataclass(frozen=True)
class QuarantineStatus:
    started_on: date
    ends_on: date
    days_left: int
    done: bool
    last_sign_on: date | None
    air_space: AirSpace
    air_space_note: str
    air_space_ok: bool


def quarantine_status(
    p: ArrivalsProtocol, *, started_on: date, source: str, air_space: AirSpace, sign_days: list[date], day: date
) -> QuarantineStatus:
    rules = p.quarantine
    base = rules.breeder_days if source == "breeder" else rules.days
    ends_on = started_on + timedelta(days=base)
    last_sign = None
    for sign in sorted(d for d in sign_days if started_on <= d <= day):
        if sign >= ends_on:
            break  # a sign after the quarantine ended is a health matter, not a new quarantine
        last_sign = sign
        after = sign + timedelta(days=rules.after_sign_days)
        ends_on = max(ends_on, after) if rules.after_sign_rule == "extend" else sign + timedelta(days=rules.days)
    return QuarantineStatus(
        started_on=started_on,
        ends_on=ends_on,
        days_left=max(0, (ends_on - day).days),
        done=day >= ends_on,
        last_sign_on=last_sign,
        air_space=air_space,
        air_space_note=rules.air_space[air_space],
        air_space_ok=air_space == "separate_building",
    )


# --- introductions -------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    id: str
    at: datetime
    day: date
    duration_seconds: int
    behaviours: frozenset[str]


@dataclass(frozen=True)
class StageChange:
    day: date
    stage_id: str
    direction: str  # "start", "up" or "back"
    reason: str


@dataclass(frozen=True)
class IntroductionProgress:
    stage_index: int
    stage_id: str
    stage_title: str
    entered_on: date | None
    waiting_for_quarantine_until: date | None
    good_meetings: int
    meetings_needed: int
    next_meeting_seconds: int
    last_danger: Meeting | None
    history: tuple[StageChange, ...]
    at_move_in: bool


@dataclass
class _Intro:
    p: ArrivalsProtocol
    index: int = 0
    entered_on: date | None = None
    good: int = 0
    longest_good: int = 0
    last_danger: Meeting | None = None
    history: list[StageChange] = field(default_factory=list)


def danger_signs(p: ArrivalsProtocol, behaviours: Iterable[str]) -> list[str]:
    return [b for b in behaviours if b in p.behaviours.danger]


def introduction_progress(
    p: ArrivalsProtocol,
    *,
    started_on: date,
    quarantine_done_on: date | None,
    cage_cleaned_on: date | None,
    meetings: list[Meeting],
    day: date,
) -> IntroductionProgress:
    """Replay an introduction's meetings. `quarantine_done_on` is the day every animal
    involved is out of quarantine (None: not yet known to end by `day`)."""
    stages = p.introduction.stages
    state = _Intro(p)
    begins = max(started_on, quarantine_done_on) if quarantine_done_on else None
    waiting = None
    if begins is None or begins > day:
        waiting = begins
    else:
        state.entered_on = begins
        state.history.append(StageChange(begins, stages[0].id, "start", "Quarantine over: the introduction begins"))
        current = begins
        for m in sorted((m for m in meetings if begins <= m.day <= day), key=lambda m: (m.at, m.id)):
            current = _advance_days(state, current, m.day, cage_cleaned_on)
            _meet(state, m)
        _advance_days(state, current, day, cage_cleaned_on)
    stage = stages[state.index]
    step = MEETING_STEP_SECONDS
    next_len = min(MEETING_MAX_SECONDS, max(p.introduction.first_meeting_seconds, state.longest_good + step))
    return IntroductionProgress(
        stage_index=state.index,
        stage_id=stage.id,
        stage_title=stage.title,
        entered_on=state.entered_on,
        waiting_for_quarantine_until=waiting,
        good_meetings=state.good,
        meetings_needed=stage.meetings,
        next_meeting_seconds=next_len,
        last_danger=state.last_danger,
        history=tuple(state.history),
        at_move_in=state.index == len(stages) - 1,
    )


def _advance_days(state: _Intro, current: date, until: date, cage_cleaned_on: date | None) -> date:
    while True:
        while _try_up(state, current, cage_cleaned_on):
            pass  # stages with nothing left to wait for pass on the same day
        if current >= until:
            return current
        current += timedelta(days=1)


def _try_up(state: _Intro, day: date, cage_cleaned_on: date | None) -> bool:
    stages = state.p.introduction.stages
    stage = stages[state.index]
    if state.index == len(stages) - 1:
        return False
    assert state.entered_on is not None  # days are only passed once the introduction has begun
    if (day - state.entered_on).days < stage.min_days or state.good < stage.meetings:
        return False
    if stage.needs_cage_cleaned and not (cage_cleaned_on and state.entered_on <= cage_cleaned_on <= day):
        return False
    _enter(state, state.index + 1, day, "up", f"'{stage.title}' done")
    return True


def _enter(state: _Intro, index: int, day: date, direction: str, reason: str) -> None:
    state.index, state.entered_on, state.good, state.longest_good = index, day, 0, 0
    state.history.append(StageChange(day, state.p.introduction.stages[index].id, direction, reason))


def _meet(state: _Intro, m: Meeting) -> None:
    danger = danger_signs(state.p, m.behaviours)
    if danger:
        state.last_danger = m
        meetings_stage = next(i for i, s in enumerate(state.p.introduction.stages) if s.meetings > 0)
        # Back one stage; from after the meetings, back to the meetings.
        back = max(0, min(state.index - 1, meetings_stage))
        labels = ", ".join(state.p.behaviours.danger[d].lower() for d in danger)
        _enter(state, back, m.day, "back", f"Danger on {m.day.isoformat()}: {labels}. Separated.")
        return
    if m.duration_seconds >= state.p.introduction.good_meeting_seconds:
        state.good += 1
    state.longest_good = max(state.longest_good, m.duration_seconds)


# --- housing --------------------------------------------------------------------


@dataclass(frozen=True)
class Resident:
    """What the housing guardrail needs to know about one animal."""

    id: str
    name: str
    species: str
    sex: str  # female, male, unknown
    birth_date: date | None
    neutered_on: date | None
    in_quarantine_until: date | None  # None: not in quarantine
    cohort: str | None = None  # animals that arrived together live together from the start


@dataclass(frozen=True)
class HousingProblem:
    code: str
    blocking: bool
    message: str


def _breeding(a: Resident, day: date) -> bool:
    return a.birth_date is None or (day - a.birth_date).days >= BREEDING_AGE_DAYS


def _fertile_male(a: Resident, day: date) -> bool:
    if a.sex != "male" or not _breeding(a, day):
        return False
    return a.neutered_on is None or (day - a.neutered_on).days < NEUTER_FERTILE_DAYS


def housing_problems(
    animal: Resident, residents: list[Resident], *, introduced: bool, day: date
) -> list[HousingProblem]:
    """Why `animal` should not move in with `residents` on `day` (empty list: it may)."""
    others = [r for r in residents if r.id != animal.id]
    if not others:
        return []
    problems: list[HousingProblem] = []
    strangers = [r for r in others if animal.cohort is None or r.cohort != animal.cohort]
    for a in [animal, *strangers] if strangers else []:
        if a.in_quarantine_until and a.in_quarantine_until > day:
            problems.append(
                HousingProblem(
                    "quarantine_not_finished",
                    True,
                    f"{a.name} is in quarantine until {a.in_quarantine_until.isoformat()}: "
                    "quarantine first, then a staged introduction.",
                )
            )
    if strangers and not introduced:
        names = ", ".join(r.name for r in strangers)
        problems.append(
            HousingProblem(
                "introduction_not_done",
                True,
                f"{animal.name} has not been introduced to {names} up to the move-in "
                "step. Strangers put straight into a "
                "resident cage can be severely injured or killed.",
            )
        )
    group = [animal, *others]
    males = [a for a in group if _fertile_male(a, day)]
    females = [a for a in group if a.sex == "female" and _breeding(a, day)]
    unknown = [a for a in group if a.sex == "unknown" and _breeding(a, day)]
    if males and females:
        problems.append(
            HousingProblem(
                "sexes_mixed",
                True,
                f"This would house {males[0].name} (an intact male, or neutered under 6 "
                f"weeks ago) with {females[0].name} "
                f"(female): rats and mice can breed from {BREEDING_AGE_DAYS // 7} weeks old.",
            )
        )
    elif unknown and (males or females or len(unknown) > 1):
        problems.append(
            HousingProblem(
                "sex_unknown",
                True,
                f"The sex of {unknown[0].name} is not recorded and they are old enough to breed: sex them first.",
            )
        )
    adults = [a for a in group if a.birth_date and (day - a.birth_date).days >= ADULT_DAYS]
    babies = [a for a in group if a.birth_date and (day - a.birth_date).days < 70]
    if adults and babies:
        problems.append(
            HousingProblem(
                "baby_with_adults",
                False,
                f"{babies[0].name} is under 10 weeks: an adult can kill an unfamiliar baby with one bite. "
                "Introduce babies in pairs, with great care.",
            )
        )
    adult_males = [
        a
        for a in group
        if a.sex == "male" and a.neutered_on is None and a.birth_date and (day - a.birth_date).days >= ADULT_DAYS
    ]
    if len(adult_males) >= 2:
        mice = animal.species == "mouse"
        problems.append(
            HousingProblem(
                "adult_males",
                mice,
                "Adult male mice usually fight: housing them together is refused unless an owner overrides it."
                if mice
                else "Adult intact males are the riskiest pairing: watch closely; neutering "
                "reduces, not removes, aggression.",
            )
        )
    return problems
