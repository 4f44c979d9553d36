"""The method of design.md section 2 (points 2-9), sentence by sentence, on the shipped ladders."""

from dataclasses import replace
from datetime import timedelta

import pytest

from gentling.domain import engine, plan, vocab
from gentling.domain.protocol import StepKind
from tests.domain.builders import (
    ARRIVAL,
    MOUSE,
    RAT,
    alerts_for,
    animal,
    codes,
    day,
    follow_plan,
    plan_on,
    progress_on,
    reach,
    session,
    task_activities,
    treats_from_fingers,
    treats_in_cage,
)

PICKUP = {"talked", "picked_up", "rewarded"}


def next_day(on, n=1):
    return on + timedelta(days=n)


# --- 2. Where the animal came from sets the pace --------------------------------------


@pytest.mark.parametrize(
    "source, days",
    [("breeder", 2), ("pet_store", 3), ("rescue", 3), ("unknown", 3), ("born_at_home", 0)],
)
def test_source_sets_the_settling_in_days(source, days):
    rat = animal(source)

    assert progress_on(rat, [], day(days)).step_id == "treats-in-cage"
    assert progress_on(rat, [], day(days)).settled_on == day(days)
    if days:
        assert progress_on(rat, [], day(days - 1)).step_id == "settling-in"


def test_breeder_rat_needs_fewer_sessions_than_a_rescue_rat():
    breeder = progress_on(animal("breeder"), [], day(3)).evidence
    rescue = progress_on(animal("rescue"), [], day(3)).evidence

    assert (
        (breeder.sessions_needed, breeder.days_needed) == (RAT.needed(4, "breeder"), RAT.needed(2, "breeder")) == (3, 2)
    )
    assert (rescue.sessions_needed, rescue.days_needed) == (RAT.needed(4, "rescue"), RAT.needed(2, "rescue")) == (6, 3)


def test_breeder_rat_moves_up_sooner_than_a_rescue_rat_given_the_same_daily_sessions():
    daily = [treats_in_cage(n) for n in range(3, 13)]

    def left_treats_in_cage(source):
        history = progress_on(animal(source), daily, day(12)).history
        return next(c.day for c in history if c.from_step == "treats-in-cage" and c.direction == "up")

    assert left_treats_in_cage("breeder") == day(5)
    assert left_treats_in_cage("rescue") == day(8)


def test_breeder_rat_climbs_the_ladder_faster_than_a_rescue_rat_when_both_follow_the_plan():
    def step_after_a_month(source):
        rat = animal(source)
        sessions, _ = follow_plan(RAT, rat, days=30)
        return progress_on(rat, sessions, day(29)).step_index

    assert step_after_a_month("breeder") > step_after_a_month("rescue")


# --- 3. Settling in ----------------------------------------------------------------------


def test_day_zero_is_the_arrival_day():
    rat = animal("rescue")

    assert progress_on(rat, [], ARRIVAL).day_number == 0
    assert plan_on(rat, [], ARRIVAL).day_number == 0
    assert progress_on(rat, [], day(3)).day_number == 3


def test_rescue_rat_that_arrived_today_gets_only_the_talk_task():
    today = plan_on(animal("rescue"), [], ARRIVAL)

    assert task_activities(today) == ["talked"]
    assert today.step_id == "settling-in"


def test_rescue_rat_is_not_handled_while_settling_in():
    rat = animal("rescue")

    for n in range(3):
        assert task_activities(plan_on(rat, [], day(n))) == ["talked"], f"day {n}"
    assert "treat_in_cage" in task_activities(plan_on(rat, [], day(3)))


def test_handling_logged_while_settling_in_is_flagged():
    rat = animal("rescue")

    assert "handled_while_settling" in codes(alerts_for(rat, [], session(2, {"talked", "treat_in_cage"})))
    assert "handled_while_settling" in codes(alerts_for(rat, [], session(1, PICKUP, holds=(2,))))


def test_talking_while_settling_in_raises_no_alert():
    assert alerts_for(animal("rescue"), [], session(0, {"talked"})) == []


def test_handling_on_the_day_settling_in_ends_is_not_flagged():
    alerts = alerts_for(animal("rescue"), [], treats_in_cage(3))

    assert "handled_while_settling" not in codes(alerts)


def test_handling_during_settling_in_does_not_count_as_evidence():
    rat = animal("rescue")
    early = [treats_in_cage(n) for n in (0, 0, 1, 1, 2, 2)]

    assert progress_on(rat, early, day(3)).evidence.sessions_have == 0


# --- 4. Voice ------------------------------------------------------------------------------


def test_talk_task_is_in_every_plan_every_day():
    rat = animal("breeder", opt_in=True)
    sessions, _ = follow_plan(RAT, rat, days=40)

    for n in range(40):
        assert "talked" in task_activities(plan_on(rat, sessions, day(n))), f"day {n}"


@pytest.mark.parametrize("protocol", [RAT, MOUSE], ids=["rat", "mouse"])
def test_talk_task_is_in_the_plan_at_every_step_even_when_paused(protocol):
    base = progress_on(animal("breeder"), [], day(5), protocol)
    for index, step in enumerate(protocol.steps):
        for paused in (None, day(4)):
            at_step = replace(base, step_index=index, step_id=step.id, hold_target_seconds=10, paused_since=paused)
            tasks = plan.plan_for_day(protocol, at_step, []).tasks
            assert "talked" in [t.activity for t in tasks], (step.id, paused)


# --- 5. Treats with the hand in the cage, no petting yet -----------------------------------


def test_treats_in_cage_step_plans_treats_with_the_hand_in_the_cage():
    today = plan_on(animal("rescue"), [], day(3))

    assert today.step_id == "treats-in-cage"
    treat = next(t for t in today.tasks if t.activity == "treat_in_cage")
    assert treat.times_per_day == 2
    assert "hand" in treat.text


def test_treats_in_cage_step_does_not_allow_petting():
    step = RAT.steps[RAT.index_of("treats-in-cage")]

    assert "petted" not in step.allows
    assert "petted" not in [item.activity for item in step.plan]


def test_petting_at_the_treats_in_cage_step_is_flagged():
    alerts = alerts_for(animal("rescue"), [], session(3, {"talked", "treat_in_cage", "petted"}, {"took_treat"}))

    assert "petting_too_early" in codes(alerts)


# --- 6. Closer and closer, and only then petting -------------------------------------------


def test_rat_moves_to_treats_from_fingers_after_enough_qualifying_sessions_on_enough_days():
    rat = animal("rescue")  # 6 sessions on 3 days, at least 2 days at the step
    sessions = [treats_in_cage(n, obs) for n in (3, 4, 5) for obs in (("took_treat",), ("approached",))]

    assert progress_on(rat, sessions[:-1], day(5)).step_id == "treats-in-cage"
    assert progress_on(rat, sessions, day(5)).step_id == "treats-from-fingers"


def test_one_qualifying_session_short_is_not_enough():
    rat = animal("rescue")
    sessions = [treats_in_cage(n) for n in (3, 3, 4, 4, 5)]

    now = progress_on(rat, sessions, day(20))
    assert now.step_id == "treats-in-cage"
    assert (now.evidence.sessions_have, now.evidence.sessions_needed) == (5, 6)


def test_qualifying_sessions_all_on_one_day_are_not_enough():
    rat = animal("rescue")
    sessions = [treats_in_cage(3) for _ in range(8)]

    now = progress_on(rat, sessions, day(20))
    assert now.step_id == "treats-in-cage"
    assert now.evidence.days_have == 1


def test_treats_in_cage_without_approach_or_taking_a_treat_do_not_count():
    rat = animal("rescue")
    sessions = [treats_in_cage(n, ()) for n in range(3, 10) for _ in range(2)]

    assert progress_on(rat, sessions, day(10)).step_id == "treats-in-cage"


def test_fearful_sessions_do_not_count_as_evidence():
    rat = animal("rescue")
    sessions = [treats_in_cage(n, ("took_treat", "hid")) for n in range(3, 10) for _ in range(2)]

    now = progress_on(rat, sessions, day(10))
    assert now.step_id == "treats-in-cage"
    assert now.evidence.sessions_have == 0


def test_petting_comes_only_after_eating_from_the_fingers():
    rat = animal("breeder")
    sessions, on = reach("treats-from-fingers", rat)
    taking = [treats_from_fingers(next_day(on, n), ("took_treat", "approached")) for n in range(6) for _ in range(2)]

    assert progress_on(rat, sessions + taking, next_day(on, 6)).step_id == "treats-from-fingers"

    eating = [treats_from_fingers(next_day(on, n), ("ate_from_fingers",)) for n in (6, 7) for _ in range(2)]
    assert progress_on(rat, sessions + taking + eating, next_day(on, 7)).step_id == "petting"


def test_petting_before_eating_from_the_fingers_is_flagged():
    rat = animal("breeder")
    sessions, on = reach("treats-from-fingers", rat)

    alerts = alerts_for(rat, sessions, session(on, {"talked", "treat_from_fingers", "petted"}, {"took_treat"}))
    assert "petting_too_early" in codes(alerts)


def test_petting_at_the_petting_step_is_fine():
    rat = animal("breeder")
    sessions, on = reach("petting", rat)

    alerts = alerts_for(rat, sessions, session(on, {"talked", "treat_from_fingers", "petted"}, {"relaxed"}))
    assert alerts == []


# --- 7. First pick-ups ---------------------------------------------------------------------


def test_first_pick_ups_target_two_seconds_and_allow_at_most_five():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)

    now = progress_on(rat, sessions, on)
    assert (now.hold_target_seconds, now.hold_allowed_seconds) == (2, 5)
    pick_up = next(t for t in plan_on(rat, sessions, on).tasks if t.activity == "picked_up")
    assert (pick_up.target_seconds, pick_up.times_per_day) == (2, 2)
    assert "2 s" in pick_up.text.replace("\xa0", " ")  # a no-break space keeps "2 s" on one line


def test_a_thirty_second_first_pick_up_is_too_long():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)

    assert "hold_too_long" in codes(alerts_for(rat, sessions, session(on, PICKUP, {"relaxed"}, holds=(2, 30))))


def test_a_rewarded_five_second_first_pick_up_raises_no_alert():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)

    assert alerts_for(rat, sessions, session(on, PICKUP, {"relaxed"}, holds=(5,))) == []


def test_a_pick_up_without_a_reward_is_flagged():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)

    alerts = alerts_for(rat, sessions, session(on, {"talked", "picked_up"}, holds=(2,)))
    assert "pickup_without_reward" in codes(alerts)


@pytest.mark.parametrize("step_id", ["treats-in-cage", "treats-from-fingers", "petting"])
def test_a_pick_up_before_the_pick_up_step_is_flagged(step_id):
    rat = animal("breeder")
    sessions, on = reach(step_id, rat)

    alerts = alerts_for(rat, sessions, session(on, PICKUP, holds=(2,)))
    assert "pickup_too_early" in codes(alerts)


def test_a_pick_up_logged_without_hold_seconds_before_the_pick_up_step_is_still_flagged():
    rat = animal("breeder")
    sessions, on = reach("petting", rat)

    alerts = alerts_for(rat, sessions, session(on, PICKUP, {"relaxed"}))
    assert "pickup_too_early" in codes(alerts)


def test_first_pick_ups_move_on_after_enough_rewarded_pick_ups():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)
    pickups = [session(next_day(on, n), PICKUP, holds=(2,)) for n in range(3) for _ in range(2)]

    assert progress_on(rat, sessions + pickups, next_day(on, 3)).step_id == "longer-holds"
    unrewarded = [session(next_day(on, n), {"talked", "picked_up"}, holds=(2,)) for n in range(6) for _ in range(2)]
    assert progress_on(rat, sessions + unrewarded, next_day(on, 6)).step_id == "first-pickups"


# --- 8. Longer holds -----------------------------------------------------------------------


def longer_holds(source="breeder", opt_in=False):
    rat = animal(source, opt_in=opt_in)
    sessions, on = reach("longer-holds", rat)
    return rat, sessions, on


def test_longer_holds_start_at_the_step_start_target():
    rat, sessions, on = longer_holds()

    assert progress_on(rat, sessions, on).hold_target_seconds == 5


def test_hold_target_grows_after_a_day_held_at_least_the_target_calmly():
    rat, sessions, on = longer_holds()
    sessions.append(session(on, PICKUP, {"relaxed"}, holds=(5,)))

    assert progress_on(rat, sessions, on).hold_target_seconds == 5
    assert progress_on(rat, sessions, next_day(on)).hold_target_seconds == 5 + 10


def test_hold_target_grows_by_the_source_hold_growth():
    rat, sessions, on = longer_holds("rescue")
    sessions.append(session(on, PICKUP, {"relaxed"}, holds=(5,)))

    assert RAT.source("rescue").hold_growth_seconds == 3
    assert progress_on(rat, sessions, next_day(on)).hold_target_seconds == 5 + 3


def test_hold_target_does_not_grow_after_a_day_held_less_than_the_target():
    rat, sessions, on = longer_holds()
    sessions.append(session(on, PICKUP, {"relaxed"}, holds=(4, 4)))

    assert progress_on(rat, sessions, next_day(on)).hold_target_seconds == 5


def test_hold_target_does_not_grow_after_a_fearful_hold():
    rat, sessions, on = longer_holds()
    sessions.append(session(on, PICKUP, {"squeaked"}, holds=(5,)))

    assert progress_on(rat, sessions, next_day(on)).hold_target_seconds == 5


def test_hold_target_does_not_grow_without_sessions():
    rat, sessions, on = longer_holds()

    assert progress_on(rat, sessions, next_day(on, 10)).hold_target_seconds == 5


def test_hold_target_grows_at_most_once_a_day():
    rat, sessions, on = longer_holds()
    sessions += [session(on, PICKUP, {"relaxed"}, holds=(60,)) for _ in range(3)]

    assert progress_on(rat, sessions, next_day(on)).hold_target_seconds == 15


def test_hold_target_never_grows_past_trust_seconds():
    rat, sessions, on = longer_holds()
    targets = []
    for n in range(16):
        today = next_day(on, n)
        target = progress_on(rat, sessions, today).hold_target_seconds
        targets.append(target)
        sessions.append(session(today, PICKUP, (), holds=(target,)))  # no calm sign: never qualifies

    assert max(targets) == targets[-1] == 120
    assert targets[:3] == [5, 15, 25]


def test_longer_holds_allow_a_little_past_todays_target():
    rat, sessions, on = longer_holds()

    now = progress_on(rat, sessions, on)
    assert now.hold_allowed_seconds == now.hold_target_seconds + 10
    too_long = session(on, PICKUP, {"relaxed"}, holds=(now.hold_allowed_seconds + 1,))
    assert "hold_too_long" in codes(alerts_for(rat, sessions, too_long))


def test_holds_during_a_health_pause_do_not_grow_the_hold_target():
    rat, sessions, on = longer_holds()
    sessions.append(session(on, {"talked"}, {"red_tears"}))
    sessions.append(session(next_day(on), PICKUP, {"relaxed"}, holds=(5,)))

    assert progress_on(rat, sessions, next_day(on)).paused_since == on
    assert progress_on(rat, sessions, next_day(on, 2)).hold_target_seconds == 5


def test_basic_trust_needs_the_hold_target_at_trust_seconds():
    rat, sessions, on = longer_holds()
    # Long, calm, rewarded holds every day: qualifying sessions, but the target climbs a step a day.
    for n in range(6):
        sessions += [session(next_day(on, n), PICKUP, {"relaxed"}, holds=(120,)) for _ in range(2)]

    now = progress_on(rat, sessions, next_day(on, 5))
    assert now.step_id == "longer-holds"
    assert now.evidence.sessions_have >= now.evidence.sessions_needed
    assert now.hold_target_seconds < 120


# --- 9. Extended holding, optional ---------------------------------------------------------


def extended(on, seconds=1200, end="completed", observations=("relaxed",)):
    return session(on, {"talked", "extended_hold"}, observations, extended_hold_seconds=seconds, extended_hold_end=end)


def test_extended_hold_step_is_skipped_without_opt_in():
    rat = animal("breeder")
    sessions, on = follow_plan(RAT, rat, days=40)

    now = progress_on(rat, sessions, on)
    assert now.step_id == "maintenance"
    assert "extended-hold" not in {c.to_step for c in now.history}
    up = next(c for c in now.history if c.from_step == "longer-holds")
    assert up.to_step == "maintenance"


def test_opted_in_rat_is_offered_the_extended_hold_after_longer_holds():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)

    now = progress_on(rat, sessions, on)
    assert now.history[-1].from_step == "longer-holds"
    today = plan_on(rat, sessions, on)
    assert "extended_hold" in task_activities(today)
    assert any("Stop the extended hold" in n for n in today.notices)


def test_extended_hold_step_waits_for_a_completed_extended_hold():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)
    sessions.append(session(next_day(on), PICKUP, {"relaxed"}, holds=(60,)))

    assert progress_on(rat, sessions, next_day(on, 2)).step_id == "extended-hold"


def test_a_completed_extended_hold_of_twenty_minutes_moves_the_rat_to_maintenance():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)
    hold = extended(on, seconds=1200)

    assert not {"extended_hold_before_trust", "extended_hold_not_opted_in", "extended_hold_too_short"} & codes(
        alerts_for(rat, sessions, hold)
    )
    assert progress_on(rat, [*sessions, hold], on).step_id == "maintenance"


def test_an_extended_hold_under_twenty_minutes_is_flagged_and_does_not_count():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)
    short = extended(on, seconds=1199)

    assert "extended_hold_too_short" in codes(alerts_for(rat, sessions, short))
    assert progress_on(rat, [*sessions, short], on).step_id == "extended-hold"


def test_an_extended_hold_before_basic_trust_is_flagged():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("longer-holds", rat)
    hold = extended(on)

    assert "extended_hold_before_trust" in codes(alerts_for(rat, sessions, hold))
    assert progress_on(rat, [*sessions, hold], on).step_id == "longer-holds"


def test_an_extended_hold_without_opt_in_is_flagged():
    rat = animal("breeder")
    sessions, on = reach("maintenance", rat)

    alerts = codes(alerts_for(rat, sessions, extended(on, seconds=1500)))
    assert "extended_hold_not_opted_in" in alerts
    assert "extended_hold_before_trust" not in alerts


def test_a_stopped_extended_hold_moves_the_rat_back_a_step():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)
    stopped = extended(on, seconds=300, end="struggling", observations=())

    alerts = alerts_for(rat, sessions, stopped)
    assert "extended_hold_stopped" in codes(alerts)
    assert next(a for a in alerts if a.code == "extended_hold_stopped").level == "stop"
    now = progress_on(rat, [*sessions, stopped], on)
    assert now.step_id == "longer-holds"
    assert now.history[-1].direction == "back"
    assert now.hold_target_seconds == 60  # a growing target restarts at half


def test_a_stopped_extended_hold_at_maintenance_also_moves_the_rat_back():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("maintenance", rat)
    stopped = extended(on, seconds=300, end="went_limp", observations=())

    assert "extended_hold_stopped" in codes(alerts_for(rat, sessions, stopped))
    now = progress_on(rat, [*sessions, stopped], on)
    assert now.step_id != "maintenance"
    assert now.history[-1].direction == "back"


# --- Fear seen during a hold, whatever outcome was recorded (design.md section 5) -------------


def label(name):
    return vocab.OBSERVATIONS[name].label.lower()


def test_fear_seen_during_an_extended_hold_recorded_as_completed_is_a_stop_alert():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)
    held_through = extended(on, seconds=1500, end="completed", observations=("froze", "squeaked"))

    alerts = alerts_for(rat, sessions, held_through)
    alert = next(a for a in alerts if a.code == "extended_hold_not_stopped")
    assert alert.level == "stop"
    assert label("froze") in alert.message and label("squeaked") in alert.message
    assert "first" in alert.message and "short, rewarded holds" in alert.message  # what to do next time
    assert "extended_hold_stopped" not in codes(alerts)  # it was not recorded as stopped


@pytest.mark.parametrize("step_id", ["extended-hold", "maintenance"])
def test_an_extended_hold_held_through_fear_moves_the_rat_back_like_a_stopped_one(step_id):
    rat = animal("breeder", opt_in=True)
    sessions, on = reach(step_id, rat)
    held_through = extended(on, seconds=1500, end="completed", observations=("froze", "squeaked"))
    stopped = extended(on, seconds=300, end="froze", observations=())

    now = progress_on(rat, [*sessions, held_through], on)
    assert now.step_id == "longer-holds"
    assert now.history[-1].direction == "back"
    assert label("froze") in now.history[-1].reason
    assert now.step_id == progress_on(rat, [*sessions, stopped], on).step_id


def test_an_extended_hold_held_through_fear_never_counts_as_the_completed_hold():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)
    held_through = extended(on, seconds=1500, end="completed", observations=("relaxed", "chattered"))

    assert progress_on(rat, [*sessions, held_through], next_day(on, 3)).step_id != "maintenance"


def test_new_red_tears_during_an_extended_hold_recorded_as_completed_are_a_stop_sign_too():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)
    held_through = extended(on, seconds=1500, end="completed", observations=("red_tears",))

    alerts = alerts_for(rat, sessions, held_through)
    assert {"extended_hold_not_stopped", "illness_sign"} <= codes(alerts)
    assert label("red_tears") in next(a for a in alerts if a.code == "extended_hold_not_stopped").message
    now = progress_on(rat, [*sessions, held_through], on)
    assert (now.step_id, now.paused_since) == ("longer-holds", on)


def test_an_extended_hold_stopped_at_a_fear_sign_is_told_it_was_right_not_that_it_should_have_stopped():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)
    stopped = extended(on, seconds=300, end="froze", observations=("froze", "squeaked"))

    alerts = codes(alerts_for(rat, sessions, stopped))
    assert "extended_hold_stopped" in alerts
    assert not {"extended_hold_not_stopped", "fear_during_hold"} & alerts


def test_a_calm_completed_extended_hold_gets_no_fear_alert():
    rat = animal("breeder", opt_in=True)
    sessions, on = reach("extended-hold", rat)

    assert alerts_for(rat, sessions, extended(on, seconds=1500, observations=("relaxed", "bruxed"))) == []


@pytest.mark.parametrize("protocol", [RAT, MOUSE], ids=["rat", "mouse"])
def test_every_fear_sign_of_the_protocol_seen_during_a_rewarded_pick_up_is_flagged(protocol):
    facts = animal("breeder", protocol.species[0])
    sessions, on = reach("first-pickups", facts, protocol)

    for sign in protocol.fear_signs:
        pick_up = session(on, PICKUP, {"relaxed", sign}, holds=(2,))
        alert = next((a for a in alerts_for(facts, sessions, pick_up, protocol) if a.code == "fear_during_hold"), None)
        assert alert is not None, sign
        assert alert.level == "warning"
        assert label(sign) in alert.message
        assert "first sign" in alert.message  # what to do next time


def test_fear_seen_during_a_pick_up_logged_without_hold_seconds_is_flagged():
    rat = animal("breeder")
    sessions, on = reach("longer-holds", rat)

    assert "fear_during_hold" in codes(alerts_for(rat, sessions, session(on, PICKUP, {"fled"})))


def test_calm_signs_noted_beside_a_nip_do_not_make_a_hold_count_as_calm():
    rat, sessions, on = longer_holds()
    mixed = session(on, PICKUP, {"relaxed", "nipped"}, holds=(5,))

    assert {"fear_bite", "fear_during_hold"} <= codes(alerts_for(rat, sessions, mixed))
    now = progress_on(rat, [*sessions, mixed], next_day(on))
    assert now.hold_target_seconds == 5
    assert now.evidence.sessions_have == 0


def test_fear_seen_in_a_session_without_a_hold_is_not_a_hold_alert():
    rat = animal("breeder")
    sessions, on = reach("treats-from-fingers", rat)

    assert "fear_during_hold" not in codes(alerts_for(rat, sessions, treats_from_fingers(on, ("fled",))))


def test_the_fear_signs_of_a_hold_come_from_the_protocol():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)
    lenient = RAT.model_copy(update={"fear_signs": ["bit"]})
    pick_up = session(on, PICKUP, {"froze"}, holds=(2,))

    assert "fear_during_hold" in codes(alerts_for(rat, sessions, pick_up))
    assert "fear_during_hold" not in codes(alerts_for(rat, sessions, pick_up, lenient))


# --- Setbacks: bites and repeated fear ------------------------------------------------------


def test_a_bite_moves_the_rat_back_one_step_and_is_flagged():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)
    bite = session(on, PICKUP, {"bit"}, holds=(2,))

    assert "fear_bite" in codes(alerts_for(rat, sessions, bite))
    now = progress_on(rat, [*sessions, bite], on)
    assert now.step_id == "petting"
    assert now.history[-1].direction == "back"


def test_a_bite_restarts_the_evidence_at_the_lower_step():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)
    sessions.append(session(on, PICKUP, {"bit"}, holds=(2,)))

    assert progress_on(rat, sessions, on).evidence.sessions_have == 0


def test_a_bite_never_moves_the_rat_back_into_settling_in():
    rat = animal("breeder")
    sessions, on = reach("treats-from-fingers", rat)
    sessions += [treats_from_fingers(on, ("bit",)) for _ in range(3)]

    now = progress_on(rat, sessions, on)
    assert now.step_id == "treats-in-cage"
    assert [c.to_step for c in now.history].count("settling-in") == 1


def test_a_bite_at_maintenance_moves_back_past_the_extended_hold_step():
    for opt_in in (False, True):
        rat = animal("breeder", opt_in=opt_in)
        sessions, on = reach("maintenance", rat)
        sessions.append(session(on, PICKUP, {"bit"}, holds=(10,)))

        assert progress_on(rat, sessions, on).step_id == "longer-holds", opt_in


def test_fleeing_in_two_of_the_last_three_sessions_moves_the_rat_back():
    rat = animal("breeder")
    sessions, on = reach("treats-from-fingers", rat)
    sessions += [
        treats_from_fingers(on, ("fled",)),
        treats_from_fingers(on),
        treats_from_fingers(on, ("fled",)),
    ]

    now = progress_on(rat, sessions, on)
    assert now.step_id == "treats-in-cage"
    assert "fear signs" in now.history[-1].reason


def test_fleeing_once_does_not_move_the_rat_back():
    rat = animal("breeder")
    sessions, on = reach("treats-from-fingers", rat)
    sessions += [treats_from_fingers(on, ("fled",)), treats_from_fingers(on), treats_from_fingers(on)]

    now = progress_on(rat, sessions, on)
    assert now.step_id == "treats-from-fingers"
    assert any("fear signs in 1" in con for con in now.evidence.against_moving)


# --- Illness signs pause the program --------------------------------------------------------


def test_an_illness_sign_gives_a_stop_alert_that_points_to_a_vet():
    alerts = alerts_for(animal("rescue"), [], treats_in_cage(4, ("took_treat", "red_tears")))

    illness = next(a for a in alerts if a.code == "illness_sign")
    assert illness.level == "stop"
    assert "vet" in illness.message


def test_an_illness_sign_pauses_the_program():
    rat = animal("rescue")
    sessions = [session(4, {"talked"}, {"laboured_breathing"})]

    now = progress_on(rat, sessions, day(6))
    assert now.paused_since == day(4)
    assert now.next_milestone.expected_date is None


def test_the_plan_while_paused_has_no_handling_tasks():
    rat = animal("rescue")
    sessions = [session(4, {"talked"}, {"red_tears"})]

    today = plan_on(rat, sessions, day(5))
    assert task_activities(today) == ["talked"]
    assert any("vet" in n for n in today.notices)
    assert "health" in today.avoid[0]


def test_handling_while_paused_is_flagged():
    rat = animal("rescue")
    sessions = [session(4, {"talked"}, {"red_tears"})]

    assert "handled_while_unwell" in codes(alerts_for(rat, sessions, treats_in_cage(5)))


def test_evidence_does_not_count_while_paused():
    rat = animal("rescue")
    sessions = [session(3, {"talked"}, {"red_tears"})]
    sessions += [treats_in_cage(n) for n in range(3, 8) for _ in range(2)]

    now = progress_on(rat, sessions, day(8))
    assert now.step_id == "treats-in-cage"
    assert now.evidence.sessions_have == 0


def test_health_cleared_resumes_the_program():
    rat = animal("rescue")
    sessions = [session(3, {"talked"}, {"red_tears"})]
    sessions += [treats_in_cage(n) for n in range(3, 8) for _ in range(2)]
    sessions.append(session(8, {"talked"}, {"health_cleared"}))

    assert progress_on(rat, sessions, day(8)).paused_since is None
    assert "treat_in_cage" in task_activities(plan_on(rat, sessions, day(8)))

    sessions += [treats_in_cage(n) for n in range(8, 11) for _ in range(2)]
    now = progress_on(rat, sessions, day(10))
    assert now.step_id == "treats-from-fingers"


def test_health_cleared_noted_beside_an_illness_sign_keeps_the_program_paused():
    rat = animal("rescue")
    sessions = [session(4, {"talked"}, {"red_tears"})]
    both = session(6, {"talked"}, {"health_cleared", "laboured_breathing"})

    assert "illness_sign" in codes(alerts_for(rat, sessions, both))
    assert progress_on(rat, [*sessions, both], day(7)).paused_since == day(4)


def test_a_paused_rat_does_not_move_up_however_much_evidence_there_was():
    rat = animal("breeder")
    sessions = [treats_in_cage(n) for n in (2, 3, 4) for _ in range(2)]
    sessions.insert(0, session(2, {"talked"}, {"hunched"}))

    now = progress_on(rat, sessions, day(20))
    assert now.step_id == "treats-in-cage"
    assert now.paused_since == day(2)


# --- Mice -----------------------------------------------------------------------------------


def test_the_mouse_protocol_loads_with_the_same_ladder():
    assert MOUSE.species == ["mouse"]
    assert [s.kind for s in MOUSE.steps][0] is StepKind.SETTLING
    assert [s.kind for s in MOUSE.steps][-1] is StepKind.MAINTENANCE
    assert "first-pickups" in [s.id for s in MOUSE.steps]


def test_lifting_a_mouse_by_the_tail_is_flagged():
    mouse = animal("breeder", "mouse")
    sessions, on = reach("first-pickups", mouse, MOUSE)
    lift = session(on, {"talked", "tail_lift", "picked_up", "rewarded"}, holds=(2,))

    assert "tail_lift" in codes(alerts_for(mouse, sessions, lift, MOUSE))


def test_mouse_pick_ups_use_a_tunnel_or_cupped_hands():
    mouse = animal("breeder", "mouse")
    sessions, on = reach("first-pickups", mouse, MOUSE)

    pick_up = next(t for t in plan_on(mouse, sessions, on, MOUSE).tasks if t.activity == "picked_up")
    assert "tunnel" in pick_up.text or "cupped" in pick_up.text
    step = MOUSE.steps[MOUSE.index_of("first-pickups")]
    assert {"tunnel_used", "cupped_hands"} <= set(step.allows)
    assert "tail_lift" not in step.allows


def test_a_tunnel_lift_is_not_flagged_at_the_mouse_pick_up_step():
    mouse = animal("breeder", "mouse")
    sessions, on = reach("first-pickups", mouse, MOUSE)
    lift = session(on, {"talked", "tunnel_used", "picked_up", "rewarded"}, {"relaxed"}, holds=(2,))

    assert alerts_for(mouse, sessions, lift, MOUSE) == []


def test_progress_before_a_session_ignores_the_session_itself():
    rat = animal("breeder")
    sessions, on = reach("first-pickups", rat)
    bite = session(on, PICKUP, {"bit"}, holds=(2,))

    assert engine.progress_before(RAT, rat, [*sessions, bite], bite).step_id == "first-pickups"
