"""A warning says when the thing will be fine ("pick-ups from about 8 December"), and it says
where it belongs on the screen (beside the control that caused it)."""

import ast
import inspect
from datetime import timedelta

import pytest

from gentling.domain import alert_summary, guardrails, outlook
from tests.domain.builders import MOUSE, RAT, alerts_for, animal, codes, progress_on, reach, session


@pytest.mark.parametrize("protocol", [RAT, MOUSE], ids=["rat", "mouse"])
@pytest.mark.parametrize("source", ["breeder", "pet_store", "rescue"])
@pytest.mark.parametrize(
    "activity, first_step",
    [("petted", "petting"), ("picked_up", "first-pickups"), ("extended_hold", "extended-hold")],
)
def test_the_estimate_is_the_day_a_keeper_who_follows_the_plan_gets_there(protocol, source, activity, first_step):
    facts = animal(source, "rat" if protocol is RAT else "mouse", opt_in=True)
    sessions, settled = reach("treats-in-cage", facts, protocol)
    reached, on = reach(first_step, facts, protocol)

    estimate = outlook.allowed_from(protocol, facts, progress_on(facts, sessions, settled, protocol), activity)

    assert estimate is not None and abs((estimate - on).days) <= 1, (estimate, on)


def test_a_later_estimate_for_a_later_step():
    rat = animal("rescue")
    sessions, on = reach("treats-in-cage", rat)
    now = progress_on(rat, sessions, on)

    petting = outlook.allowed_from(RAT, rat, now, "petted")
    pickups = outlook.allowed_from(RAT, rat, now, "picked_up")

    assert petting is not None and pickups is not None and on < petting < pickups


def test_no_estimate_for_what_is_already_allowed_or_never_part_of_the_ladder():
    rat = animal("breeder")
    sessions, on = reach("petting", rat)
    now = progress_on(rat, sessions, on)

    assert outlook.allowed_from(RAT, rat, now, "petted") is None
    assert outlook.allowed_from(RAT, rat, now, "tail_lift") is None


def test_no_estimate_while_paused_for_health():
    rat = animal("breeder")
    sessions, on = reach("treats-from-fingers", rat)
    sick = session(on, {"talked"}, {"sneezing", "red_tears"})

    now = progress_on(rat, [*sessions, sick], on + timedelta(days=1))

    assert now.paused_since is not None
    assert outlook.allowed_from(RAT, rat, now, "picked_up") is None


def test_the_extended_hold_step_is_not_foreseen_without_the_opt_in():
    sessions, on = reach("first-pickups", animal("breeder"))

    assert (
        outlook.allowed_from(RAT, animal("breeder"), progress_on(animal("breeder"), sessions, on), "extended_hold")
        is None
    )
    opted = animal("breeder", opt_in=True)
    assert outlook.allowed_from(RAT, opted, progress_on(opted, sessions, on), "extended_hold") is not None


def test_a_pick_up_too_early_says_from_about_when():
    rat = animal("breeder")
    sessions, on = reach("treats-in-cage", rat)
    when = outlook.allowed_from(RAT, rat, progress_on(rat, sessions, on), "picked_up")

    (alert,) = [
        a
        for a in alerts_for(rat, sessions, session(on, {"talked", "picked_up", "rewarded"}, holds=(2,)))
        if a.code == "pickup_too_early"
    ]

    assert f"Pick-ups from about {when.day} {when:%B}" in alert.message


def test_petting_too_early_says_from_about_when():
    rat = animal("rescue")
    sessions, on = reach("treats-in-cage", rat)
    when = outlook.allowed_from(RAT, rat, progress_on(rat, sessions, on), "petted")

    alerts = alerts_for(rat, sessions, session(on, {"talked", "treat_in_cage", "petted"}))

    (alert,) = [a for a in alerts if a.code == "petting_too_early"]
    assert f"Petting from about {when.day} {when:%B}" in alert.message


def test_an_activity_of_a_later_step_says_when_it_belongs():
    rat = animal("breeder")
    sessions, on = reach("treats-in-cage", rat)

    alerts = alerts_for(rat, sessions, session(on, {"talked", "treat_in_cage", "towel_used"}))

    assert "not_this_step_yet" in codes(alerts)
    (alert,) = [a for a in alerts if a.code == "not_this_step_yet"]
    assert "from about" in alert.message


def _codes_made_in(module) -> set[str]:
    """Every code an Alert(...) call in the module's source names."""
    tree = ast.parse(inspect.getsource(module))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "Alert"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def test_every_guardrail_names_the_control_that_caused_it():
    made = _codes_made_in(guardrails)

    assert len(made) > 10  # the scan finds them
    assert made <= set(alert_summary.CAUSES), made - set(alert_summary.CAUSES)
    assert set(alert_summary.CAUSES.values()) <= set(alert_summary.CONTROLS)


def test_a_cause_names_the_part_of_the_entry_a_keeper_taps():
    assert alert_summary.cause_of("pickup_too_early") == "holds"
    assert alert_summary.cause_of("petting_too_early") == "activities"
    assert alert_summary.cause_of("illness_sign") == "health"
    assert alert_summary.cause_of("fear_during_hold") == "fear"
    assert alert_summary.cause_of("extended_hold_stopped") == "extended_hold"
    assert alert_summary.cause_of("an_unknown_code") == "other"
