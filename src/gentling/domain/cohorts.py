"""How long animals took to reach each step of their ladder: the facts behind a cohort's
outcome curves (services/cohorts.py fits them; charts/cohort.py draws them).

Each animal gives, for each step, the days from its arrival to the day it first stood at that
step or a later one. An animal still on its way has not failed: it is censored at the days it
has had so far, and the survival estimate (Kaplan-Meier) counts it for as long as it was seen.
The first step (settling in) is where every animal starts, and the optional extended hold is
only for keepers who opt in, so neither is an outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .engine import StepChange
from .protocol import Protocol, StepKind


@dataclass(frozen=True)
class TimeToStep:
    days: int
    reached: bool  # False: not yet, seen for `days` days so far (censored)


def outcome_steps(protocol: Protocol) -> list[tuple[str, str]]:
    """(id, title) of the steps an animal climbs to: not the start, not the optional hold."""
    return [(s.id, s.title) for s in protocol.steps[1:] if s.kind is not StepKind.EXTENDED_HOLD]


def time_to_step(
    protocol: Protocol, arrival: date, history: Iterable[StepChange], as_of: date, step_id: str
) -> TimeToStep:
    """Days from arrival until the animal first stood at `step_id` or beyond, by `as_of`."""
    target = protocol.index_of(step_id)
    known = {s.id: i for i, s in enumerate(protocol.steps)}
    for change in sorted(history, key=lambda c: c.day):
        if change.day <= as_of and known.get(change.to_step, -1) >= target:
            return TimeToStep((change.day - arrival).days, True)
    return TimeToStep(max(0, (as_of - arrival).days), False)
