"""Today's quick log: a tap logs a task with the step's usual defaults, for one animal or its
cage; it can be undone for a minute, once, by the keeper who logged it."""

from datetime import UTC, datetime, timedelta

import pytest

from gentling.domain.errors import InvalidInput, NotAllowed, NotFound
from gentling.models import Session
from gentling.services.households import create_household
from gentling.services.progress import plan_for_household
from gentling.services.quick_log import QUICK_MINUTES, UNDO_SECONDS, NothingToUndo, quick_log, undo_quick_log
from tests.factories import bring_to_step, make_animal

from .conftest import NOW, TODAY


@pytest.fixture
def pair(household):
    """Two rats five days home in one cage, at 'Treats with your hand in the cage'."""
    return [make_animal(household, today=TODAY, name=n, days_ago=5, cage="Top Deck", sex="female") for n in "AB"]


def _tap(keeper, household, animal, activity="treat_in_cage", whole_cage=False, now=NOW):
    return quick_log(
        keeper=keeper,
        household=household,
        animal_ref=animal.public_id,
        activity=activity,
        whole_cage=whole_cage,
        now=now,
    )


def test_a_tap_logs_the_task_ending_now_and_counts_on_todays_plan(owner, household, pair):
    (item,) = _tap(owner, household, pair[0])

    s = Session.objects.get()
    assert (s.animal, s.keeper, s.activities, s.holds, s.observations) == (pair[0], owner, ["treat_in_cage"], [], [])
    assert s.ended_at == NOW and s.duration_seconds == QUICK_MINUTES * 60 and s.day == TODAY
    (plan,) = [p.plan for p in plan_for_household(household, TODAY) if p.animal == pair[0]]
    (task,) = [t for t in plan.tasks if t.activity == "treat_in_cage"]
    assert task.done_today == 1
    assert item.session == s


def test_the_whole_cage_shares_one_sitting(owner, household, pair):
    elsewhere = make_animal(household, today=TODAY, name="C", days_ago=5, cage="Other cage", sex="female")

    logged = _tap(owner, household, pair[0], whole_cage=True)

    assert sorted(i.animal.name for i in logged) == ["A", "B"]
    assert len({i.session.sitting for i in logged}) == 1
    assert not Session.objects.filter(animal=elsewhere).exists()


def test_a_pick_up_records_todays_target_and_the_reward(owner, household):
    ready = bring_to_step(owner, household, "first-pickups", now=NOW, name="Ready")
    before = Session.objects.count()

    (item,) = _tap(owner, household, ready, "picked_up")

    assert Session.objects.count() == before + 1
    assert item.session.activities == ["picked_up", "rewarded"] and item.session.holds == [2]


def test_a_task_that_is_not_in_todays_plan_is_refused_and_nothing_is_saved(owner, household, pair):
    with pytest.raises(InvalidInput, match="not one of A's tasks today that a tap can log: start a session"):
        _tap(owner, household, pair[0], "picked_up")
    with pytest.raises(InvalidInput, match="not one of A's tasks today"):
        _tap(owner, household, pair[0], "juggling" * 50)
    assert not Session.objects.exists()


def test_an_unknown_animal_is_refused(owner, household, other_household):
    stranger = make_animal(other_household, today=TODAY, name="Stranger", days_ago=5)
    with pytest.raises(NotFound):
        _tap(owner, household, stranger)
    assert not Session.objects.exists()


def test_a_viewer_cannot_quick_log(viewer, household, pair):
    with pytest.raises(NotAllowed):
        _tap(viewer, household, pair[0])


def test_just_after_midnight_the_session_stays_in_today(owner, household, pair):
    just_after = datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(seconds=90)

    _tap(owner, household, pair[0], now=just_after)

    s = Session.objects.get()
    assert s.day == TODAY and s.duration_seconds == 90


def test_undo_deletes_the_sitting_once(owner, household, pair):
    logged = _tap(owner, household, pair[0], whole_cage=True)
    sitting = logged[0].session.sitting

    names = undo_quick_log(keeper=owner, household=household, sitting=sitting, now=NOW + timedelta(seconds=5))

    assert sorted(names) == ["A", "B"] and not Session.objects.exists()
    with pytest.raises(NothingToUndo, match="undone already"):
        undo_quick_log(keeper=owner, household=household, sitting=sitting, now=NOW + timedelta(seconds=6))


def test_undo_is_for_a_minute_and_for_the_keeper_who_logged(owner, carer, household, pair):
    sitting = _tap(owner, household, pair[0])[0].session.sitting

    with pytest.raises(NothingToUndo):
        undo_quick_log(keeper=carer, household=household, sitting=sitting, now=NOW)
    with pytest.raises(NothingToUndo):
        undo_quick_log(
            keeper=owner, household=household, sitting=sitting, now=NOW + timedelta(seconds=UNDO_SECONDS + 1)
        )
    assert Session.objects.count() == 1


def test_undo_never_reaches_another_household(owner, outsider, household, pair):
    sitting = _tap(owner, household, pair[0])[0].session.sitting
    theirs = create_household(keeper=outsider, name="Theirs", time_zone="UTC")

    with pytest.raises(NothingToUndo):
        undo_quick_log(keeper=outsider, household=theirs, sitting=sitting, now=NOW)
    assert Session.objects.count() == 1
