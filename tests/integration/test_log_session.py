"""Logging sessions through the one service every interface uses."""

from datetime import UTC, datetime, timedelta

import pytest

from gentling.domain.errors import InvalidInput, NotAllowed, NotFound
from gentling.domain.validation import SessionInput
from gentling.models import Session
from gentling.services.progress import progress_of, verify_snapshots
from gentling.services.sessions import delete_session, log_session
from tests.factories import make_animal

from .conftest import NOW, TODAY


def entry(start=None, minutes=10, **kw):
    start = start or NOW - timedelta(hours=1)
    return SessionInput(started_at=start, ended_at=start + timedelta(minutes=minutes), **kw)


def test_handling_while_settling_in_is_recorded_and_marked(owner, household, rat):
    logged = log_session(
        keeper=owner, household=household, animals=[rat], entry=entry(activities=["talked", "petted"]), now=NOW
    )
    session = Session.objects.get()
    codes = [a["code"] for a in session.alerts]
    assert "handled_while_settling" in codes and "petting_too_early" in codes
    assert [a.code for a in logged[0].alerts] == codes
    assert session.activities == ["talked", "petted"]


def test_holds_imply_a_pick_up(owner, household, rat):
    log_session(keeper=owner, household=household, animals=[rat], entry=entry(holds=[2, 3]), now=NOW)
    assert "picked_up" in Session.objects.get().activities


def test_a_sitting_with_two_animals_makes_one_session_each(owner, household, rat):
    other = make_animal(household, today=TODAY, name="Ratatouille")
    logged = log_session(
        keeper=owner, household=household, animals=[rat, other, rat], entry=entry(activities=["talked"]), now=NOW
    )
    assert len(logged) == 2
    assert len({s.sitting for s in Session.objects.all()}) == 1


def test_backdated_session_counts_on_its_own_day(owner, household):
    rat = make_animal(household, today=TODAY, days_ago=10)
    start = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    log_session(keeper=owner, household=household, animals=[rat], entry=entry(start, activities=["talked"]), now=NOW)
    assert Session.objects.get().day.isoformat() == "2026-11-20"


def test_the_day_is_the_households_local_day(owner, household):
    household.time_zone = "Pacific/Auckland"  # UTC+13 in November
    household.save()
    rat = make_animal(household, today=TODAY, days_ago=10)
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # already the 21st in Auckland
    log_session(keeper=owner, household=household, animals=[rat], entry=entry(start, activities=["talked"]), now=NOW)
    assert Session.objects.get().day.isoformat() == "2026-11-21"


TALKED = ["talked"]


@pytest.mark.parametrize(
    "bad, field",
    [
        (dict(start=NOW + timedelta(days=1), activities=TALKED), "started_at"),
        (dict(minutes=-5, activities=TALKED), "ended_at"),
        (dict(minutes=0, activities=TALKED), "ended_at"),
        (dict(minutes=60 * 24 * 3, activities=TALKED), "ended_at"),
        (dict(holds=[3 * 24 * 3600]), "holds"),
        (dict(holds=[-2]), "holds"),
        (dict(activities=["juggling"]), "activities"),
        (dict(activities=TALKED, observations=["purred"]), "observations"),
        (dict(activities=TALKED, notes="x" * 2001), "notes"),
        (dict(extended_hold_seconds=1500, extended_hold_end="completed"), "extended_hold_seconds"),
        (dict(), "activities"),
    ],
)
def test_bad_sessions_are_refused_and_nothing_is_stored(owner, household, rat, bad, field):
    with pytest.raises(InvalidInput) as err:
        log_session(keeper=owner, household=household, animals=[rat], entry=entry(**bad), now=NOW)
    assert err.value.field == field
    assert err.value.message
    assert Session.objects.count() == 0


def test_a_session_before_arrival_is_refused(owner, household, rat):
    with pytest.raises(InvalidInput, match="arrived on"):
        log_session(
            keeper=owner,
            household=household,
            animals=[rat],
            entry=entry(NOW - timedelta(days=2), activities=["talked"]),
            now=NOW,
        )


def test_a_bad_animal_in_a_sitting_stores_nothing_for_the_others(owner, household, other_household, rat):
    stranger = make_animal(other_household, today=TODAY, name="Stranger")
    with pytest.raises(NotFound):
        log_session(
            keeper=owner, household=household, animals=[rat, stranger], entry=entry(activities=["talked"]), now=NOW
        )
    assert Session.objects.count() == 0


def test_a_viewer_cannot_log(viewer, household, rat):
    with pytest.raises(NotAllowed):
        log_session(keeper=viewer, household=household, animals=[rat], entry=entry(activities=["talked"]), now=NOW)


def test_a_carer_can_log(carer, household, rat):
    log_session(keeper=carer, household=household, animals=[rat], entry=entry(activities=["talked"]), now=NOW)
    assert Session.objects.get().keeper == carer


def test_an_outsider_cannot_log_into_another_household(outsider, household, rat):
    with pytest.raises((NotAllowed, NotFound)):
        log_session(keeper=outsider, household=household, animals=[rat], entry=entry(activities=["talked"]), now=NOW)
    assert Session.objects.count() == 0


def test_deleting_a_session_recomputes_progress(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=20)
    logged = log_session(
        keeper=owner,
        household=household,
        animals=[rat],
        entry=entry(activities=["talked"], observations=["red_tears"]),
        now=NOW,
    )
    assert progress_of(rat, TODAY).paused_since == TODAY
    delete_session(keeper=owner, household=household, public_id=logged[0].session.public_id, now=NOW)
    assert progress_of(rat, TODAY).paused_since is None
    assert verify_snapshots()[1] == []
