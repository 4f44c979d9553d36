"""About when an animal's ladder will allow what its step does not allow yet.

A warning that says "not yet" also says when ("pick-ups from about 8
December"), so a keeper has a day to look forward to rather than a refusal.
The estimate assumes every day from now goes to plan: each of the plan's
sessions is logged and qualifies, so each step is left as soon as its evidence
(sessions, distinct days, days at the step, scaled for the source, and a
growing hold's days to its trust level) is complete. It is an "about": a fear
sign, a missed day or a setback moves it later. No date is given where none can be
foreseen: paused for health, or waiting on an extended hold.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import NamedTuple

from .engine import Progress
from .protocol import Protocol, Step, StepKind
from .records import AnimalFacts


def allowed_from(protocol: Protocol, animal: AnimalFacts, progress: Progress, activity: str) -> date | None:
    """About when `activity` first belongs to the animal's step; None: it already does, no later
    step has it, or no date can be foreseen."""
    if activity in protocol.steps[progress.step_index].allows:
        return None
    if activity == "extended_hold" and not animal.extended_hold_opt_in:
        return None  # offered only to keepers who opt in, at any step
    later = range(progress.step_index + 1, len(protocol.steps))
    index = next(
        (i for i in later if activity in protocol.steps[i].allows and _on_path(animal, protocol.steps[i])), None
    )
    return None if index is None else step_expected_on(protocol, animal, progress, index)


def step_expected_on(protocol: Protocol, animal: AnimalFacts, progress: Progress, index: int) -> date | None:
    """About when the animal reaches step `index` (after its current one), going to plan."""
    milestone = progress.next_milestone
    if index <= progress.step_index or milestone is None or milestone.expected_date is None:
        return None
    current = protocol.steps[progress.step_index]
    evidence = progress.evidence
    if current.kind is StepKind.SETTLING or evidence is None:
        at = _Day(milestone.expected_date, 0)
    else:
        have = (evidence.sessions_have, evidence.days_have)
        at = _leave(protocol, animal, current, progress.entered_on, _Day(progress.as_of, 0), have)
    for step in protocol.steps[protocol.index_of(milestone.step_id) : index]:
        if _on_path(animal, step):
            at = _leave(protocol, animal, step, at.on, at, (0, 0))
    return at.on


class _Day(NamedTuple):
    on: date
    used: int  # sessions of the day already spent on an earlier step


def _leave(
    protocol: Protocol, animal: AnimalFacts, step: Step, entered: date, start: _Day, have: tuple[int, int]
) -> _Day:
    """When a keeper who logs the plan's sessions every day, each one qualifying, leaves `step`:
    the engine moves an animal up after the session that completes the evidence (the rest of
    that day's sessions count for the next step) or at the midnight that completes its days."""
    adv = step.advance
    if adv is None:
        return start
    per_day = max((p.times_per_day for p in step.plan), default=1)
    sessions, days = (protocol.needed(adv.sessions, animal.source), protocol.needed(adv.distinct_days, animal.source))
    count, distinct = have
    on, used = start
    holds = step.holds
    earliest = entered + timedelta(days=adv.min_days_at_step)
    if holds and holds.grows and holds.trust_seconds and adv.min_hold_seconds:
        # The target grows once a day, on days it was reached; only holds as long as the step
        # asks count, so the counting starts when the target gets there.
        growth = protocol.source(animal.source).hold_growth_seconds
        grown = entered + timedelta(days=math.ceil((adv.min_hold_seconds - holds.start_seconds) / growth))
        if grown > on:
            on, used = grown, 0
    for _ in range(366):
        for n in range(used, per_day):
            count, distinct = count + 1, distinct + (n == used)
            if count >= sessions and distinct >= days and on >= earliest:
                return _Day(on, n + 1)
        on, used = on + timedelta(days=1), 0
        if count >= sessions and distinct >= days and on >= earliest:
            return _Day(on, 0)
    return _Day(on, 0)


def _on_path(animal: AnimalFacts, step: Step) -> bool:
    """Whether the animal passes through `step`: the optional extended hold only with the opt-in."""
    return step.kind is not StepKind.EXTENDED_HOLD or animal.extended_hold_opt_in


def about(on: date, today: date) -> str:
    """ "8 December", with the year when it is not this one's."""
    return f"{on.day} {on:%B}" + (f" {on.year}" if on.year != today.year else "")
