"""The housing guardrail: who may move in with whom (domain.md sections 1, 2 and 8).

Service-level moves (move_animal, add_animal with a cage) and the pure rules
(housing_problems) for the age and sex arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from gentling.domain.arrivals import Resident, housing_problems
from gentling.domain.errors import NotAllowed
from gentling.models import CageStay
from gentling.services.arrivals import HousingRefused, move_animal, quarantine_of, start_introduction
from tests.factories import make_animal
from tests.moments import at

from .conftest import TODAY, d, run_introduction


def codes(problems):
    return [p.code for p in problems]


def refused(keeper, animal, cage, day, reason=""):
    with pytest.raises(HousingRefused) as exc:
        move_animal(keeper=keeper, animal=animal, cage_name=cage, day=day, override_reason=reason)
    return exc.value


def stays(animal):
    return list(CageStay.objects.filter(animal=animal).order_by("moved_in_on", "id"))


@pytest.fixture
def newcomer(household, residents):
    """A female rescue rat, added today: in quarantine until TODAY + 21, in its own tub."""
    return make_animal(household, today=TODAY, name="Nova", sex="female", birth_date=d(-120), cage="Quarantine tub")


def introduce(owner, household, newcomer, residents):
    intro = start_introduction(
        keeper=owner,
        household=household,
        newcomers=[newcomer],
        residents=list(residents),
        cage_name="Big cage",
        day=TODAY,
    )
    return run_introduction(owner, intro, d(21))


# --- moves ------------------------------------------------------------------------------


def test_residents_fixture_shares_a_cage(residents):
    a, b = residents
    assert a.cage.name == b.cage.name == "Big cage"


def test_moving_into_an_empty_cage_is_fine(owner, household, residents, newcomer):
    assert newcomer.cage.name == "Quarantine tub"
    move = move_animal(keeper=owner, animal=newcomer, cage_name="Hospital cage", day=d(1))
    assert move.problems == [] and move.alerts == []
    newcomer.refresh_from_db()
    assert newcomer.cage.name == "Hospital cage"


def test_quarantined_newcomer_cannot_move_in_with_residents(owner, residents, newcomer):
    exc = refused(owner, newcomer, "Big cage", d(5))
    assert "quarantine_not_finished" in codes(exc.problems)
    assert all(p.blocking for p in exc.problems)
    assert f"in quarantine until {d(21).isoformat()}" in exc.message
    assert "owner can override" in exc.message


def test_after_quarantine_without_introduction_is_refused(owner, residents, newcomer):
    assert quarantine_of(newcomer, d(21)).done
    exc = refused(owner, newcomer, "Big cage", d(21))
    assert codes(exc.problems) == ["introduction_not_done"]
    assert "not been introduced" in exc.message
    assert "Biscuit" in exc.message and "Pepper" in exc.message


def test_introduction_not_yet_at_move_in_is_refused(owner, household, residents, newcomer):
    start_introduction(
        keeper=owner,
        household=household,
        newcomers=[newcomer],
        residents=list(residents),
        cage_name="Big cage",
        day=TODAY,
    )
    exc = refused(owner, newcomer, "Big cage", d(26))  # at the meetings stage
    assert codes(exc.problems) == ["introduction_not_done"]


def test_introduction_with_only_some_residents_is_not_enough(owner, household, residents, newcomer):
    intro = start_introduction(
        keeper=owner,
        household=household,
        newcomers=[newcomer],
        residents=[residents[0]],
        cage_name="Big cage",
        day=TODAY,
    )
    done = run_introduction(owner, intro, d(21))
    exc = refused(owner, newcomer, "Big cage", done)
    assert codes(exc.problems) == ["introduction_not_done"]
    assert "Pepper" in exc.message


def test_after_introduction_reached_move_in_the_move_is_allowed_and_recorded(owner, household, residents, newcomer):
    done = introduce(owner, household, newcomer, residents)
    move = move_animal(keeper=owner, animal=newcomer, cage_name="Big cage", day=done)
    assert [p for p in move.problems if p.blocking] == []
    newcomer.refresh_from_db()
    assert newcomer.cage.name == "Big cage"
    old, new = stays(newcomer)
    assert (old.cage.name, old.moved_in_on, old.moved_out_on) == ("Quarantine tub", TODAY, done)
    assert (new.cage.name, new.moved_in_on, new.moved_out_on) == ("Big cage", done, None)
    assert new.moved_by == owner
    assert new.override_reason == "" and new.overridden == []


def test_a_later_illness_sign_does_not_send_housed_animals_back_to_quarantine(owner, household, residents, newcomer):
    """Once Nova lives with the residents, red tears (stress, or a cold) call for a vet, not
    for a quarantine she shares a cage with: her quarantine and her introduction are history."""
    from gentling.services.arrivals import introduction_of, record_health_check
    from gentling.services.today import today_for_household

    intro = start_introduction(
        keeper=owner,
        household=household,
        newcomers=[newcomer],
        residents=list(residents),
        cage_name="Big cage",
        day=TODAY,
    )
    done = run_introduction(owner, intro, d(21))
    move_animal(keeper=owner, animal=newcomer, cage_name="Big cage", day=done)
    record_health_check(keeper=owner, animal=newcomer, day=d(40), signs=["red_tears"], now=at(d(40)))
    q = quarantine_of(newcomer, d(40))
    assert q.done, f"Nova, living in Big cage since {done}, is back in quarantine until {q.ends_on}"
    assert introduction_of(intro, d(40)).at_move_in
    assert newcomer.pk not in today_for_household(household, d(40)).quarantines


def test_nothing_moves_when_refused(owner, residents, newcomer):
    before_stays = CageStay.objects.count()
    refused(owner, newcomer, "Big cage", d(3))
    newcomer.refresh_from_db()
    assert newcomer.cage.name == "Quarantine tub"
    assert CageStay.objects.count() == before_stays
    assert stays(newcomer)[-1].moved_out_on is None


def test_refused_add_with_a_cage_saves_nothing(household, residents):
    from gentling.models import Animal

    count = Animal.objects.count()
    with pytest.raises(HousingRefused):
        make_animal(household, today=TODAY, name="Sneaky", sex="female", cage="Big cage")
    assert Animal.objects.count() == count


def test_moving_out_closes_the_stay(owner, residents, newcomer):
    move_animal(keeper=owner, animal=newcomer, cage_name="", day=d(2))
    newcomer.refresh_from_db()
    assert newcomer.cage is None
    assert stays(newcomer)[-1].moved_out_on == d(2)


# --- cohorts ------------------------------------------------------------------------------


def test_animals_that_arrived_together_share_a_cage_from_the_start(owner, household, residents):
    nova = make_animal(household, today=TODAY, name="Nova", sex="female", cage="Quarantine tub")
    luna = make_animal(household, today=TODAY, name="Luna", sex="female")
    assert quarantine_of(luna, TODAY) is not None
    move = move_animal(keeper=owner, animal=luna, cage_name="Quarantine tub", day=TODAY)
    assert [p for p in move.problems if p.blocking] == []
    luna.refresh_from_db()
    assert luna.cage_id == nova.cage_id


def test_same_day_but_another_source_is_not_the_same_cohort(owner, household, residents):
    make_animal(household, today=TODAY, name="Nova", sex="female", cage="Quarantine tub")
    other = make_animal(household, today=TODAY, name="Bree", source="breeder", sex="female")
    exc = refused(owner, other, "Quarantine tub", TODAY)
    assert "quarantine_not_finished" in codes(exc.problems)


# --- overrides -------------------------------------------------------------------------------


def test_owner_can_override_with_a_written_reason(owner, residents, newcomer):
    move = move_animal(
        keeper=owner,
        animal=newcomer,
        cage_name="Big cage",
        day=d(2),
        override_reason="  Vet says she is healthy; she was pining alone.  ",
    )
    assert {"quarantine_not_finished", "introduction_not_done"} <= set(codes(move.problems))
    assert {a.level for a in move.alerts} == {"warning"}
    stay = stays(newcomer)[-1]
    assert stay.cage.name == "Big cage"
    assert stay.override_reason == "Vet says she is healthy; she was pining alone."
    assert set(stay.overridden) == {"quarantine_not_finished", "introduction_not_done"}


def test_carer_cannot_override(carer, residents, newcomer):
    with pytest.raises(NotAllowed) as exc:
        move_animal(keeper=carer, animal=newcomer, cage_name="Big cage", day=d(2), override_reason="I think it's fine")
    assert "Only an owner" in exc.value.message
    newcomer.refresh_from_db()
    assert newcomer.cage.name == "Quarantine tub"
    assert len(stays(newcomer)) == 1


def test_carer_without_reason_is_simply_refused(carer, residents, newcomer):
    refused(carer, newcomer, "Big cage", d(2))


@pytest.mark.parametrize("reason", ["", "   "])
def test_override_without_a_reason_is_refused(owner, residents, newcomer, reason):
    refused(owner, newcomer, "Big cage", d(2), reason)
    newcomer.refresh_from_db()
    assert newcomer.cage.name == "Quarantine tub"


# --- sexes and ages (services) -------------------------------------------------------------------


def test_intact_male_and_female_are_refused_even_after_introduction(owner, household, residents):
    buck = make_animal(household, today=TODAY, name="Bucky", sex="male", birth_date=d(-120), cage="Quarantine tub")
    done = introduce(owner, household, buck, residents)
    exc = refused(owner, buck, "Big cage", done)
    assert codes(exc.problems) == ["sexes_mixed"]
    assert "Bucky" in exc.message and "5 weeks" in exc.message


def test_male_neutered_6_weeks_ago_may_join_females_after_introduction(owner, household, residents):
    buck = make_animal(
        household, today=TODAY, name="Bucky", sex="male", birth_date=d(-200), neutered_on=d(-10), cage="Quarantine tub"
    )
    done = introduce(owner, household, buck, residents)  # done = d(29): neutered 39 days before
    assert "sexes_mixed" in codes(refused(owner, buck, "Big cage", done).problems)
    move = move_animal(keeper=owner, animal=buck, cage_name="Big cage", day=d(32))  # 42 days after neutering
    assert codes(move.problems) == []


def test_adult_and_baby_of_one_cohort_share_with_a_caution(owner, household):
    mum = make_animal(household, today=TODAY, name="Mum", sex="female", birth_date=d(-300), cage="Nursery")
    pup = make_animal(household, today=TODAY, name="Pip", sex="female", birth_date=d(-30))
    move = move_animal(keeper=owner, animal=pup, cage_name="Nursery", day=TODAY)
    assert codes(move.problems) == ["baby_with_adults"]
    assert not move.problems[0].blocking
    assert [a.level for a in move.alerts] == ["caution"]
    assert "Pip" in move.problems[0].message
    stay = stays(pup)[-1]
    assert stay.cage_id == mum.cage_id and stay.overridden == [] and stay.override_reason == ""


def test_two_adult_intact_male_mice_are_refused(owner, household):
    make_animal(household, today=TODAY, name="Jerry", species="mouse", sex="male", birth_date=d(-150), cage="Mouse bin")
    tom = make_animal(household, today=TODAY, name="Tom", species="mouse", sex="male", birth_date=d(-150))
    exc = refused(owner, tom, "Mouse bin", TODAY)
    assert codes(exc.problems) == ["adult_males"]
    assert "mice" in exc.message


def test_two_adult_intact_male_rats_are_only_cautioned(owner, household):
    make_animal(household, today=TODAY, name="Rex", sex="male", birth_date=d(-150), cage="Boys")
    max_ = make_animal(household, today=TODAY, name="Max", sex="male", birth_date=d(-150))
    move = move_animal(keeper=owner, animal=max_, cage_name="Boys", day=TODAY)
    assert codes(move.problems) == ["adult_males"]
    assert not move.problems[0].blocking


def test_owner_can_override_two_male_mice(owner, household):
    make_animal(household, today=TODAY, name="Jerry", species="mouse", sex="male", birth_date=d(-150), cage="Mouse bin")
    tom = make_animal(household, today=TODAY, name="Tom", species="mouse", sex="male", birth_date=d(-150))
    move_animal(keeper=owner, animal=tom, cage_name="Mouse bin", day=TODAY, override_reason="Brothers, never fought")
    assert stays(tom)[-1].overridden == ["adult_males"]


# --- the pure rules ---------------------------------------------------------------------------

DAY = date(2027, 6, 1)


def r(
    id_,
    sex="female",
    age_days=200,
    *,
    neutered_days_ago=None,
    species="rat",
    quarantine_until=None,
    cohort=None,
    birth=True,
):
    from datetime import timedelta

    return Resident(
        id_,
        id_.title(),
        species,
        sex,
        DAY - timedelta(days=age_days) if birth else None,
        None if neutered_days_ago is None else DAY - timedelta(days=neutered_days_ago),
        quarantine_until,
        cohort,
    )


def problems(animal, *others, introduced=True):
    return codes(housing_problems(animal, list(others), introduced=introduced, day=DAY))


def test_alone_there_is_no_problem():
    assert problems(r("a"), r("a")) == []
    assert problems(r("a")) == []


def test_intact_male_with_female_of_5_weeks_is_refused():
    assert problems(r("buck", "male"), r("doe", "female")) == ["sexes_mixed"]
    assert "sexes_mixed" in problems(r("buck", "male"), r("doe", "female", 35))
    assert "sexes_mixed" in problems(r("doe", "female"), r("buck", "male", 35))


def test_babies_under_5_weeks_are_not_treated_as_able_to_breed():
    assert "sexes_mixed" not in problems(r("buck", "male", 34), r("doe", "female", 34))
    assert "sexes_mixed" not in problems(r("buck", "male"), r("doe", "female", 34))
    assert "sexes_mixed" not in problems(r("buck", "male", 34), r("doe", "female"))


@pytest.mark.parametrize("days_ago, fertile", [(0, True), (20, True), (41, True), (42, False), (100, False)])
def test_neutered_male_counts_as_fertile_for_6_weeks(days_ago, fertile):
    found = problems(r("buck", "male", neutered_days_ago=days_ago), r("doe", "female"))
    assert ("sexes_mixed" in found) is fertile


def test_unknown_birth_date_counts_as_breeding_age():
    assert problems(r("buck", "male", birth=False), r("doe", "female", birth=False)) == ["sexes_mixed"]


def test_unknown_sex_at_breeding_age_is_refused():
    assert problems(r("who", "unknown", 90), r("doe", "female")) == ["sex_unknown"]
    assert problems(r("who", "unknown", 90), r("buck", "male")) == ["sex_unknown"]
    assert problems(r("who", "unknown", 90), r("other", "unknown", 90)) == ["sex_unknown"]
    assert "sex_unknown" in problems(r("who", "unknown", 35), r("doe", "female"))


def test_unknown_sex_baby_is_not_refused():
    assert "sex_unknown" not in problems(r("who", "unknown", 30), r("doe", "female"))


def test_baby_with_adults_is_a_caution():
    found = housing_problems(r("pup", "female", 40), [r("doe", "female", 100)], introduced=True, day=DAY)
    assert codes(found) == ["baby_with_adults"] and not found[0].blocking
    # From 10 weeks no caution.
    assert problems(r("pup", "female", 70), r("doe", "female", 100)) == []


def test_adult_intact_males_mice_block_rats_caution():
    mice = housing_problems(
        r("a", "male", species="mouse"), [r("b", "male", species="mouse")], introduced=True, day=DAY
    )
    rats = housing_problems(r("a", "male"), [r("b", "male")], introduced=True, day=DAY)
    assert [(p.code, p.blocking) for p in mice] == [("adult_males", True)]
    assert [(p.code, p.blocking) for p in rats] == [("adult_males", False)]
    # Young males (under 12 weeks) or neutered ones: no warning.
    assert "adult_males" not in problems(r("a", "male", 60, species="mouse"), r("b", "male", species="mouse"))
    assert problems(r("a", "male", neutered_days_ago=100, species="mouse"), r("b", "male", species="mouse")) == []


def test_quarantine_and_introduction_rules_follow_cohorts():
    q = DAY.replace(day=20)
    newcomer = r("new", quarantine_until=q, cohort="x")
    assert problems(newcomer, r("old", cohort="y"), introduced=False) == [
        "quarantine_not_finished",
        "introduction_not_done",
    ]
    assert problems(newcomer, r("mate", cohort="x", quarantine_until=q), introduced=False) == []
    # A resident in quarantine blocks a newcomer too.
    assert problems(r("new", cohort="x"), r("old", cohort="y", quarantine_until=q)) == ["quarantine_not_finished"]
    # Quarantine over on DAY itself.
    assert problems(r("new", cohort="x", quarantine_until=DAY), r("old", cohort="y")) == []
