"""The engine: where an animal stands on its ladder, and why.

`progress(protocol, animal, sessions, day)` replays the animal's sessions, in
order, from its arrival to `day`, and returns a `Progress`: the current step,
the evidence for and against moving, the history of step changes, today's
hold target and the next milestone. It is a pure function of its arguments:
the same inputs always give the same answer, and a stored progress is only a
cache of it.

The rules, all read from the protocol file:
- Settling in ends on time alone, after the source's settling days.
- A step is left upwards only when its evidence is there: enough qualifying
  sessions, on enough different days, after enough days at the step (counts
  scaled by the source), and for a growing hold, the target at its trust
  level. An optional opt-in step is passed over unless the keeper opted in.
- A setback (a sign in `setback.on_any`, or repeated fear signs, or a stopped
  extended hold) moves the animal back one step, never into settling in, and
  starts that step's evidence afresh. A growing hold target restarts at half.
- An extended hold during which a stop sign was seen (see
  `extended_hold_stop_signs`) counts as stopped, whatever ending was recorded.
- A growing hold target rises by the source's daily growth only after a day
  on which the animal was held that long calmly.
- An illness sign pauses the program: nothing counts as evidence until the
  keeper records "health cleared".

Records are replayed in day order, then by time within the day: a health
check written today about yesterday counts on yesterday.

Incremental progress: `replay(..., since=checkpoint)` resumes from a stored
`Checkpoint` (the state at the end of a day, every record of that day and
before folded in) and replays only the records after it. The answer is the
same as a full replay; a property test holds it to that. The service keeps one
checkpoint per animal and drops it when a record on or before its day changes.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from . import vocab
from .protocol import Advance, Protocol, Step, StepKind
from .records import AnimalFacts, SessionRecord, to_plain


@dataclass(frozen=True)
class StepChange:
    day: date
    from_step: str | None
    to_step: str
    direction: str  # "start", "up" or "back"
    reason: str


@dataclass(frozen=True)
class Evidence:
    sessions_have: int
    sessions_needed: int
    days_have: int
    days_needed: int
    days_at_step: int
    min_days_at_step: int
    for_moving: tuple[str, ...]
    against_moving: tuple[str, ...]


@dataclass(frozen=True)
class Milestone:
    step_id: str
    title: str
    expected_date: date | None
    needs: str


@dataclass(frozen=True)
class Progress:
    protocol_id: str
    as_of: date
    step_id: str
    step_index: int
    step_title: str
    entered_on: date
    day_number: int  # days since arrival; the arrival day is day 0
    settled_on: date  # first day handling may start
    hold_target_seconds: int | None
    hold_allowed_seconds: int | None  # 0: no pick-ups at this step; None: no limit
    paused_since: date | None
    evidence: Evidence | None
    history: tuple[StepChange, ...]
    next_milestone: Milestone | None
    sessions_counted: int

    def to_dict(self) -> dict:
        return to_plain(asdict(self))


@dataclass(frozen=True)
class DayState:
    """Where the animal stood at the end of one day: for charts of progress over time."""

    day: date
    step_id: str
    hold_target_seconds: int | None
    paused: bool


# Bump when _State changes shape or a replay rule changes what it holds: older checkpoints are
# then ignored. 3: an extended hold with a stop sign seen counts as stopped.
CHECKPOINT_FORMAT = 3


@dataclass(frozen=True)
class Checkpoint:
    """The engine's state at the end of `day`, with every record up to that day folded in.

    `key` names the protocol and the animal facts it was made under; it is
    only resumed under the same ones (see `checkpoint_key`)."""

    day: date
    key: str
    state: dict


_fingerprints: dict[int, tuple[Protocol, str]] = {}


def checkpoint_key(protocol: Protocol, animal: AnimalFacts) -> str:
    """Changes whenever the protocol file, the animal's facts or the checkpoint format change."""
    known = _fingerprints.get(id(protocol))
    if known is None or known[0] is not protocol:
        known = _fingerprints[id(protocol)] = (
            protocol,
            hashlib.sha256(protocol.model_dump_json().encode()).hexdigest(),
        )
    facts = (
        f"{animal.species}|{animal.source}|{animal.arrival_date.isoformat()}|{animal.extended_hold_opt_in}"
        f"|{animal.start_step}|{animal.start_day}"
    )
    return hashlib.sha256(f"{CHECKPOINT_FORMAT}|{known[1]}|{facts}".encode()).hexdigest()[:32]


@dataclass
class _State:
    protocol: Protocol
    animal: AnimalFacts
    index: int
    entered_on: date
    day: date
    qualifying_days: list[date] = field(default_factory=list)
    recent_observations: list[frozenset[str]] = field(default_factory=list)
    hold_target: int | None = None
    reached_target_today: bool = False
    paused_since: date | None = None
    history: list[StepChange] = field(default_factory=list)
    sessions_counted: int = 0
    days: list[DayState] = field(default_factory=list)

    @property
    def step(self) -> Step:
        return self.protocol.steps[self.index]

    def dump(self) -> dict:
        """Everything a resumed replay needs, as JSON-ready values (not the day-by-day timeline)."""
        return {
            "index": self.index,
            "entered_on": self.entered_on.isoformat(),
            "day": self.day.isoformat(),
            "qualifying_days": [d.isoformat() for d in self.qualifying_days],
            "recent_observations": [sorted(obs) for obs in self.recent_observations],
            "hold_target": self.hold_target,
            "reached_target_today": self.reached_target_today,
            "paused_since": self.paused_since.isoformat() if self.paused_since else None,
            # rows, not objects: a rescue's 500 checkpoints are read for every Today page
            "history": [[h.day.isoformat(), h.from_step, h.to_step, h.direction, h.reason] for h in self.history],
            "sessions_counted": self.sessions_counted,
        }

    @classmethod
    def load(cls, protocol: Protocol, animal: AnimalFacts, data: dict) -> _State:
        day = date.fromisoformat
        return cls(
            protocol,
            animal,
            data["index"],
            day(data["entered_on"]),
            day(data["day"]),
            qualifying_days=[day(d) for d in data["qualifying_days"]],
            recent_observations=[frozenset(obs) for obs in data["recent_observations"]],
            hold_target=data["hold_target"],
            reached_target_today=data["reached_target_today"],
            paused_since=day(data["paused_since"]) if data["paused_since"] else None,
            history=[
                StepChange(day(on), from_step, to_step, direction, reason)
                for on, from_step, to_step, direction, reason in data["history"]
            ],
            sessions_counted=data["sessions_counted"],
        )


def progress(protocol: Protocol, animal: AnimalFacts, sessions: Iterable[SessionRecord], day: date) -> Progress:
    """Where the animal stands at the end of `day`, given every session up to it."""
    return replay(protocol, animal, sessions, day)[0]


def replay(
    protocol: Protocol,
    animal: AnimalFacts,
    sessions: Iterable[SessionRecord],
    day: date,
    since: Checkpoint | None = None,
    keep: date | None = None,
) -> tuple[Progress, Checkpoint | None]:
    """Progress at the end of `day`, and a checkpoint at the end of `keep` if asked.

    Without `since`, `sessions` must hold every record up to `day`. With it,
    only the records after `since.day` are read (and must all be there).
    `keep` must lie between the start (or `since.day`) and the day before `day`.
    """
    state = _resume(protocol, animal, since)
    newer = sorted((s for s in sessions if s.day <= day and (since is None or s.day > since.day)), key=_order)
    kept = None
    if keep is not None:
        if not state.day <= keep < day:
            raise ValueError(f"a checkpoint on {keep} cannot be kept on the way from {state.day} to {day}")
        _fold(state, [s for s in newer if s.day <= keep], keep)
        kept = Checkpoint(keep, checkpoint_key(protocol, animal), state.dump())
        newer = [s for s in newer if s.day > keep]
    _fold(state, newer, day)
    return _summarise(state, day), kept


def checkpoint(protocol: Protocol, animal: AnimalFacts, sessions: Iterable[SessionRecord], day: date) -> Checkpoint:
    """The state at the end of `day` from a full replay: what a stored checkpoint must equal."""
    state = _resume(protocol, animal, None)
    _fold(state, sorted((s for s in sessions if s.day <= day), key=_order), day)
    return Checkpoint(day, checkpoint_key(protocol, animal), state.dump())


def progress_before(
    protocol: Protocol,
    animal: AnimalFacts,
    sessions: Iterable[SessionRecord],
    session: SessionRecord,
    since: Checkpoint | None = None,
) -> Progress:
    """Where the animal stood when `session` began: the basis for its guardrails."""
    if since is not None and since.day >= session.day:
        raise ValueError("a checkpoint used for a session's guardrails must end before the session's day")
    earlier = [s for s in sessions if _order(s) < _order(session) and s.id != session.id]
    return replay(protocol, animal, earlier, session.day, since)[0]


def timeline(protocol: Protocol, animal: AnimalFacts, sessions: Iterable[SessionRecord], day: date) -> list[DayState]:
    """One DayState per day from arrival to `day`, from the same replay as `progress`."""
    state = _resume(protocol, animal, None)
    _fold(state, sorted((s for s in sessions if s.day <= day), key=_order), day)
    _close_day(state)
    return state.days


class Ladder:
    """One animal's standing, fed its records one at a time in order: the same replay as
    `progress`, for a caller that asks every day (the benchmark data's simulated keeper)."""

    def __init__(self, protocol: Protocol, animal: AnimalFacts):
        self._state = _start(protocol, animal)

    @property
    def step(self) -> Step:
        return self._state.step

    @property
    def index(self) -> int:
        return self._state.index

    @property
    def paused(self) -> bool:
        return self._state.paused_since is not None

    @property
    def hold_target(self) -> int | None:
        return self._state.hold_target

    @property
    def history(self) -> tuple[StepChange, ...]:
        return tuple(self._state.history)

    def roll_to(self, day: date) -> None:
        _roll_to(self._state, day)

    def add(self, record: SessionRecord) -> None:
        if record.day < self._state.day:
            raise ValueError(f"records must come in order: {record.day} is before {self._state.day}")
        _fold(self._state, [record], record.day)

    def progress(self) -> Progress:
        return _summarise(self._state, self._state.day)


def settling_days(protocol: Protocol, animal: AnimalFacts) -> int:
    return protocol.source(animal.source).settling_days


# A stop rule of the extended hold (domain.md section 6) that the vocabulary files as an
# illness sign rather than a fear sign.
_HOLD_STOP_HEALTH_SIGNS = frozenset({"red_tears"})


def extended_hold_stop_signs(protocol: Protocol, s: SessionRecord) -> list[str]:
    """What was seen during `s`'s extended hold that its stop rules say should have ended it:
    the protocol's fear signs and new red tears, in vocabulary order (empty: none, or no hold).

    Such a hold is read as stopped, even when recorded as "completed": the stop rules say to
    end the hold at the first of these, return the animal to its cage and drop back a step,
    and the engine goes by what was seen, not by the ending typed in. A session's
    observations are not tied to a moment within it, so a sign seen in the same sitting
    counts as seen during the hold: the safer reading. It never counts as evidence either
    (fear signs never do; red tears pause the program)."""
    if not s.is_extended_hold:
        return []
    signs = protocol.all_fear_signs | _HOLD_STOP_HEALTH_SIGNS
    seen = protocol.seen(s.observations, s.measures)
    return [name for name in (*protocol.observation_terms, *protocol.fear_measures) if name in seen and name in signs]


# --- replay -------------------------------------------------------------------


def _order(s: SessionRecord) -> tuple:
    return (s.day, *s.order)


def _resume(protocol: Protocol, animal: AnimalFacts, since: Checkpoint | None) -> _State:
    if since is None:
        return _start(protocol, animal)
    if since.key != checkpoint_key(protocol, animal):
        raise ValueError("this checkpoint was made under another protocol or other animal facts")
    return _State.load(protocol, animal, since.state)


def _fold(state: _State, sessions: list[SessionRecord], day: date) -> None:
    """Apply `sessions` (in order, none before the state's day) and pass the midnights up to `day`."""
    for session in sessions:
        _roll_to(state, session.day)
        _apply(state, session)
        _try_advance(state)
    _roll_to(state, day)


def _start(protocol: Protocol, animal: AnimalFacts) -> _State:
    if animal.start_step is not None and animal.start_day is not None:
        index = protocol.index_of(animal.start_step)
        state = _State(protocol, animal, index, animal.start_day, animal.start_day)
        state.history.append(
            StepChange(animal.start_day, None, animal.start_step, "start", f"Moved to {protocol.title}")
        )
        holds = state.step.holds
        state.hold_target = holds.start_seconds if holds else None
    else:
        state = _State(protocol, animal, 0, animal.arrival_date, animal.arrival_date)
        state.history.append(StepChange(animal.arrival_date, None, protocol.steps[0].id, "start", "Arrived home"))
    _try_advance(state)
    return state


class _GrowingHold(NamedTuple):
    target: int  # today's hold target
    trust: int  # where it stops growing


def _growing_hold(state: _State) -> _GrowingHold | None:
    """The hold target and its trust level when the step's target grows, else None."""
    holds = state.step.holds
    if holds is None or not holds.grows:
        return None
    # Entering a step with holds sets its target, and the protocol check gives a growing hold a trust level.
    assert state.hold_target is not None and holds.trust_seconds is not None
    return _GrowingHold(state.hold_target, holds.trust_seconds)


def _roll_to(state: _State, day: date) -> None:
    """Pass the midnights up to `day`: holds grow, time-based steps end."""
    while state.day < day:
        _close_day(state)
        grow = _growing_hold(state)
        if state.reached_target_today and grow:
            growth = state.protocol.source(state.animal.source).hold_growth_seconds
            state.hold_target = min(grow.trust, grow.target + growth)
        state.reached_target_today = False
        state.day += timedelta(days=1)
        _try_advance(state)


def _close_day(state: _State) -> None:
    state.days.append(DayState(state.day, state.step.id, state.hold_target, state.paused_since is not None))


def _apply(state: _State, s: SessionRecord) -> None:
    step = state.step
    if s.observations & state.protocol.illness_signs:
        state.paused_since = state.paused_since or s.day
    elif "health_cleared" in s.observations:
        state.paused_since = None
    if not s.is_session:
        return  # a health check only tells the engine about health
    state.sessions_counted += 1
    if step.kind is StepKind.SETTLING:
        return
    seen = state.protocol.seen(s.observations, s.measures)
    calm = not (seen & state.protocol.all_fear_signs)
    paused = state.paused_since is not None
    grow = _growing_hold(state)
    if grow and calm and not paused and s.longest_hold >= grow.target:
        state.reached_target_today = True
    state.recent_observations.append(seen)
    window = step.setback.repeated_window if step.setback.on_repeated else 0
    del state.recent_observations[: -window or None]  # only the window is ever read
    if not paused and calm and _qualifies(state, s):
        state.qualifying_days.append(s.day)
    reason = _setback_reason(state, s, seen)
    if reason:
        _move_back(state, s.day, reason)


def _qualifies(state: _State, s: SessionRecord) -> bool:
    adv = state.step.advance
    if adv is None:
        return False
    if not set(adv.requires_activities) <= s.activities:
        return False
    if adv.requires_any_observation and not (set(adv.requires_any_observation) & s.observations):
        return False
    if adv.min_hold_seconds is not None and s.longest_hold < adv.min_hold_seconds:
        return False
    if adv.requires_completed_extended_hold and not s.extended_hold_completed:
        return False
    return True


def _setback_reason(state: _State, s: SessionRecord, seen: frozenset[str]) -> str | None:
    """Why `s` moves the animal back a step, if it does; `seen` is what it showed (fear measures too)."""
    rule = state.step.setback
    hit = sorted(set(rule.on_any) & seen)
    if hit:
        return f"{_labels(state, hit)} on {s.day.isoformat()}"
    if rule.on_extended_hold_stop and s.extended_hold_stop is not None:
        return f"extended hold stopped ({vocab.EXTENDED_HOLD_ENDINGS[s.extended_hold_stop]}) on {s.day.isoformat()}"
    if rule.on_extended_hold_stop:
        stops = extended_hold_stop_signs(state.protocol, s)
        if stops:
            return f"extended hold held through {_labels(state, stops)} on {s.day.isoformat()}"
    if rule.on_repeated:
        window = state.recent_observations[-rule.repeated_window :]
        fearful = [obs for obs in window if obs & set(rule.on_repeated)]
        if len(fearful) >= rule.repeated_in:
            signs = sorted(set().union(*fearful) & set(rule.on_repeated))
            return f"fear signs ({_labels(state, signs)}) in {len(fearful)} of the last {len(window)} sessions"
    return None


def _labels(state: _State, names: list[str]) -> str:
    return ", ".join(state.protocol.label_of(n).lower() for n in names)


def _move_back(state: _State, day: date, reason: str) -> None:
    floor = state.protocol.first_handling_index
    target = state.index - 1
    while target > floor and state.protocol.steps[target].kind is StepKind.EXTENDED_HOLD:
        target -= 1
    target = max(target, floor)
    old_target = state.hold_target
    _enter(state, target, day, "back", f"Setback: {reason}")
    holds = state.step.holds
    if holds and holds.grows and old_target:
        state.hold_target = max(holds.start_seconds, old_target // 2)


def _enter(state: _State, index: int, day: date, direction: str, reason: str) -> None:
    from_id = state.step.id
    state.index = index
    state.entered_on = day
    state.qualifying_days = []
    state.recent_observations = []
    state.reached_target_today = False
    holds = state.step.holds
    state.hold_target = holds.start_seconds if holds else None
    state.history.append(StepChange(day, from_id, state.step.id, direction, reason))


def _needs(state: _State, adv: Advance) -> tuple[int, int, int]:
    src = state.animal.source
    sessions = state.protocol.needed(adv.sessions, src)
    if adv.requires_completed_extended_hold:
        sessions = max(sessions, 1)  # the completed extended hold itself
    return (
        sessions,
        state.protocol.needed(adv.distinct_days, src),
        adv.min_days_at_step,
    )


def _try_advance(state: _State) -> None:
    step = state.step
    if step.advance is None:
        return
    if step.kind is StepKind.SETTLING:
        if (state.day - state.animal.arrival_date).days >= settling_days(state.protocol, state.animal):
            _enter(state, _next_index(state), state.day, "up", "Settling-in days are over")
        return
    if state.paused_since is not None:
        return
    sessions, days, min_days = _needs(state, step.advance)
    if len(state.qualifying_days) < sessions or len(set(state.qualifying_days)) < days:
        return
    if (state.day - state.entered_on).days < min_days:
        return
    grow = _growing_hold(state)
    if grow and grow.target < grow.trust:
        return
    _enter(state, _next_index(state), state.day, "up", f"Evidence complete for '{step.title}'")


def _next_index(state: _State) -> int:
    i = state.index + 1
    steps = state.protocol.steps
    while steps[i].kind is StepKind.EXTENDED_HOLD and not state.animal.extended_hold_opt_in:
        i += 1
    return i


# --- summary ------------------------------------------------------------------


def _allowed_hold(state: _State) -> int | None:
    step = state.step
    if not state.protocol.pickups & set(step.allows):
        return 0
    if step.holds is None:
        return None
    if step.holds.max_seconds is not None:
        return step.holds.max_seconds
    grow = _growing_hold(state)
    if grow:
        return grow.target + state.protocol.source(state.animal.source).hold_growth_seconds
    return None


def _evidence(state: _State) -> Evidence | None:
    step = state.step
    if step.advance is None or step.kind is StepKind.SETTLING:
        return None
    sessions, days, min_days = _needs(state, step.advance)
    have_days = len(set(state.qualifying_days))
    days_at = (state.day - state.entered_on).days
    pro = [
        f"{len(state.qualifying_days)} of {sessions} qualifying sessions",
        f"on {have_days} of {days} different days",
        f"{days_at} of at least {min_days} days at this step",
    ]
    con: list[str] = []
    if step.holds and step.holds.grows:
        pro.append(f"hold target {state.hold_target} s of {step.holds.trust_seconds} s")
    if step.advance.requires_completed_extended_hold:
        pro = ["one calm extended hold of 20 minutes or more is needed"]
    if state.paused_since:
        con.append(f"paused for health since {state.paused_since.isoformat()}")
    rule = step.setback
    if rule.on_repeated:
        window = state.recent_observations[-rule.repeated_window :]
        fearful = sum(1 for obs in window if obs & set(rule.on_repeated))
        if fearful:
            con.append(
                f"fear signs in {fearful} of the last {len(window)} sessions "
                f"({rule.repeated_in} would move back a step)"
            )
    return Evidence(len(state.qualifying_days), sessions, have_days, days, days_at, min_days, tuple(pro), tuple(con))


def _milestone(state: _State, day: date) -> Milestone | None:
    step = state.step
    if step.advance is None:
        return None
    nxt = state.protocol.steps[_next_index(state)]
    if step.kind is StepKind.SETTLING:
        settled = state.animal.arrival_date + timedelta(days=settling_days(state.protocol, state.animal))
        return Milestone(nxt.id, nxt.title, settled, "settling-in days to pass")
    if state.paused_since:
        return Milestone(nxt.id, nxt.title, None, "health cleared first (record 'health cleared')")
    if step.advance.requires_completed_extended_hold:
        return Milestone(nxt.id, nxt.title, None, "one calm extended hold of 20 minutes or more")
    sessions, days, min_days = _needs(state, step.advance)
    per_day = max((p.times_per_day for p in step.plan), default=1)
    wait = [
        min_days - (day - state.entered_on).days,
        days - len(set(state.qualifying_days)),
        math.ceil((sessions - len(state.qualifying_days)) / per_day),
    ]
    grow = _growing_hold(state)
    if grow:
        growth = state.protocol.source(state.animal.source).hold_growth_seconds
        to_trust = math.ceil((grow.trust - grow.target) / growth)
        wait.append(to_trust + (days if to_trust > 0 else 0))
    days_needed = max(1, *wait)
    return Milestone(nxt.id, nxt.title, day + timedelta(days=days_needed), "qualifying sessions as planned")


def _summarise(state: _State, day: date) -> Progress:
    return Progress(
        protocol_id=state.protocol.id,
        as_of=day,
        step_id=state.step.id,
        step_index=state.index,
        step_title=state.step.title,
        entered_on=state.entered_on,
        day_number=(day - state.animal.arrival_date).days,
        settled_on=state.animal.arrival_date + timedelta(days=settling_days(state.protocol, state.animal)),
        hold_target_seconds=state.hold_target,
        hold_allowed_seconds=_allowed_hold(state),
        paused_since=state.paused_since,
        evidence=_evidence(state),
        history=tuple(state.history),
        next_milestone=_milestone(state, day),
        sessions_counted=state.sessions_counted,
    )
