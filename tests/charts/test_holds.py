"""The hold chart: each day's longest pick-up against the day's target."""

from dataclasses import replace
from datetime import timedelta

from gentling.charts import hold_chart, hold_series
from gentling.charts.holds import TITLE, HoldPoint
from gentling.domain import engine
from gentling.domain.engine import DayState

from .builders import PET_STORE_RAT, RAT, day, keeper_follows_plan, read_svg, session, texts


def state(n, target=None):
    return DayState(day(n), "longer-holds", target, False)


def test_it_takes_the_longest_hold_of_each_day_across_sessions():
    sessions = [
        session(0, holds=(3, 8)),
        session(0, holds=(12,)),
        session(2, holds=(5,)),
        session(2),  # no pick-up: does not make the day's longest hold 0
    ]

    assert hold_series(sessions, [state(0, 10), state(1, 10), state(2, 15)]) == [
        HoldPoint(day(0), 12, 10),
        HoldPoint(day(1), None, 10),
        HoldPoint(day(2), 5, 15),
    ]


def test_it_leaves_out_sessions_outside_the_days_and_extended_holds():
    sessions = [
        session(5, holds=(30,)),
        session(1, holds=(4,)),
        replace(session(1, activities=("extended_hold",)), extended_hold_seconds=1500, extended_hold_end="completed"),
    ]

    assert hold_series(sessions, [state(1), state(2)]) == [HoldPoint(day(1), 4, None), HoldPoint(day(2), None, None)]


def test_targets_come_from_the_engine_timeline():
    sessions = keeper_follows_plan(30)
    days = engine.timeline(RAT, PET_STORE_RAT, sessions, day(29))

    points = hold_series(sessions, days)

    assert [p.day for p in points] == [day(n) for n in range(30)]
    assert [p.target for p in points] == [d.hold_target_seconds for d in days]
    assert points[:3] == [HoldPoint(day(n), None, None) for n in range(3)]  # settling in: no pick-ups
    held = [p for p in points if p.longest_hold is not None]
    assert held, "the keeper reached the pick-up steps"
    # The keeper holds for the target as it stands; a DayState's target is the one at the end of the day.
    assert all(p.longest_hold <= p.target for p in held)
    assert max(p.longest_hold for p in held) > 5  # the target grew at "Longer holds"


def test_the_chart_is_an_svg_with_its_title_and_legend():
    points = [HoldPoint(day(0), 12, 10), HoldPoint(day(1), None, 10), HoldPoint(day(2), 5, 15)]

    root = read_svg(hold_chart(points), TITLE)

    assert TITLE in texts(root)
    assert {"Longest hold", "Target"} <= set(texts(root))


def test_the_same_points_give_the_same_svg():
    points = [HoldPoint(day(n), n or None, 5) for n in range(10)]

    assert hold_chart(points) == hold_chart(list(points))


def test_with_no_days_or_no_holds_it_says_so():
    for points in ([], [HoldPoint(day(0), None, None)]):
        root = read_svg(hold_chart(points), TITLE)
        assert "No pick-ups yet" in texts(root)


def test_three_years_of_days_are_drawn_as_weeks_in_a_small_svg():
    points = [HoldPoint(day(0) + timedelta(days=n), n % 120 or None, 5 + n % 115) for n in range(3 * 365)]

    svg = hold_chart(points)

    assert "Each week's best day" in texts(read_svg(svg, TITLE))
    assert len(svg) < 200_000
