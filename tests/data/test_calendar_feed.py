"""The calendar feed, read by vobject: one all-day event per cage per day for today and the next
14 days, with each animal's plan, a stable UID, and one alarm a day at the keeper's reminder time;
about every animal or only the keeper's; cached until something it shows changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gentling.models import CalendarFeed
from gentling.services.calendar import DAYS
from gentling.services.reminders import ReminderChoice, set_reminders
from gentling.services.today import today_for_household
from tests.factories import log, make_animal
from tests.web.helpers import today

from .helpers import events, feed_url, parse_feed

pytestmark = pytest.mark.django_db


def _today(found, cage: str):
    (event,) = [e for e in found if e.dtstart.value == today() and e.summary.value.startswith(f"{cage}:")]
    return event


def test_the_feed_is_an_icalendar_file_anyone_with_the_link_can_fetch(client, owner, household, animals):
    response = client.get(feed_url(owner, household))  # no login: calendar apps cannot log in
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = parse_feed(response.content)
    assert cal.version.value == "2.0"
    assert cal.contents["x-wr-timezone"][0].value == "UTC"
    assert "Maple Street" in cal.contents["x-wr-calname"][0].value


def test_it_has_one_event_per_cage_per_day_for_fifteen_days(client, owner, household, animals):
    for name in ("Nova", "Luna"):  # arrived together: one cage
        make_animal(household, today=today(), name=name, days_ago=20, cage="Duo", sex="female")
    found = events(client.get(feed_url(owner, household)).content)
    assert DAYS == 15
    assert len(found) == 3 * 15  # Top Deck (Whiskers), Mouse House (Pip), Duo (Luna and Nova)
    days = sorted({e.dtstart.value for e in found})
    assert days == [today() + timedelta(days=n) for n in range(15)]
    for e in found:
        assert type(e.dtstart.value) is date, "an all-day event has a date, not a time"
        assert e.dtend.value == e.dtstart.value + timedelta(days=1)
    assert {e.summary.value for e in found if e.dtstart.value == today()} == {
        "Top Deck: Whiskers",
        "Mouse House: Pip",
        "Duo: Luna and Nova",
    }


def test_a_description_gives_each_animal_its_step_tasks_with_counts_and_what_to_avoid(
    client, owner, household, animals
):
    found = events(client.get(feed_url(owner, household)).content)
    plan = next(p.plan for p in today_for_household(household, today()).animals if p.animal.name == "Whiskers")
    text = _today(found, "Top Deck").description.value
    assert text.startswith(f"Whiskers: {plan.step_title}")
    assert "To do:" in text
    for task in plan.tasks:
        assert f"- {task.text}: {task.done_today} of {task.times_per_day} done" in text
    if plan.avoid:
        assert "Avoid:" in text and all(a in text for a in plan.avoid)


def test_todays_description_counts_what_was_done_and_later_days_start_at_zero(client, owner, household, animals):
    log(owner, household, [animals[0]], now=timezone.now(), ago=timedelta(minutes=30), activities=("talked",))
    found = events(client.get(feed_url(owner, household)).content)
    top = {e.dtstart.value: e.description.value for e in found if e.summary.value.startswith("Top Deck")}
    talk_today = next(line for line in top[today()].splitlines() if "of" in line and "alk" in line)
    assert ": 1 of " in talk_today
    tomorrow = top[today() + timedelta(days=1)]
    assert ": 1 of " not in tomorrow and ": 0 of " in tomorrow


def test_a_newcomer_in_quarantine_gets_its_quarantine_care(client, owner, household, animals):
    make_animal(household, today=today(), name="Newbie", days_ago=1, cage="Quarantine box")
    found = events(client.get(feed_url(owner, household)).content)
    assert "Quarantine care (" in _today(found, "Quarantine box").description.value
    assert "Wash your hands" in _today(found, "Quarantine box").description.value
    assert "Quarantine" not in _today(found, "Top Deck").description.value


def test_uids_are_unique_and_the_same_on_the_next_fetch(client, owner, household, animals):
    url = feed_url(owner, household)
    first = [e.uid.value for e in events(client.get(url).content)]
    CalendarFeed.objects.update(cached_key="")  # built again, not read from the cache
    second = [e.uid.value for e in events(client.get(url).content)]
    assert len(set(first)) == len(first)
    assert sorted(first) == sorted(second)
    assert f"{animals[0].cage.public_id}-{today():%Y%m%d}@gentling" in first


def test_one_alarm_a_day_at_the_evening_until_the_keeper_chooses_a_time(client, owner, household, animals):
    url = feed_url(owner, household)
    found = events(client.get(url).content)
    for day in {e.dtstart.value for e in found}:
        alarms = [a for e in found if e.dtstart.value == day for a in getattr(e, "valarm_list", [])]
        (alarm,) = alarms
        assert alarm.action.value == "DISPLAY" and alarm.trigger.value == timedelta(hours=18)
        assert "Top Deck" in alarm.description.value and "Mouse House" in alarm.description.value
    for e in found:
        assert e.dtstamp.value.tzinfo is not None

    set_reminders(keeper=owner, household=household, choice=ReminderChoice(remind_at="07:15"))
    later = events(client.get(url).content)
    assert {a.trigger.value for e in later for a in getattr(e, "valarm_list", [])} == {timedelta(hours=7, minutes=15)}


def test_only_the_animals_the_keeper_cares_for_when_they_choose_so(client, owner, household, animals):
    url = feed_url(owner, household)
    set_reminders(keeper=owner, household=household, choice=ReminderChoice(scope="mine", cares_for=["Pip"]))

    found = events(client.get(url).content)

    assert {e.summary.value for e in found} == {"Mouse House: Pip"}


def test_an_animal_no_longer_active_is_left_out(client, owner, household, animals):
    url = feed_url(owner, household)
    client.get(url)  # cached
    animals[1].status = "rehomed"
    animals[1].save()
    found = events(client.get(url).content)
    assert len(found) == 15
    assert not any("Pip" in e.summary.value for e in found)


def test_animals_in_an_introduction_get_its_stage(client, owner, household, animals):
    from gentling.services.arrivals import start_introduction

    resident = make_animal(household, today=today(), name="Nutmeg", days_ago=60, cage="Old Cage")
    start_introduction(
        keeper=owner, household=household, newcomers=[animals[0]], residents=[resident], cage_name=None, day=today()
    )
    found = events(client.get(feed_url(owner, household)).content)
    assert "Introduction with Nutmeg:" in _today(found, "Top Deck").description.value
    assert "Introduction with Whiskers:" in _today(found, "Old Cage").description.value


def test_the_feed_is_cached_until_something_it_shows_changes(client, owner, household, animals):
    url = feed_url(owner, household)
    first = client.get(url).content

    with CaptureQueriesContext(connection) as cached:
        again = client.get(url).content
    assert again == first
    assert len(cached) < 15, [q["sql"] for q in cached.captured_queries]  # the fingerprint, not a rebuild

    log(owner, household, [animals[0]], now=timezone.now(), ago=timedelta(minutes=5), activities=("talked",))
    assert client.get(url).content != first  # a session changes today's counts
