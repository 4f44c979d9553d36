"""One tap on a task of Today's plan records that task with the step's usual defaults."""

from gentling.domain.plan import QuickEntry, quick_entry
from tests.domain.builders import RAT, animal, progress_on, reach, session


def _at(step_id: str, source: str = "breeder"):
    facts = animal(source, opt_in=True)
    sessions, on = reach(step_id, facts)
    return progress_on(facts, sessions, on)


def test_a_task_is_its_activity():
    assert quick_entry(RAT, _at("treats-in-cage"), "treat_in_cage") == QuickEntry(("treat_in_cage",), ())
    assert quick_entry(RAT, _at("treats-in-cage"), "talked") == QuickEntry(("talked",), ())


def test_a_pick_up_is_one_hold_of_todays_target_and_its_reward():
    now = _at("first-pickups")

    entry = quick_entry(RAT, now, "picked_up")

    assert entry == QuickEntry(("picked_up", "rewarded"), (now.hold_target_seconds,))
    assert now.hold_target_seconds and now.hold_target_seconds > 0


def test_what_is_not_in_todays_plan_is_not_quick_logged():
    assert quick_entry(RAT, _at("treats-in-cage"), "picked_up") is None
    assert quick_entry(RAT, _at("treats-in-cage"), "petted") is None


def test_the_extended_hold_needs_its_timer():
    assert quick_entry(RAT, _at("extended-hold"), "extended_hold") is None


def test_while_paused_for_health_only_the_daily_tasks():
    facts = animal("breeder")
    sessions, on = reach("treats-from-fingers", facts)
    sick = session(on, {"talked"}, {"sneezing", "red_tears"})
    paused = progress_on(facts, [*sessions, sick], on)
    assert paused.paused_since is not None

    assert quick_entry(RAT, paused, "treat_from_fingers") is None
    assert quick_entry(RAT, paused, "talked") == QuickEntry(("talked",), ())
