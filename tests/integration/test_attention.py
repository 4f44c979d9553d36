"""What needs attention (issue 15, part 5): each rule on its own, and a keeper's dismissal for
a day. The household is in UTC and the day is TODAY."""

from datetime import UTC, datetime, time, timedelta

import pytest

from gentling.domain.errors import InvalidInput
from gentling.services.arrivals import log_meeting, start_introduction
from gentling.services.attention import dismiss, needs_attention
from tests.factories import bring_to_step, log, make_animal

from .conftest import NOW, TODAY


def _rules(household, **kw) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for a in needs_attention(household, TODAY, **kw):
        found.setdefault(a.rule, []).append(a.text)
    return found


def _at(day, hour=10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def test_a_quiet_household_needs_nothing(owner, household):
    rat = make_animal(household, today=TODAY, name="Luna", days_ago=5)
    log(owner, household, [rat], now=NOW, ago=timedelta(hours=2))
    assert needs_attention(household, TODAY) == []


def test_two_days_without_a_session_is_missed(owner, household):
    luna = make_animal(household, today=TODAY, name="Luna", days_ago=10, cage="A")
    nova = make_animal(household, today=TODAY, name="Nova", days_ago=10, cage="B")
    log(owner, household, [luna], now=_at(TODAY - timedelta(days=2)))
    log(owner, household, [nova], now=_at(TODAY - timedelta(days=1)))

    assert _rules(household)["missed"] == [
        f"Luna: no session since {(TODAY - timedelta(days=2)):%-d %B}. A short one today keeps the trust growing."
    ]


def test_an_animal_never_handled_since_settling_in_is_missed_but_one_settling_in_is_not(household):
    make_animal(household, today=TODAY, name="Never", days_ago=6, cage="A")
    make_animal(household, today=TODAY, name="Newbie", days_ago=1, cage="B")

    (text,) = _rules(household)["missed"]
    assert text.startswith("Never: no session since settling in.")


def test_a_long_quiet_animal_is_said_so_without_reading_its_whole_history(owner, household):
    rat = make_animal(household, today=TODAY, name="Luna", days_ago=60)
    log(owner, household, [rat], now=_at(TODAY - timedelta(days=30)))

    assert _rules(household)["missed"] == [
        "Luna: no session for 2 weeks or more. A short one today keeps the trust growing."
    ]


def test_paused_for_health_is_not_missed_but_after_a_week_it_is_said_with_the_vet(owner, household):
    rat = make_animal(household, today=TODAY, name="Luna", days_ago=30)
    log(owner, household, [rat], now=_at(TODAY - timedelta(days=8)), observations=["sneezing", "red_tears"])

    rules = _rules(household)

    assert "missed" not in rules
    (text,) = rules["paused_long"]
    assert "paused for health since" in text and "vet" in text


def test_a_pause_of_a_week_or_less_is_not_yet_an_item(owner, household):
    rat = make_animal(household, today=TODAY, name="Luna", days_ago=30)
    log(owner, household, [rat], now=_at(TODAY - timedelta(days=7)), observations=["sneezing", "red_tears"])

    assert "paused_long" not in _rules(household)


def test_going_back_a_step_in_the_last_three_days(owner, household):
    rat = bring_to_step(owner, household, "first-pickups", now=_at(TODAY - timedelta(days=2)), name="Luna")
    log(owner, household, [rat], now=_at(TODAY - timedelta(days=2), 18), observations=["bit"])
    log(owner, household, [rat], now=_at(TODAY, 8), ago=timedelta(minutes=30))

    (text,) = _rules(household)["went_back"]
    assert text.startswith(f"Luna went back a step on {(TODAY - timedelta(days=2)):%-d %B}")
    assert "went_back" not in {a.rule for a in needs_attention(household, TODAY + timedelta(days=1))}


def test_a_quarantine_over_with_no_introduction_begun(owner, household):
    make_animal(household, today=TODAY, name="Resident", days_ago=90, cage="Home", sex="female")
    newcomer = make_animal(household, today=TODAY, name="Pip", days_ago=25, cage="Quarantine", sex="female")
    make_animal(household, today=TODAY, name="Old hand", days_ago=60, cage="Apart", sex="female")  # long decided

    (text,) = _rules(household)["quarantine_undecided"]
    assert text.startswith("Pip's quarantine ended on")

    resident = newcomer.household.animals.get(name="Resident")
    start_introduction(
        keeper=owner, household=household, newcomers=[newcomer], residents=[resident], cage_name=None, day=TODAY
    )
    assert "quarantine_undecided" not in _rules(household)


def test_an_introduction_with_no_meeting_for_three_days(owner, household):
    resident = make_animal(household, today=TODAY, name="Resident", days_ago=90, cage="Home", sex="female")
    newcomer = make_animal(household, today=TODAY, name="Pip", days_ago=40, cage="Quarantine", sex="female")
    intro = start_introduction(
        keeper=owner,
        household=household,
        newcomers=[newcomer],
        residents=[resident],
        cage_name=None,
        day=TODAY - timedelta(days=3),
    )

    (text,) = _rules(household)["introduction_quiet"]
    assert text.startswith("No meeting for Pip and Resident since")

    log_meeting(
        keeper=owner,
        intro=intro,
        started_at=_at(TODAY - timedelta(days=1)),
        duration_seconds=300,
        behaviours=[],
        notes="",
        now=NOW,
    )
    assert "introduction_quiet" not in _rules(household)


def test_a_dismissed_item_is_hidden_for_that_keeper_for_the_day(owner, carer, household):
    make_animal(household, today=TODAY, name="Never", days_ago=6)
    (item,) = needs_attention(household, TODAY, keeper=owner)

    dismiss(keeper=owner, household=household, key=item.key, today=TODAY)
    dismiss(keeper=owner, household=household, key=item.key, today=TODAY)  # a double tap

    assert needs_attention(household, TODAY, keeper=owner) == []
    assert needs_attention(household, TODAY, keeper=carer) == [item]  # another keeper still sees it
    tomorrow = needs_attention(household, TODAY + timedelta(days=1), keeper=owner)
    assert [a.key for a in tomorrow] == [item.key]  # back the next day


def test_a_dismissal_is_checked(owner, outsider, household):
    with pytest.raises(InvalidInput):
        dismiss(keeper=owner, household=household, key="x" * 81, today=TODAY)
    from gentling.domain.errors import NotFound

    with pytest.raises(NotFound):
        dismiss(keeper=outsider, household=household, key="missed:abc", today=TODAY)


def test_for_many_animals_a_rule_is_one_line_with_a_count(household):
    for i in range(5):
        make_animal(household, today=TODAY, name=f"Quiet {i}", days_ago=6, cage=f"Cage {i}")

    (line,) = needs_attention(household, TODAY)

    assert (line.rule, line.about, line.about_id) == ("missed", "household", household.public_id)
    assert line.text == "5 animals have had no session for 2 days or more."
