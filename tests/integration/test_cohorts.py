"""Cohorts (issue 16, part 4): named groups of animals, and the share of them that reached each
step by day N after arrival, those still on their way censored, not dropped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gentling.domain.errors import InvalidInput, NotFound
from gentling.services.cohorts import create_cohort, outcomes
from tests.factories import bring_to_step, make_animal

from .conftest import NOW, TODAY


def _step(group, step_id):
    (found,) = [s for s in group.steps if s.step_id == step_id]
    return found


@pytest.fixture
def intake(owner, household):
    """Three breeder rats brought to 'first-pickups' on three different days, and one rescue rat
    that arrived a week ago and is still at the start of its ladder."""
    quick = bring_to_step(owner, household, "first-pickups", now=NOW, name="Quick", cage="A")
    later = bring_to_step(owner, household, "first-pickups", now=NOW - timedelta(days=4), name="Later", cage="B")
    newer = make_animal(household, today=TODAY, name="Newer", days_ago=7, cage="C")
    return quick, later, newer


def test_a_cohort_is_named_and_holds_the_households_animals(owner, household, intake):
    cohort = create_cohort(keeper=owner, household=household, name="Spring intake", animals=["Quick", "Newer"])

    assert cohort.name == "Spring intake" and {a.name for a in cohort.animals.all()} == {"Quick", "Newer"}


@pytest.mark.parametrize(
    "name, words",
    [("", "Name the cohort"), ("x" * 201, "the limit is 200"), ("Spring intake", "already")],
)
def test_a_bad_name_is_refused_plainly(owner, household, intake, name, words):
    create_cohort(keeper=owner, household=household, name="Spring intake", animals=[])
    with pytest.raises(InvalidInput, match=words):
        create_cohort(keeper=owner, household=household, name=name, animals=[])


def test_only_the_households_animals_and_only_by_a_keeper_who_may_write(owner, viewer, household, outsider):
    from gentling.domain.errors import NotAllowed
    from gentling.services.households import create_household

    theirs = make_animal(create_household(keeper=outsider, name="Theirs", time_zone="UTC"), today=TODAY)
    with pytest.raises(NotFound):
        create_cohort(keeper=owner, household=household, name="Mixed", animals=[theirs.public_id])
    with pytest.raises(NotAllowed):
        create_cohort(keeper=viewer, household=household, name="Viewed", animals=[])


def test_the_share_reached_by_day_n_counts_those_on_their_way_as_censored(owner, household, intake):
    quick, later, newer = intake
    cohort = create_cohort(keeper=owner, household=household, name="All", animals=["Quick", "Later", "Newer"])

    (group,) = outcomes([cohort], TODAY)

    pickups = _step(group, "first-pickups")
    assert (pickups.animals, pickups.reached) == (3, 2)
    days = (TODAY - quick.arrival_date).days
    assert days == (TODAY - timedelta(days=4) - later.arrival_date).days > 7  # the same plan, after Newer's week
    # Newer, seen for 7 days, is censored then: not a failure. Both rats still at risk got there, so the
    # share is all of them by that day, not two of three.
    assert pickups.curve == [(0.0, 0.0), (7.0, 0.0), (float(days), 1.0)]
    assert pickups.median_days == days
    assert _step(group, "treats-in-cage").reached >= 2


def test_cohorts_are_compared_and_cut_by_source(owner, household, intake):
    breeders = create_cohort(keeper=owner, household=household, name="Breeders", animals=["Quick", "Later"])
    mixed = create_cohort(keeper=owner, household=household, name="Mixed", animals=["Quick", "Newer"])

    compared = outcomes([breeders, mixed], TODAY)
    cut = outcomes([mixed], TODAY, by="source")

    assert [g.name for g in compared] == ["Breeders", "Mixed"]
    assert _step(compared[0], "first-pickups").reached == 2 and _step(compared[1], "first-pickups").reached == 1
    assert [g.name for g in cut] == ["Mixed · Breeder", "Mixed · Rescue"]
    assert _step(cut[1], "first-pickups").median_days is None  # the rescue has not got there yet


def test_an_unknown_cut_is_refused(owner, household, intake):
    cohort = create_cohort(keeper=owner, household=household, name="All", animals=["Quick"])
    with pytest.raises(InvalidInput, match="Unknown way to cut a cohort 'colour'"):
        outcomes([cohort], TODAY, by="colour")
