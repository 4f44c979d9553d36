"""Protocols: the method as data.

A protocol is a TOML file: an ordered ladder of steps, each with what to do
(activities, how often, targets), what to avoid, when an animal may move up
and what moves it back, plus the source modifiers (breeder, pet store, ...).
This module validates such a file and turns it into frozen objects for the
engine. A broken file raises `ProtocolError`, which names the file, the step
and the field, so a keeper writing their own protocol can fix it.
"""

from __future__ import annotations

import math
import string
import tomllib
from collections.abc import Collection, Iterable
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import vocab

EXTENDED_HOLD_MIN_SECONDS = 20 * 60  # the guide's "at least 20 minutes"


class ProtocolError(ValueError):
    """A protocol file that cannot be used, with where the problem is."""

    def __init__(self, file: str, message: str, step: str | None = None, field: str | None = None):
        self.file, self.step, self.field, self.message = file, step, field, message
        where = [file]
        if step:
            where.append(f"step '{step}'")
        if field:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Count = Annotated[int, Field(ge=0, le=1000)]
Seconds = Annotated[int, Field(ge=1, le=4 * 3600)]


class StepKind(str, Enum):
    SETTLING = "settling"  # the first days at home: voice only, no handling
    LADDER = "ladder"  # an ordinary rung, climbed on evidence
    EXTENDED_HOLD = "extended_hold"  # optional, opt-in, after basic trust
    MAINTENANCE = "maintenance"  # trusts you: keep it up


class PlanItem(_Strict):
    """One line of a day's plan: do `activity`, `times_per_day` times."""

    activity: str
    text: str = Field(min_length=1, max_length=300)
    times_per_day: Annotated[int, Field(ge=1, le=10)] = 1


class Holds(_Strict):
    """Hold targets at a step: a fixed short hold, or one that grows daily."""

    start_seconds: Seconds
    max_seconds: Seconds | None = None  # longest pick-up this step allows
    grows: bool = False  # grows by the source's hold growth on each day the target was reached calmly
    trust_seconds: Seconds | None = None  # a growing target stops here


class Advance(_Strict):
    """The evidence that moves an animal up from this step.

    A session qualifies when it has every activity in `requires_activities`,
    at least one of `requires_any_observation` (when given), none of the
    protocol's fear signs, and (when given) a hold of `min_hold_seconds`.
    `sessions` and `distinct_days` are scaled by the source's evidence factor.
    """

    min_days_at_step: Count = 0
    sessions: Count = 0
    distinct_days: Count = 0
    requires_activities: list[str] = []
    requires_any_observation: list[str] = []
    min_hold_seconds: Seconds | None = None
    requires_completed_extended_hold: bool = False


class Setback(_Strict):
    """What moves an animal back one step."""

    on_any: list[str] = []  # one session with any of these
    on_repeated: list[str] = []  # `repeated_in` of the last `repeated_window` sessions
    repeated_in: Annotated[int, Field(ge=1, le=20)] = 2
    repeated_window: Annotated[int, Field(ge=1, le=20)] = 3
    on_extended_hold_stop: bool = False


class Step(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")]
    kind: StepKind = StepKind.LADDER
    title: str = Field(min_length=1, max_length=80)
    summary: str = Field(min_length=1, max_length=300)
    why: str = Field(min_length=1)
    allows: list[str] = []  # activities that belong to this step (besides the daily ones)
    plan: list[PlanItem] = []
    avoid: list[str] = []
    cautions: list[str] = []
    stop_rules: list[str] = []
    holds: Holds | None = None
    advance: Advance | None = None
    setback: Setback = Setback()


class SourceModifier(_Strict):
    settling_days: Annotated[int, Field(ge=0, le=14)]
    evidence_factor: Annotated[float, Field(ge=0.5, le=3.0)]
    hold_growth_seconds: Annotated[int, Field(ge=1, le=60)]
    note: str = ""


class Protocol(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,60}$")]
    version: Annotated[int, Field(ge=1)]
    title: str
    species: list[Literal["rat", "mouse"]] = Field(min_length=1)
    summary: str
    sources_cited: list[str] = []
    daily: list[PlanItem] = []  # items for every animal, every day, at every step
    fear_signs: list[str] = []  # observations that stop a session counting as evidence
    sources: dict[str, SourceModifier]
    steps: list[Step] = Field(min_length=2)

    @model_validator(mode="after")
    def _names_are_known(self) -> Protocol:
        # Cross-field checks raise _StepProblem so the caller can name the step.
        _check_protocol(self)
        return self

    # --- lookups the engine uses -------------------------------------------------

    def index_of(self, step_id: str) -> int:
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        raise KeyError(step_id)

    def source(self, source: str) -> SourceModifier:
        return self.sources[source]

    def needed(self, base: int, source: str) -> int:
        """Evidence count `base`, scaled for the animal's source (never below 1 if base > 0)."""
        if base <= 0:
            return 0
        return max(1, math.ceil(base * self.sources[source].evidence_factor))

    @property
    def first_handling_index(self) -> int:
        """The lowest step a setback can reach: settling in is never repeated."""
        return next(i for i, s in enumerate(self.steps) if s.kind is not StepKind.SETTLING)


class _StepProblem(ValueError):
    def __init__(self, message: str, step: str | None = None, field: str | None = None):
        super().__init__(message)
        self.step, self.field = step, field


def _check_names(names: Iterable[str], known: Collection[str], what: str, step: str | None, field: str) -> None:
    for name in names:
        if name not in known:
            raise _StepProblem(f"unknown {what} '{name}' (see `gentling vocab`)", step, field)


def _check_text(item: PlanItem, step: str | None, field: str, has_holds: bool = False) -> None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(item.text) if name is not None]
    except ValueError as exc:
        raise _StepProblem(f"broken placeholder ({exc}); write {{times}} or {{hold_seconds}}", step, field) from None
    for name in names:
        if name not in {"times", "hold_seconds"}:
            raise _StepProblem(f"unknown placeholder {{{name}}}; use {{times}} or {{hold_seconds}}", step, field)
        if name == "hold_seconds" and not has_holds:
            raise _StepProblem("uses {hold_seconds} but the step has no [holds] section", step, field)


def _check_protocol(p: Protocol) -> None:
    missing = set(vocab.SOURCES) - set(p.sources)
    if missing:
        raise _StepProblem(f"missing source modifiers: {', '.join(sorted(missing))}", None, "sources")
    _check_names(p.sources, vocab.SOURCES, "source", None, "sources")
    _check_names(p.fear_signs, vocab.OBSERVATIONS, "observation", None, "fear_signs")
    for i, item in enumerate(p.daily):
        _check_names([item.activity], vocab.ACTIVITIES, "activity", None, f"daily[{i}].activity")
        _check_text(item, None, f"daily[{i}].text")
    seen: set[str] = set()
    for i, step in enumerate(p.steps):
        sid = step.id
        if sid in seen:
            raise _StepProblem("step ids must be unique", sid, "id")
        seen.add(sid)
        if (step.kind is StepKind.SETTLING) != (i == 0):
            raise _StepProblem("the first step, and only the first, is the settling-in step", sid, "kind")
        if (step.kind is StepKind.MAINTENANCE) != (i == len(p.steps) - 1):
            raise _StepProblem("the last step, and only the last, is the maintenance step", sid, "kind")
        if step.kind is StepKind.EXTENDED_HOLD and i == 1:
            raise _StepProblem("the extended hold comes only after basic trust", sid, "kind")
        if step.kind is StepKind.SETTLING and step.allows:
            raise _StepProblem("no handling during settling in: leave 'allows' empty", sid, "allows")
        _check_names(step.allows, vocab.ACTIVITIES, "activity", sid, "allows")
        for j, item in enumerate(step.plan):
            _check_names([item.activity], vocab.ACTIVITIES, "activity", sid, f"plan[{j}].activity")
            if item.activity not in step.allows and item.activity not in {d.activity for d in p.daily}:
                raise _StepProblem(f"plans '{item.activity}', which the step does not allow", sid, f"plan[{j}]")
            _check_text(item, sid, f"plan[{j}].text", has_holds=step.holds is not None)
        if step.advance is None and step.kind is not StepKind.MAINTENANCE:
            raise _StepProblem("every step but the last needs an [advance] section", sid, "advance")
        if step.advance is not None:
            if step.kind is StepKind.MAINTENANCE:
                raise _StepProblem("the maintenance step has nowhere to advance to", sid, "advance")
            _check_names(
                step.advance.requires_activities, vocab.ACTIVITIES, "activity", sid, "advance.requires_activities"
            )
            _check_names(
                step.advance.requires_any_observation,
                vocab.OBSERVATIONS,
                "observation",
                sid,
                "advance.requires_any_observation",
            )
            if (
                step.kind is not StepKind.SETTLING
                and step.advance.sessions == 0
                and not step.advance.requires_completed_extended_hold
            ):
                raise _StepProblem("a handling step needs evidence: set sessions to 1 or more", sid, "advance.sessions")
        _check_names(step.setback.on_any, vocab.OBSERVATIONS, "observation", sid, "setback.on_any")
        _check_names(step.setback.on_repeated, vocab.OBSERVATIONS, "observation", sid, "setback.on_repeated")
        if step.setback.repeated_in > step.setback.repeated_window:
            raise _StepProblem("repeated_in cannot exceed repeated_window", sid, "setback.repeated_in")
        h = step.holds
        if h is not None:
            if "picked_up" not in step.allows:
                raise _StepProblem("has hold targets but does not allow 'picked_up'", sid, "holds")
            if h.max_seconds is not None and h.max_seconds < h.start_seconds:
                raise _StepProblem("max_seconds is below start_seconds", sid, "holds.max_seconds")
            if h.grows and h.trust_seconds is None:
                raise _StepProblem(
                    "a growing hold needs trust_seconds, where it stops growing", sid, "holds.trust_seconds"
                )
            if h.trust_seconds is not None and h.trust_seconds < h.start_seconds:
                raise _StepProblem("trust_seconds is below start_seconds", sid, "holds.trust_seconds")
        if step.kind is StepKind.EXTENDED_HOLD:
            if "extended_hold" not in step.allows:
                raise _StepProblem("the extended hold step must allow 'extended_hold'", sid, "allows")
            if not step.stop_rules:
                raise _StepProblem("the extended hold needs stop rules", sid, "stop_rules")
            if step.advance is None or not step.advance.requires_completed_extended_hold:
                raise _StepProblem("advance needs requires_completed_extended_hold = true", sid, "advance")
        elif "extended_hold" in step.allows and step.kind is not StepKind.MAINTENANCE:
            raise _StepProblem("only the extended hold step (or maintenance) may allow 'extended_hold'", sid, "allows")


def _locate(p: dict, loc: tuple) -> tuple[str | None, str]:
    """Turn a pydantic error location into (step id, dotted field)."""
    step = None
    rest = list(loc)
    if len(rest) >= 2 and rest[0] == "steps" and isinstance(rest[1], int):
        steps = p.get("steps") or []
        idx = rest[1]
        raw = steps[idx] if idx < len(steps) and isinstance(steps[idx], dict) else {}
        step = str(raw.get("id") or f"#{idx + 1}")
        rest = rest[2:]
    field = ""
    for part in rest:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return step, field or "(whole file)"


def parse_protocol(data: dict, file: str) -> Protocol:
    """Validate already-parsed TOML data; raise ProtocolError naming what is wrong."""
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, _StepProblem):
            raise ProtocolError(file, str(cause), cause.step, cause.field) from None
        step, field = _locate(data, tuple(err["loc"]))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "this field is not part of the protocol format (a typo?)"
        raise ProtocolError(file, msg, step, field) from None


def load_protocol_file(path: str | Path) -> Protocol:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProtocolError(str(path), "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProtocolError(str(path), f"cannot be read ({exc})") from None
    return load_protocol_text(text, path.name)


def load_protocol_text(text: str, file: str) -> Protocol:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(file, f"not valid TOML: {exc}") from None
    return parse_protocol(data, file)


SHIPPED = {"rat": "rat-handling.toml", "mouse": "mouse-handling.toml"}


@cache
def shipped_protocol(species: str) -> Protocol:
    """The handling ladder Gentling ships for a species."""
    name = SHIPPED[species]
    text = resources.files("gentling").joinpath("protocols", name).read_text(encoding="utf-8")
    return load_protocol_text(text, name)
