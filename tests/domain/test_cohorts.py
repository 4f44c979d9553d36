"""Days to each step for a cohort's curves: reached, or still on the way (censored)."""

from datetime import timedelta

from gentling.domain.cohorts import TimeToStep, outcome_steps, time_to_step
from gentling.domain.engine import StepChange
from tests.domain.builders import ARRIVAL, RAT, animal, progress_on, reach


def test_the_outcomes_are_the_steps_climbed_to_not_the_start_nor_the_optional_hold():
    ids = [step_id for step_id, _ in outcome_steps(RAT)]
    assert ids[0] == RAT.steps[1].id and "settling-in" not in ids and "extended-hold" not in ids
    assert "first-pickups" in ids


def test_a_step_reached_counts_the_days_from_arrival():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)
    history = progress_on(rat, sessions, on).history

    got = time_to_step(RAT, ARRIVAL, history, on + timedelta(days=3), "first-pickups")

    assert got == TimeToStep((on - ARRIVAL).days, True)
    assert time_to_step(RAT, ARRIVAL, history, on, "treats-in-cage").days < got.days


def test_a_step_not_yet_reached_is_censored_at_the_days_seen():
    rat = animal("rescue")
    sessions, on = reach("treats-in-cage", rat)
    history = progress_on(rat, sessions, on).history

    assert time_to_step(RAT, ARRIVAL, history, on, "first-pickups") == TimeToStep((on - ARRIVAL).days, False)


def test_a_later_step_reached_means_the_earlier_one_was_too_and_a_step_back_does_not_undo_it():
    history = [
        StepChange(ARRIVAL, None, "settling-in", "start", ""),
        StepChange(ARRIVAL + timedelta(days=4), "settling-in", "treats-in-cage", "up", ""),
        StepChange(ARRIVAL + timedelta(days=9), "treats-in-cage", "petting", "up", ""),
        StepChange(ARRIVAL + timedelta(days=11), "petting", "treats-in-cage", "back", ""),
    ]
    as_of = ARRIVAL + timedelta(days=20)

    assert time_to_step(RAT, ARRIVAL, history, as_of, "treats-from-fingers") == TimeToStep(9, True)
    assert time_to_step(RAT, ARRIVAL, history, as_of, "petting") == TimeToStep(9, True)
    assert time_to_step(RAT, ARRIVAL, history, ARRIVAL + timedelta(days=8), "petting") == TimeToStep(8, False)
