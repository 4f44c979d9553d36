"""Quarantine of new arrivals (domain.md section 1; protocols/quarantine.toml).

The pure rules first (quarantine_status), then the services: who starts in
quarantine when added, and what a daily health check does."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gentling.domain.arrivals import arrivals_protocol, load_arrivals_text, quarantine_status
from gentling.domain.errors import InvalidInput, NotAllowed
from gentling.domain.protocol import ProtocolError
from gentling.models import HealthCheck, Quarantine
from gentling.services.animals import AnimalDetails, add_animal
from gentling.services.arrivals import needs_quarantine, quarantine_of, record_health_check
from gentling.services.progress import progress_of
from tests.factories import make_animal
from tests.moments import at

from .conftest import TODAY, d

P = arrivals_protocol()


def status(*, source="rescue", signs=(), day=TODAY, started_on=TODAY, air_space="separate_building"):
    return quarantine_status(
        P, started_on=started_on, source=source, air_space=air_space, sign_days=list(signs), day=day
    )


# --- pure rules -------------------------------------------------------------------


def test_protocol_figures_are_the_documented_defaults():
    q = P.quarantine
    assert (q.days, q.breeder_days, q.after_sign_days, q.after_sign_rule) == (21, 14, 14, "extend")


def test_default_quarantine_is_21_days():
    s = status()
    assert s.started_on == TODAY
    assert s.ends_on == d(21)
    assert s.days_left == 21
    assert not s.done
    assert s.last_sign_on is None


@pytest.mark.parametrize("source", ["rescue", "pet_store", "unknown"])
def test_non_breeder_sources_get_21_days(source):
    assert status(source=source).ends_on == d(21)


def test_breeder_animal_gets_14_days():
    s = status(source="breeder")
    assert s.ends_on == d(14)
    assert s.days_left == 14


def test_illness_sign_extends_end_to_14_days_after_the_sign():
    s = status(signs=[d(10)], day=d(10))
    assert s.ends_on == d(24)
    assert s.last_sign_on == d(10)
    assert s.days_left == 14


def test_illness_sign_never_shortens_the_quarantine():
    # A sign on day 2 would end at day 16, before the default day 21.
    s = status(signs=[d(2)], day=d(2))
    assert s.ends_on == d(21)
    assert s.last_sign_on == d(2)


def test_breeder_animal_with_sign_ends_no_sooner_than_14_days_after_it():
    s = status(source="breeder", signs=[d(5)], day=d(5))
    assert s.ends_on == d(19)


def test_latest_of_several_signs_counts():
    s = status(signs=[d(3), d(12), d(8)], day=d(12))
    assert s.last_sign_on == d(12)
    assert s.ends_on == d(26)


def test_signs_before_the_start_or_after_the_day_are_ignored():
    s = status(signs=[d(-5), d(15)], day=d(10))
    assert s.last_sign_on is None
    assert s.ends_on == d(21)


def test_days_left_count_down_to_zero_and_done_on_the_end_day():
    for n in range(0, 25):
        s = status(day=d(n))
        assert s.days_left == max(0, 21 - n), n
        assert s.done is (n >= 21), n


def test_done_exactly_on_the_end_day():
    assert not status(day=d(20)).done
    assert status(day=d(20)).days_left == 1
    end = status(day=d(21))
    assert end.done and end.days_left == 0


def test_separate_building_is_ok():
    s = status(air_space="separate_building")
    assert s.air_space_ok is True
    assert "separate air space" in s.air_space_note


@pytest.mark.parametrize("air_space, phrase", [("another_room", "second best"), ("same_room", "not a quarantine")])
def test_another_room_and_same_room_are_flagged(air_space, phrase):
    s = status(air_space=air_space)
    assert s.air_space_ok is False
    assert phrase in s.air_space_note
    assert s.air_space_note == P.quarantine.air_space[air_space]


def test_a_sign_after_the_quarantine_ended_does_not_reopen_it():
    """The daily health check belongs to the quarantine: a sign months after it
    ended (say red tears after a handling session) must not put an animal that
    already lives with the others back into quarantine."""
    s = status(signs=[d(90)], day=d(91))
    assert s.done, f"quarantine re-opened until {s.ends_on} by a sign 69 days after it ended"


# --- services: who starts in quarantine -----------------------------------------------------------


def test_first_animal_of_a_household_is_not_quarantined(household):
    first = make_animal(household, today=TODAY, name="Ada")
    assert quarantine_of(first, TODAY) is None
    assert not Quarantine.objects.filter(animal=first).exists()


def test_newcomer_to_household_with_its_species_starts_in_quarantine(household):
    make_animal(household, today=TODAY, name="Ada", days_ago=100)
    newcomer, alerts = add_animal(
        household=household, today=TODAY, details=AnimalDetails(name="Nova", species="rat", source="rescue")
    )
    q = quarantine_of(newcomer, TODAY)
    assert q is not None
    assert (q.started_on, q.ends_on, q.days_left, q.done) == (TODAY, d(21), 21, False)
    assert q.air_space == "another_room"  # the default when the keeper does not say
    assert [a.code for a in alerts] == ["quarantine_started"]
    assert d(21).isoformat() in alerts[0].message


def test_breeder_newcomer_gets_14_days(household):
    make_animal(household, today=TODAY, name="Ada", days_ago=100)
    newcomer = make_animal(household, today=TODAY, name="Bree", source="breeder")
    assert quarantine_of(newcomer, TODAY).ends_on == d(14)


def test_newcomer_air_space_is_recorded_and_flagged(household):
    make_animal(household, today=TODAY, name="Ada", days_ago=100)
    far = make_animal(household, today=TODAY, name="Far", air_space="separate_building")
    near = make_animal(household, today=TODAY, name="Near", air_space="same_room")
    assert quarantine_of(far, TODAY).air_space_ok is True
    q = quarantine_of(near, TODAY)
    assert q.air_space == "same_room" and q.air_space_ok is False


def test_animal_born_at_home_is_not_quarantined(household):
    make_animal(household, today=TODAY, name="Mum", days_ago=100, sex="female")
    pup = make_animal(household, today=TODAY, name="Pup", source="born_at_home", birth_date=d(-30), days_ago=30)
    assert quarantine_of(pup, TODAY) is None
    assert not needs_quarantine(household, "rat", "born_at_home", TODAY)


def test_mouse_joining_a_rats_only_household_is_not_quarantined(household):
    make_animal(household, today=TODAY, name="Ada", days_ago=100)
    mouse = make_animal(household, today=TODAY, name="Minnie", species="mouse", days_ago=5)
    assert quarantine_of(mouse, TODAY) is None
    # ...but a later mouse is: the household now keeps mice.
    second = make_animal(household, today=TODAY, name="Mickey", species="mouse")
    assert quarantine_of(second, TODAY) is not None


def test_animals_that_arrive_together_are_one_group_not_residents(household):
    first = make_animal(household, today=TODAY, name="Pip", species="mouse", source="pet_store")
    sister = make_animal(household, today=TODAY, name="Squeak", species="mouse", source="pet_store")
    assert quarantine_of(first, TODAY) is None and quarantine_of(sister, TODAY) is None


def test_quarantine_is_not_shown_before_it_starts(household):
    make_animal(household, today=TODAY, name="Ada", days_ago=100)
    newcomer = make_animal(household, today=TODAY, name="Nova")
    assert quarantine_of(newcomer, d(-1)) is None


# --- services: health checks -----------------------------------------------------------------


@pytest.fixture
def newcomer(household):
    make_animal(household, today=TODAY, name="Ada", days_ago=100)
    return make_animal(household, today=TODAY, name="Nova")


def test_red_tears_extend_quarantine_and_pause_handling_until_cleared(owner, newcomer):
    assert progress_of(newcomer, d(10)).paused_since is None
    record_health_check(keeper=owner, animal=newcomer, day=d(10), signs=["red_tears"], now=at(d(10)))
    q = quarantine_of(newcomer, d(10))
    assert q.ends_on == d(24) and q.last_sign_on == d(10) and q.days_left == 14
    assert progress_of(newcomer, d(10)).paused_since == d(10)
    assert progress_of(newcomer, d(12)).paused_since == d(10)  # still paused, no clearance yet

    record_health_check(keeper=owner, animal=newcomer, day=d(13), signs=["health_cleared"], now=at(d(13)))
    assert progress_of(newcomer, d(13)).paused_since is None
    # Clearance resumes the handling program; the quarantine still ends 14 days after the sign.
    assert quarantine_of(newcomer, d(13)).ends_on == d(24)
    assert not quarantine_of(newcomer, d(23)).done
    assert quarantine_of(newcomer, d(24)).done


def test_health_check_pauses_the_handling_program(owner, newcomer):
    progress_of(newcomer, d(5))  # a checkpoint after the day the check is about
    record_health_check(keeper=owner, animal=newcomer, day=d(2), signs=["hunched", "scabs"], now=at(d(5)))
    assert progress_of(newcomer, d(5)).paused_since == d(2)


def test_all_well_check_changes_nothing(owner, newcomer):
    check = record_health_check(keeper=owner, animal=newcomer, day=d(3), signs=[], now=at(d(3)))
    assert check.signs == []
    assert quarantine_of(newcomer, d(3)).ends_on == d(21)
    assert progress_of(newcomer, d(3)).paused_since is None


def test_sneezing_alone_does_not_extend(owner, newcomer):
    """Mild sneezing at new smells is common (domain.md 1): noted, not a sign that restarts the clock."""
    record_health_check(keeper=owner, animal=newcomer, day=d(15), signs=["sneezing"], now=at(d(15)))
    assert quarantine_of(newcomer, d(15)).ends_on == d(21)


def test_carer_may_record_a_health_check(carer, newcomer):
    record_health_check(keeper=carer, animal=newcomer, day=d(1), signs=["squinting"], now=at(d(1)))
    assert quarantine_of(newcomer, d(1)).ends_on == d(21)
    assert quarantine_of(newcomer, d(9)).ends_on == d(21)
    record_health_check(keeper=carer, animal=newcomer, day=d(9), signs=["head_tilt"], now=at(d(9)))
    assert quarantine_of(newcomer, d(9)).ends_on == d(23)


def test_viewer_may_not_record_a_health_check(viewer, newcomer):
    with pytest.raises(NotAllowed):
        record_health_check(keeper=viewer, animal=newcomer, day=TODAY, signs=["red_tears"], now=at(TODAY))
    assert not HealthCheck.objects.exists()


def test_future_dated_health_check_is_refused(owner, newcomer):
    with pytest.raises(InvalidInput) as exc:
        record_health_check(keeper=owner, animal=newcomer, day=d(1), signs=["red_tears"], now=at(TODAY))
    assert exc.value.field == "day"
    assert not HealthCheck.objects.exists()
    assert quarantine_of(newcomer, d(1)).ends_on == d(21)


def test_health_check_before_arrival_is_refused(owner, newcomer):
    with pytest.raises(InvalidInput):
        record_health_check(keeper=owner, animal=newcomer, day=d(-1), signs=[], now=at(TODAY))
    assert not HealthCheck.objects.exists()


@pytest.mark.parametrize("signs", [["sniffles"], ["red_tears", "zombie"], ["approached"], ["extended_hold"]])
def test_unknown_signs_are_refused(owner, newcomer, signs):
    with pytest.raises(InvalidInput) as exc:
        record_health_check(keeper=owner, animal=newcomer, day=TODAY, signs=signs, now=at(TODAY))
    assert exc.value.field == "signs"
    assert not HealthCheck.objects.exists()


def test_backdated_sign_counts_from_its_own_day(owner, newcomer):
    record_health_check(keeper=owner, animal=newcomer, day=d(8), signs=["lethargic"], now=at(d(12)))
    q = quarantine_of(newcomer, d(12))
    assert q.last_sign_on == d(8) and q.ends_on == d(22) and q.days_left == 10


def test_quarantine_counts_down_day_by_day(newcomer):
    lefts = [quarantine_of(newcomer, TODAY + timedelta(days=n)).days_left for n in range(0, 23)]
    assert lefts == [21 - n for n in range(0, 22)] + [0]


def test_correcting_the_arrival_date_moves_the_quarantine_start(owner, newcomer):
    """The quarantine is started from the arrival date when the animal is added; a keeper who
    then corrects the arrival date (she came home 10 days ago) expects the count from then."""
    from gentling.services.animals import edit_animal

    edit_animal(keeper=owner, animal=newcomer, details=AnimalDetails(arrival_date=d(-10)), today=TODAY)
    q = quarantine_of(newcomer, TODAY)
    assert (q.started_on, q.ends_on, q.days_left) == (d(-10), d(11), 11)


def test_a_quarantine_file_without_advice_for_an_air_space_is_refused_by_name():
    from importlib import resources

    shipped = resources.files("gentling").joinpath("protocols", "quarantine.toml").read_text(encoding="utf-8")
    without = "\n".join(line for line in shipped.splitlines() if not line.startswith("same_room ="))
    assert load_arrivals_text(shipped, "quarantine.toml").quarantine.air_space["same_room"]
    with pytest.raises(ProtocolError) as caught:
        load_arrivals_text(without, "my-quarantine.toml")
    assert str(caught.value).startswith("my-quarantine.toml") and "same_room" in str(caught.value)
