"""The words of an event's description, built from plain values (no database)."""

from __future__ import annotations

from datetime import date, timedelta

from gentling.domain.plan import AnimalPlan, Task
from gentling.services.calendar import describe_day, event_uid

DAY = date(2026, 11, 25)


def _plan(**extra) -> AnimalPlan:
    values = dict(
        day=DAY,
        day_number=12,
        step_id="fingers",
        step_title="Treats closer, then from your fingers",
        step_summary="Offer treats closer and closer.",
        tasks=(Task("talked", "Talk to them", 1, 1), Task("treat_from_fingers", "Treats from your fingers", 3, 1)),
        avoid=("Petting", "Grabbing"),
        cautions=(),
        notices=(),
        sessions_today=1,
    )
    return AnimalPlan(**(values | extra))


def test_tasks_show_what_is_done_of_how_many():
    text = describe_day("Whiskers", _plan(), None, [])
    assert "- Talk to them: 1 of 1 done" in text
    assert "- Treats from your fingers: 1 of 3 done" in text
    assert text.startswith("Whiskers: Treats closer, then from your fingers (day 12 at home)")


def test_things_to_avoid_are_listed():
    assert "Avoid:\n- Petting\n- Grabbing" in describe_day("Whiskers", _plan(), None, [])


def test_notices_such_as_a_health_pause_come_before_the_tasks():
    text = describe_day("Whiskers", _plan(notices=("Paused for health since 2026-11-20.",)), None, [])
    assert text.index("Paused for health") < text.index("To do:")


def test_a_day_with_no_tasks_says_so():
    assert "- Nothing today" in describe_day("Whiskers", _plan(tasks=()), None, [])


def test_the_uid_is_the_cage_and_the_date():
    assert event_uid("abc123", DAY) == "abc123-20261125@gentling"
    assert event_uid("abc123", DAY) != event_uid("abc123", DAY + timedelta(days=1))
