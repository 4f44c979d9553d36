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
import re
import string
import tomllib
from collections.abc import Collection, Iterable, Mapping
from enum import Enum
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import vocab

EXTENDED_HOLD_MIN_SECONDS = 20 * 60  # the guide's "at least 20 minutes"


class ProtocolError(ValueError):
    """A protocol file that cannot be used, with where the problem is."""

    def __init__(
        self, file: str, message: str, step: str | None = None, field: str | None = None, line: int | None = None
    ):
        self.file, self.step, self.field, self.message, self.line = file, step, field, message, line
        where = [file]
        if line:
            where.append(f"line {line}")
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


class Bouts(_Strict):
    """A timed routine within a session: `on_seconds` of the activity, then `rest_seconds`
    of rest, for `total_seconds` (rat tickling: 15 s on, 15 s off, for 2 minutes)."""

    on_seconds: Annotated[int, Field(ge=1, le=600)]
    rest_seconds: Annotated[int, Field(ge=0, le=600)]
    total_seconds: Annotated[int, Field(ge=1, le=3600)]
    on_label: str = Field("Go", min_length=1, max_length=30)
    rest_label: str = Field("Rest", min_length=1, max_length=30)

    @property
    def count(self) -> int:
        """How many 'on' bouts fit in the routine."""
        return max(1, math.ceil(self.total_seconds / (self.on_seconds + self.rest_seconds)))


_NAME = r"^[a-z][a-z0-9_]{0,40}$"


class ActivitySpec(_Strict):
    """An activity a protocol adds to Gentling's standard words, with its role for the guardrails."""

    name: Annotated[str, Field(pattern=_NAME)]
    label: str = Field(min_length=1, max_length=80)
    meaning: str = Field("", max_length=300)
    role: Literal["voice", "treats", "touch", "pickup", "reward", "aid", "other", "never"]


class ObservationSpec(_Strict):
    """An observation a protocol adds. A "down" one must be among its fear signs, a "health"
    one among its illness signs."""

    name: Annotated[str, Field(pattern=_NAME)]
    label: str = Field(min_length=1, max_length=80)
    meaning: str = Field("", max_length=300)
    signal: Literal["up", "down", "neutral", "health"]


class Measure(_Strict):
    """A number recorded in a session: a call count, seconds to approach a still hand.

    `fear_sign`: a value above zero is a fear sign (22-kHz alarm calls), so the session
    does not count as evidence and a setback rule may name the measure."""

    name: Annotated[str, Field(pattern=_NAME)]
    label: str = Field(min_length=1, max_length=80)
    unit: str = Field("", max_length=20)
    min: float = 0
    max: float
    whole: bool = True  # a count: no decimals
    fear_sign: bool = False
    meaning: str = Field("", max_length=300)


class Safety(_Strict):
    """A protocol's safety declarations. Required: a protocol cannot leave them out, and
    cannot leave out a sign Gentling knows (validation says which)."""

    illness_signs: list[str] = Field(min_length=1)


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
    bouts: Bouts | None = None  # a timed routine: the session screen cues on and rest
    technique: list[str] = []  # how to do it, in order (shown with the plan)
    measures: list[str] = []  # the protocol's measures to record at this step
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
    fear_signs: list[str] = Field(min_length=1)  # observations that stop a session counting as evidence
    safety: Safety
    activities: list[ActivitySpec] = []  # the protocol's own words, besides Gentling's standard ones
    observations: list[ObservationSpec] = []
    measures: list[Measure] = []
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

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Protocol:
        """A copy without the words worked out from the original (they are cached per object)."""
        copy = super().model_copy(update=update, deep=deep)
        for name, value in type(self).__dict__.items():
            if isinstance(value, cached_property):
                copy.__dict__.pop(name, None)
        return copy

    # --- the protocol's words: Gentling's standard vocabulary plus its own --------

    @cached_property
    def activity_terms(self) -> dict[str, vocab.Activity]:
        own = {a.name: vocab.Activity(a.name, a.label, a.meaning, vocab.Role(a.role)) for a in self.activities}
        return {**vocab.ACTIVITIES, **own}

    @cached_property
    def observation_terms(self) -> dict[str, vocab.Observation]:
        own = {o.name: vocab.Observation(o.name, o.label, o.meaning, vocab.Signal(o.signal)) for o in self.observations}
        return {**vocab.OBSERVATIONS, **own}

    @cached_property
    def measure_specs(self) -> dict[str, Measure]:
        return {m.name: m for m in self.measures}

    def with_role(self, *roles: vocab.Role) -> frozenset[str]:
        return frozenset(name for name, t in self.activity_terms.items() if t.role in roles)

    @cached_property
    def handling(self) -> frozenset[str]:
        """Activities that are handling: all but talking."""
        return frozenset(self.activity_terms) - self.with_role(vocab.Role.VOICE)

    @cached_property
    def pickups(self) -> frozenset[str]:
        return self.with_role(vocab.Role.PICKUP)

    @cached_property
    def touches(self) -> frozenset[str]:
        return self.with_role(vocab.Role.TOUCH)

    @cached_property
    def rewards(self) -> frozenset[str]:
        return self.with_role(vocab.Role.REWARD)

    @cached_property
    def never(self) -> frozenset[str]:
        return self.with_role(vocab.Role.NEVER)

    @cached_property
    def illness_signs(self) -> frozenset[str]:
        return frozenset(self.safety.illness_signs)

    @cached_property
    def fear_measures(self) -> frozenset[str]:
        return frozenset(m.name for m in self.measures if m.fear_sign)

    @cached_property
    def all_fear_signs(self) -> frozenset[str]:
        """The fear signs, and the measures whose value above zero is one."""
        return frozenset(self.fear_signs) | self.fear_measures

    def seen(self, observations: frozenset[str], measures: Iterable[tuple[str, float]]) -> frozenset[str]:
        """What a session showed: its observations, plus each fear measure above zero (by name)."""
        fearful = {name for name, value in measures if value > 0 and name in self.fear_measures}
        return observations | fearful if fearful else observations

    def label_of(self, name: str) -> str:
        """An activity's, observation's or measure's label (the name itself if it has none)."""
        term = self.activity_terms.get(name) or self.observation_terms.get(name) or self.measure_specs.get(name)
        return term.label if term else name

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


# Welfare words every protocol must treat as fear signs, whatever else it adds: a custom
# protocol cannot switch off the guardrails that read them (tail rattling is for mice only).
REQUIRED_FEAR_SIGNS = vocab.FEAR_SIGNS - {"tail_rattled"}


def _check_protocol(p: Protocol) -> None:
    missing = set(vocab.SOURCES) - set(p.sources)
    if missing:
        raise _StepProblem(f"missing source modifiers: {', '.join(sorted(missing))}", None, "sources")
    _check_names(p.sources, vocab.SOURCES, "source", None, "sources")
    _check_words(p)
    _check_safety(p)
    activities, observations = p.activity_terms, p.observation_terms
    signs = {**observations, **{m: None for m in p.fear_measures}}  # what a setback rule may name
    for i, item in enumerate(p.daily):
        _check_names([item.activity], activities, "activity", None, f"daily[{i}].activity")
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
        _check_names(step.allows, activities, "activity", sid, "allows")
        _check_names(step.measures, p.measure_specs, "measure", sid, "measures")
        for j, item in enumerate(step.plan):
            _check_names([item.activity], activities, "activity", sid, f"plan[{j}].activity")
            if item.activity not in step.allows and item.activity not in {d.activity for d in p.daily}:
                raise _StepProblem(f"plans '{item.activity}', which the step does not allow", sid, f"plan[{j}]")
            _check_text(item, sid, f"plan[{j}].text", has_holds=step.holds is not None)
        if step.advance is None and step.kind is not StepKind.MAINTENANCE:
            raise _StepProblem("every step but the last needs an [advance] section", sid, "advance")
        if step.advance is not None:
            if step.kind is StepKind.MAINTENANCE:
                raise _StepProblem("the maintenance step has nowhere to advance to", sid, "advance")
            _check_names(step.advance.requires_activities, activities, "activity", sid, "advance.requires_activities")
            _check_names(
                step.advance.requires_any_observation,
                observations,
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
        _check_names(step.setback.on_any, signs, "observation", sid, "setback.on_any")
        _check_names(step.setback.on_repeated, signs, "observation", sid, "setback.on_repeated")
        if step.setback.repeated_in > step.setback.repeated_window:
            raise _StepProblem("repeated_in cannot exceed repeated_window", sid, "setback.repeated_in")
        _check_holds(p, step)
        if step.bouts is not None and step.bouts.on_seconds > step.bouts.total_seconds:
            raise _StepProblem("a bout is longer than the whole routine", sid, "bouts.on_seconds")
        if step.kind is StepKind.EXTENDED_HOLD:
            if "extended_hold" not in step.allows:
                raise _StepProblem("the extended hold step must allow 'extended_hold'", sid, "allows")
            if not step.stop_rules:
                raise _StepProblem("the extended hold needs stop rules", sid, "stop_rules")
            if step.advance is None or not step.advance.requires_completed_extended_hold:
                raise _StepProblem("advance needs requires_completed_extended_hold = true", sid, "advance")
        elif "extended_hold" in step.allows and step.kind is not StepKind.MAINTENANCE:
            raise _StepProblem("only the extended hold step (or maintenance) may allow 'extended_hold'", sid, "allows")


def _check_holds(p: Protocol, step: Step) -> None:
    h, sid = step.holds, step.id
    if h is None:
        return
    if not set(step.allows) & p.pickups:
        raise _StepProblem("has hold targets but allows no pick-up (e.g. 'picked_up')", sid, "holds")
    if h.max_seconds is not None and h.max_seconds < h.start_seconds:
        raise _StepProblem("max_seconds is below start_seconds", sid, "holds.max_seconds")
    if h.grows and h.trust_seconds is None:
        raise _StepProblem("a growing hold needs trust_seconds, where it stops growing", sid, "holds.trust_seconds")
    if h.trust_seconds is not None and h.trust_seconds < h.start_seconds:
        raise _StepProblem("trust_seconds is below start_seconds", sid, "holds.trust_seconds")


def _check_words(p: Protocol) -> None:
    """The protocol's own words: new names, not Gentling's standard ones (those stay stable)."""
    seen: set[str] = set(vocab.ACTIVITIES) | set(vocab.OBSERVATIONS)
    named: list[tuple[str, list[str]]] = [
        ("activities", [a.name for a in p.activities]),
        ("observations", [o.name for o in p.observations]),
        ("measures", [m.name for m in p.measures]),
    ]
    for what, names in named:
        for i, name in enumerate(names):
            if name in seen:
                raise _StepProblem(
                    f"'{name}' is already a word (Gentling's own or this protocol's): pick another name",
                    None,
                    f"{what}[{i}].name",
                )
            seen.add(name)
    for i, m in enumerate(p.measures):
        if m.max <= m.min:
            raise _StepProblem("max must be above min", None, f"measures[{i}].max")


def _check_safety(p: Protocol) -> None:
    """Fear and illness signs are declared, and include every one Gentling knows:
    a protocol cannot switch off a welfare guardrail by leaving a sign out."""
    observations = p.observation_terms
    _check_names(p.fear_signs, observations, "observation", None, "fear_signs")
    _check_names(p.safety.illness_signs, observations, "observation", None, "safety.illness_signs")
    down = {n for n, o in observations.items() if o.signal is vocab.Signal.DOWN} - {"tail_rattled"}
    left_out = sorted((REQUIRED_FEAR_SIGNS | down) - set(p.fear_signs))
    if left_out:
        raise _StepProblem(
            f"leaves out the fear signs {', '.join(left_out)}: a protocol cannot switch off a welfare guardrail",
            None,
            "fear_signs",
        )
    health = {n for n, o in observations.items() if o.signal is vocab.Signal.HEALTH}
    left_out = sorted(health - set(p.safety.illness_signs))
    if left_out:
        raise _StepProblem(
            f"leaves out the illness signs {', '.join(left_out)}: each one pauses the program, "
            "and a protocol cannot switch that off",
            None,
            "safety.illness_signs",
        )
    not_illness = sorted(set(p.safety.illness_signs) - health)
    if not_illness:
        raise _StepProblem(
            f'{", ".join(not_illness)} is not an illness sign (an observation with signal = "health")',
            None,
            "safety.illness_signs",
        )


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


SAFETY_DECLARATIONS = {
    "fear_signs": "a safety declaration is missing: name the fear signs, which stop a session counting "
    "as evidence (at least bit, nipped, puffed_fur, fled, froze, hid, squeaked, chattered)",
    "safety": "a safety declaration is missing: add a [safety] section with illness_signs, "
    "the signs that pause the program (see `gentling vocab`)",
    "safety.illness_signs": "a safety declaration is missing: name the illness signs, which pause the program "
    '(every observation with signal "health", see `gentling vocab`)',
}


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
        elif field in SAFETY_DECLARATIONS and err["type"] in ("missing", "too_short"):
            msg = SAFETY_DECLARATIONS[field]
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
    except RecursionError:  # a hostile file: arrays or tables nested thousands deep
        raise ProtocolError(file, "nested too deeply to be a protocol") from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"at line (\d+)", str(exc))
        raise ProtocolError(file, f"not valid TOML: {exc}", line=int(line.group(1)) if line else None) from None
    try:
        return parse_protocol(data, file)
    except ProtocolError as exc:
        raise ProtocolError(file, exc.message, exc.step, exc.field, _line_of(text, exc.step, exc.field)) from None


def _line_of(text: str, step: str | None, field: str | None) -> int | None:
    """The line a problem is on, as near as the TOML text shows it (tomllib keeps no positions):
    the field's key inside the step's block, or inside the n-th `[[table]]` a field like
    `measures[1].max` names, else the first line with the key."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    if step:
        ids = [i for i, ln in enumerate(lines) if re.match(rf"""^\s*id\s*=\s*["']{re.escape(step)}["']""", ln)]
        if not ids:
            return None
        start = ids[0]
        end = next((i for i in range(start + 1, end) if re.match(r"^\s*\[\[\s*steps\s*\]\]", lines[i])), end)
    elif field and (m := re.match(r"^(\w+)\[(\d+)\]", field)):
        heads = [i for i, ln in enumerate(lines) if re.match(rf"^\s*\[\[\s*{m[1]}\s*\]\]", ln)]
        if int(m[2]) < len(heads):
            start = heads[int(m[2])]
            end = next((i for i in range(start + 1, end) if re.match(r"^\s*\[", lines[i])), end)
    key = [p for p in re.split(r"[.\[\]]", field or "") if p and not p.isdigit()][-1:] or [""]
    for i in range(start, end):
        if key[0] and re.match(rf"^\s*(\[\[?[\w.]*\b)?{re.escape(key[0])}\s*(=|\])", lines[i]):
            return i + 1
    return start + 1 if start else None


SHIPPED = {"rat": "rat-handling.toml", "mouse": "mouse-handling.toml"}
# Lab protocols shipped beside the two ladders (domain.md sections 4 and 5), chosen per animal.
LAB = ("rat-tickling", "mouse-tunnel", "mouse-cup", "mouse-3d")


@cache
def shipped_protocol(species: str) -> Protocol:
    """The handling ladder Gentling ships for a species."""
    return _shipped_file(SHIPPED[species])


@cache
def lab_protocol(protocol_id: str) -> Protocol:
    """A lab protocol Gentling ships, by its id (KeyError for any other id)."""
    if protocol_id not in LAB:
        raise KeyError(protocol_id)
    return _shipped_file(f"{protocol_id}.toml")


def _shipped_file(name: str) -> Protocol:
    text = resources.files("gentling").joinpath("protocols", name).read_text(encoding="utf-8")
    return load_protocol_text(text, name)
