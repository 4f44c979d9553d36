"""`gentling bench generate`: realistic, reproducible benchmark data.

The engine and the real guardrails are the judges of realism: every session is
replayed against where the engine says the animal stood when it began.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model

from gentling.bench.generate import PROFILES, fingerprint, generate, household_name
from gentling.cli.bench import PROFILE_NAMES
from gentling.domain import engine
from gentling.domain.guardrails import check_session
from gentling.models import (
    Animal,
    CageStay,
    HealthCheck,
    Household,
    Introduction,
    IntroductionMeeting,
    Membership,
    ProgressSnapshot,
    Quarantine,
    Session,
)
from gentling.services.progress import facts, local_time, protocol_for, record, records
from tests.cli_harness import cli_runner

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
# Alerts that mean the keeper broke the method (legitimate ones, such as a fear bite, may appear).
BROKEN = {
    "handled_while_settling",
    "handled_while_unwell",
    "petting_too_early",
    "pickup_too_early",
    "hold_too_long",
    "pickup_without_reward",
    "tail_lift",
    "extended_hold_before_trust",
    "extended_hold_not_opted_in",
    "not_this_step_yet",
}


def sessions_of(profile: str):
    return Session.objects.filter(animal__household__name=household_name(profile))


def test_home_is_one_household_of_four_animals_with_a_year_of_sessions():
    summary = generate("home", today=TODAY)

    household = Household.objects.get(name="Bench home")
    owner = Membership.objects.get(household=household).keeper
    assert (summary.households, summary.animals) == (1, 4)
    assert owner.username == "bench-home-owner-1" and not owner.has_usable_password()
    assert Membership.objects.get(household=household).role == "owner"
    sessions = list(sessions_of("home").select_related("animal"))
    assert summary.sessions == len(sessions) > 4 * 365  # about two a day, none while settling in
    assert summary.health_checks == HealthCheck.objects.filter(animal__household=household).count() > 0
    assert min(s.day for s in sessions) >= TODAY.replace(year=TODAY.year - 1)
    assert max(s.day for s in sessions) < TODAY
    for s in sessions:
        assert s.keeper_id == owner.pk and s.ended_at > s.started_at
        assert local_time(household, s.started_at).date() == s.day
    assert sum(summary.steps.values()) == 4
    assert not ProgressSnapshot.objects.exists()  # the app makes them lazily


def test_every_session_follows_the_protocol_where_the_engine_says_the_animal_stood():
    generate("home", today=TODAY, days=150)

    checked = 0
    for animal in Animal.objects.filter(household__name="Bench home"):
        protocol, known = protocol_for(animal), facts(animal)
        history = records(animal)
        for s in Session.objects.filter(animal=animal):
            rec = record(s)
            before = engine.progress_before(protocol, known, history, rec)
            step = protocol.steps[before.step_index]
            handling = rec.activities - {d.activity for d in protocol.daily}
            assert handling <= set(step.allows), (before.step_id, rec)
            assert before.step_id != "settling-in" or not handling
            if before.paused_since:
                assert not handling
            if rec.holds:
                assert before.hold_allowed_seconds is None or rec.longest_hold <= before.hold_allowed_seconds
            alerts = check_session(protocol, known, before, rec)
            assert not {a.code for a in alerts} & BROKEN
            assert s.alerts == [a.to_dict() for a in alerts]
            checked += 1
    assert checked > 500


def test_a_bigger_sample_has_setbacks_quarantines_introductions_and_spread_out_steps():
    summary = generate("rescue", today=TODAY, animals=30, days=200)

    animals = list(Animal.objects.filter(household__name="Bench rescue"))
    directions = set()
    for animal in animals:
        directions |= {
            c.direction for c in engine.progress(protocol_for(animal), facts(animal), records(animal), TODAY).history
        }
    assert "back" in directions
    assert len(summary.steps) >= 3
    assert {a.species for a in animals} == {"rat", "mouse"} and {a.sex for a in animals} == {"female", "male"}
    assert len({a.source for a in animals}) >= 3
    assert summary.quarantines == Quarantine.objects.count() > 0
    assert summary.introductions == Introduction.objects.count() > 0
    assert IntroductionMeeting.objects.exists() and Introduction.objects.filter(finished_on__isnull=False).exists()
    moved = Introduction.objects.filter(finished_on__isnull=False).first()
    for newcomer in moved.newcomers.all():
        assert newcomer.cage_id == moved.cage_id
        assert CageStay.objects.filter(animal=newcomer).count() == 2
    signs = [c.signs for c in HealthCheck.objects.all()]
    assert ["health_cleared"] in signs and any(set(s) - {"health_cleared", "sneezing"} for s in signs)
    stored = [a["code"] for alerts in Session.objects.values_list("alerts", flat=True) for a in alerts]
    assert "fear_bite" in stored and not set(stored) & BROKEN


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    generate("home", seed=7, today=TODAY, days=60)
    first = fingerprint("home")
    ids = sorted(sessions_of("home").values_list("public_id", flat=True))

    generate("home", seed=7, today=TODAY, days=60)
    assert fingerprint("home") == first
    assert sorted(sessions_of("home").values_list("public_id", flat=True)) == ids
    assert all(len(i) == 12 and i.isalnum() for i in ids)

    generate("home", seed=8, today=TODAY, days=60)
    assert fingerprint("home") != first


def test_regenerating_replaces_the_profile_and_leaves_other_households_alone(household):
    generate("home", today=TODAY, days=30)
    generate("rescue-1pct", today=TODAY, animals=6)
    rescue_sessions = sessions_of("rescue-1pct").count()

    summary = generate("home", today=TODAY, days=30)

    assert Household.objects.filter(name="Bench home").count() == 1
    assert get_user_model().objects.filter(username__startswith="bench-home-owner-").count() == 1
    assert sessions_of("home").count() == summary.sessions
    assert sessions_of("rescue-1pct").count() == rescue_sessions
    assert Household.objects.filter(pk=household.pk).exists()


def test_rescue_1pct_has_the_same_animals_as_rescue_with_a_short_history():
    generate("rescue", today=TODAY, animals=12, days=120)
    generate("rescue-1pct", today=TODAY, animals=12)

    def mix(profile):
        return list(
            Animal.objects.filter(household__name=household_name(profile))
            .order_by("name")
            .values_list("name", "species", "sex", "source", "extended_hold_opt_in")
        )

    assert mix("rescue") == mix("rescue-1pct")
    assert sessions_of("rescue-1pct").count() < sessions_of("rescue").count() / 5
    assert min(sessions_of("rescue-1pct").values_list("day", flat=True)) >= date(2026, 11, 14)


def test_the_command_line_generates_a_profile_and_reports_it(monkeypatch, capsys):
    cli = cli_runner(monkeypatch, capsys, keeper="olive-owner", now=datetime(2026, 11, 25, 12, tzinfo=UTC))

    result = cli("bench", "generate", "home", "--seed", "3", "--today", "2026-11-25", "--json")
    assert result.code == 0, result.err
    assert result.json["profile"] == "home" and result.json["seed"] == 3 and result.json["animals"] == 4
    assert result.json["sessions"] == sessions_of("home").count()
    assert "replaces its households" in result.err

    table = cli("bench", "generate", "home", "--today", "2026-11-25")
    assert table.code == 0 and "sessions" in table.out and "Bench home" in table.text

    assert cli("bench", "generate", "home", "--today", "someday").code == 1
    with pytest.raises(SystemExit):
        cli("bench", "generate", "zoo")


def test_the_command_line_knows_every_profile():
    assert set(PROFILE_NAMES) == set(PROFILES)
