"""An animal's ladder as a keeper sees it: each step passed, current, ahead or skipped.

Skipped is the optional extended hold for an animal whose keeper has not
opted in: the engine passes over it, so it is never reached and never
"ahead" (unless the animal stands on it, which an opt-in withdrawn later
allows). The animal page and the handover report both show the ladder from
here, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from .protocol import Step, StepKind


@dataclass(frozen=True)
class Rung:
    number: int  # 1 for the first step
    step: Step
    state: str  # passed, current, ahead or skipped

    @property
    def not_chosen(self) -> bool:
        return self.state == "skipped"


def ladder(steps: tuple[Step, ...] | list[Step], current: int, *, extended_hold_opt_in: bool) -> tuple[Rung, ...]:
    """Each step's rung, for an animal standing on `steps[current]`."""
    rungs = []
    for i, step in enumerate(steps):
        state = "current" if i == current else ("passed" if i < current else "ahead")
        if state != "current" and step.kind is StepKind.EXTENDED_HOLD and not extended_hold_opt_in:
            state = "skipped"
        rungs.append(Rung(i + 1, step, state))
    return tuple(rungs)
