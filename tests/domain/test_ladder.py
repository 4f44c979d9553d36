"""The ladder a keeper sees (domain/ladder.py): the optional extended hold is skipped, not ahead,
for an animal whose keeper has not opted in; the animal page and the report show this one answer."""

from __future__ import annotations

from gentling.domain.ladder import ladder
from gentling.domain.protocol import StepKind, shipped_protocol

STEPS = shipped_protocol("rat").steps
EXTENDED = next(i for i, s in enumerate(STEPS) if s.kind is StepKind.EXTENDED_HOLD)


def states(current: int, opted_in: bool) -> list[str]:
    return [r.state for r in ladder(STEPS, current, extended_hold_opt_in=opted_in)]


def test_each_step_is_passed_current_or_ahead_in_order():
    assert states(2, opted_in=True) == ["passed", "passed", "current"] + ["ahead"] * (len(STEPS) - 3)
    assert [r.number for r in ladder(STEPS, 0, extended_hold_opt_in=True)] == list(range(1, len(STEPS) + 1))


def test_the_extended_hold_not_chosen_is_skipped_whether_passed_or_ahead():
    assert states(0, opted_in=False)[EXTENDED] == "skipped"
    assert states(len(STEPS) - 1, opted_in=False)[EXTENDED] == "skipped"
    assert [r.not_chosen for r in ladder(STEPS, 0, extended_hold_opt_in=False)].count(True) == 1


def test_the_extended_hold_chosen_is_climbed_like_any_step():
    assert states(0, opted_in=True)[EXTENDED] == "ahead"
    assert states(EXTENDED + 1, opted_in=True)[EXTENDED] == "passed"


def test_an_animal_standing_on_the_extended_hold_is_there_even_without_the_opt_in():
    assert states(EXTENDED, opted_in=False)[EXTENDED] == "current"
