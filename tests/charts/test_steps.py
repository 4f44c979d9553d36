"""Days at each step of the ladder."""

from gentling.charts import steps_chart, time_at_steps
from gentling.charts.steps import TITLE, StepTime
from gentling.domain import engine
from gentling.domain.engine import StepChange

from .builders import PET_STORE_RAT, RAT, SVG, day, keeper_follows_plan, read_svg, texts

LADDER = [step.id for step in RAT.steps]


def change(n, from_step, to_step, direction="up"):
    return StepChange(day(n), from_step, to_step, direction, "")


def days_by_step(times):
    return {t.step_id: t.days for t in times}


def test_it_adds_up_every_stay_at_a_step():
    history = [
        change(0, None, "settling-in", "start"),
        change(3, "settling-in", "treats-in-cage"),
        change(10, "treats-in-cage", "treats-from-fingers"),
        change(12, "treats-from-fingers", "treats-in-cage", "back"),
        change(15, "treats-in-cage", "treats-from-fingers"),
    ]

    times = time_at_steps(RAT, history, day(20))

    assert [t.step_id for t in times] == LADDER
    assert times[:3] == [
        ("settling-in", "Settling in", 3),
        ("treats-in-cage", "Treats with your hand in the cage", 7 + 3),
        ("treats-from-fingers", "Treats closer, then from your fingers", 2 + 5),
    ]
    assert all(t.days == 0 for t in times[3:])


def test_it_ignores_changes_after_the_day_and_steps_the_protocol_no_longer_has():
    history = [
        change(0, None, "settling-in", "start"),
        change(3, "settling-in", "retired-step"),
        change(5, "retired-step", "treats-in-cage"),
        change(9, "treats-in-cage", "treats-from-fingers"),
    ]

    assert days_by_step(time_at_steps(RAT, history, day(8))) == {
        **dict.fromkeys(LADDER, 0),
        "settling-in": 3,
        "treats-in-cage": 3,
    }


def test_the_days_of_an_engine_history_add_up_to_the_days_since_arrival():
    sessions = keeper_follows_plan(30)
    progress = engine.progress(RAT, PET_STORE_RAT, sessions, day(29))

    times = time_at_steps(RAT, progress.history, day(29))

    assert sum(t.days for t in times) == 29
    assert days_by_step(times)["settling-in"] == 3
    assert days_by_step(times)[progress.step_id] == (day(29) - progress.entered_on).days


def test_the_chart_names_every_step_and_its_days():
    times = [StepTime(step.id, step.title, n) for n, step in enumerate(RAT.steps)]

    root = read_svg(steps_chart(times), TITLE)

    assert {step.title for step in RAT.steps} <= set(texts(root))
    assert {"0 days", "1 day", "2 days"} <= set(texts(root))
    assert root.findtext(f"{SVG}desc").startswith("28 days in all: Settling in: 0 days; Treats with your hand")


def test_the_same_times_give_the_same_svg():
    times = [StepTime(step.id, step.title, 3) for step in RAT.steps]

    assert steps_chart(times) == steps_chart(list(times))


def test_on_the_day_of_arrival_it_says_there_is_nothing_yet():
    times = time_at_steps(RAT, [change(0, None, "settling-in", "start")], day(0))

    assert "No days on the ladder yet" in texts(read_svg(steps_chart(times), TITLE))
    assert "No days on the ladder yet" in texts(read_svg(steps_chart([]), TITLE))
