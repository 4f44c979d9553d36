"""Litters born at home (domain.md sections 2, 4 and 8; domain/litters.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gentling.domain.errors import InvalidInput, NotAllowed, NotFound
from gentling.domain.litters import litter_advice
from gentling.models import Litter
from gentling.services.litters import add_litter, litter_for, mark_separated
from gentling.services.today import today_for_household
from tests.factories import make_animal

from .conftest import TODAY, d

BORN = TODAY


def advice(age, species="rat", separated_on=None):
    return litter_advice(species, BORN, BORN + timedelta(days=age), separated_on)


# --- pure advice ----------------------------------------------------------------------------


@pytest.mark.parametrize("species", ["rat", "mouse"])
@pytest.mark.parametrize("age", [0, 1, 10, 17, 20])
def test_brief_daily_handling_under_3_weeks(species, age):
    a = advice(age, species)
    assert a.age_days == age
    assert "brief daily handling" in a.items[0]
    assert "once a day" in a.items[0]
    assert not any("Gentling" in i for i in a.items)


@pytest.mark.parametrize("species", ["rat", "mouse"])
@pytest.mark.parametrize("age", [21, 28, 35, 48, 55])
def test_gentling_10_minutes_twice_a_day_from_3_weeks(species, age):
    a = advice(age, species)
    assert "10 minutes" in a.items[0] and "twice a day" in a.items[0]
    assert not any("brief daily handling" in i for i in a.items)


def test_mice_are_lifted_in_a_tunnel_or_cupped_hands():
    assert any("tunnel" in i and "never by the tail" in i for i in advice(25, "mouse").items)
    assert not any("tunnel" in i for i in advice(25, "rat").items)


def test_rat_play_item_from_day_18():
    assert not any("Play" in i for i in advice(17).items)
    assert any("Play" in i for i in advice(18).items)
    assert not any("Play" in i for i in advice(18, "mouse").items)


def test_own_ladder_item_from_6_weeks():
    assert not any("own handling ladder" in i for i in advice(41).items)
    assert any("own handling ladder" in i for i in advice(42).items)


@pytest.mark.parametrize("species", ["rat", "mouse"])
@pytest.mark.parametrize("age", [56, 57, 70, 200])
def test_no_items_after_8_weeks(species, age):
    assert advice(age, species, separated_on=BORN + timedelta(days=30)).items == ()
    assert advice(age, species).items == ()


@pytest.mark.parametrize("species, sep", [("rat", 35), ("mouse", 28)])
def test_separation_day(species, sep):
    assert advice(0, species).separate_by == BORN + timedelta(days=sep)


@pytest.mark.parametrize("species, sep", [("rat", 35), ("mouse", 28)])
def test_warning_from_7_days_before_then_stop_until_separated(species, sep):
    for age in range(0, sep - 7):
        assert advice(age, species).alert_level is None, age
    for age in range(sep - 7, sep):
        a = advice(age, species)
        assert a.alert_level == "warning", age
        assert a.separate_by.isoformat() in a.alert
    for age in (sep, sep + 1, sep + 30, 300):
        a = advice(age, species)
        assert a.alert_level == "stop", age
        assert "Separate the males from the females now" in a.alert


@pytest.mark.parametrize("species, sep", [("rat", 35), ("mouse", 28)])
def test_no_alert_once_separated(species, sep):
    separated = BORN + timedelta(days=sep - 3)
    for age in (sep - 2, sep, sep + 10):
        a = advice(age, species, separated_on=separated)
        assert (a.alert_level, a.alert) == (None, None), age


# --- services -----------------------------------------------------------------------------------


def test_add_litter(owner, household):
    mum = make_animal(household, today=TODAY, name="Mum", sex="female", days_ago=200)
    litter = add_litter(
        keeper=owner,
        household=household,
        name="Spring",
        species="rat",
        birth_date=d(-3),
        today=TODAY,
        mother=mum,
        notes="eight pups",
    )
    assert (litter.name, litter.species, litter.birth_date, litter.mother, litter.separated_on) == (
        "Spring",
        "rat",
        d(-3),
        mum,
        None,
    )
    assert litter_for(keeper=owner, household=household, ref="spring") == litter
    assert litter_for(keeper=owner, household=household, ref=litter.public_id) == litter


def test_future_birth_is_refused(owner, household):
    with pytest.raises(InvalidInput) as exc:
        add_litter(keeper=owner, household=household, name="Soon", species="rat", birth_date=d(1), today=TODAY)
    assert exc.value.field == "birth_date"
    assert not Litter.objects.exists()


def test_litter_over_a_year_old_is_refused(owner, household):
    with pytest.raises(InvalidInput):
        add_litter(keeper=owner, household=household, name="Old", species="mouse", birth_date=d(-366), today=TODAY)


def test_unknown_species_is_refused(owner, household):
    with pytest.raises(InvalidInput):
        add_litter(keeper=owner, household=household, name="Kits", species="hamster", birth_date=TODAY, today=TODAY)


def test_mother_from_another_household_is_refused(owner, household, other_household):
    stranger = make_animal(other_household, today=TODAY, name="Stranger", sex="female")
    with pytest.raises(NotFound):
        add_litter(
            keeper=owner, household=household, name="X", species="rat", birth_date=TODAY, today=TODAY, mother=stranger
        )


def test_viewer_cannot_add_a_litter(viewer, household):
    with pytest.raises(NotAllowed):
        add_litter(keeper=viewer, household=household, name="X", species="rat", birth_date=TODAY, today=TODAY)


def test_mark_separated(owner, household):
    litter = add_litter(keeper=owner, household=household, name="Spring", species="rat", birth_date=d(-40), today=TODAY)
    for bad in (d(1), d(-41)):
        with pytest.raises(InvalidInput):
            mark_separated(keeper=owner, litter=litter, day=bad, today=TODAY)
    mark_separated(keeper=owner, litter=litter, day=d(-6), today=TODAY)
    litter.refresh_from_db()
    assert litter.separated_on == d(-6)


def test_today_lists_a_litters_items_and_alert(owner, household):
    young = add_litter(keeper=owner, household=household, name="Young", species="rat", birth_date=d(-10), today=TODAY)
    due = add_litter(keeper=owner, household=household, name="Due", species="mouse", birth_date=d(-30), today=TODAY)
    grown = add_litter(keeper=owner, household=household, name="Grown", species="rat", birth_date=d(-90), today=TODAY)
    t = today_for_household(household, TODAY)
    by_name = {lt.litter.name: lt.advice for lt in t.litters}
    assert "brief daily handling" in by_name["Young"].items[0]
    assert by_name["Young"].alert is None
    assert by_name["Due"].alert_level == "stop"
    assert by_name["Grown"].items == () and by_name["Grown"].alert_level == "stop"  # never separated

    mark_separated(keeper=owner, litter=due, day=d(-2), today=TODAY)
    mark_separated(keeper=owner, litter=grown, day=d(-55), today=TODAY)
    t = today_for_household(household, TODAY)
    names = [lt.litter.name for lt in t.litters]
    assert "Grown" not in names  # nothing left to do
    assert "Due" in names and {lt.litter.name: lt.advice for lt in t.litters}["Due"].alert is None
    assert young.name in names


def test_today_does_not_list_a_litter_before_its_birth(owner, household):
    add_litter(keeper=owner, household=household, name="Young", species="rat", birth_date=d(-2), today=TODAY)
    assert today_for_household(household, d(-5)).litters == []
    assert [lt.litter.name for lt in today_for_household(household, d(-2)).litters] == ["Young"]
