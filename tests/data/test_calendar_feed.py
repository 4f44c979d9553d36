"""The calendar feed, read by vobject: one all-day event per active animal per day
for today and the next 14 days, with the day's plan, a stable UID and a reminder."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gentling.services.calendar import DAYS
from gentling.services.today import today_for_household
from tests.factories import log, make_animal
from tests.web.helpers import today

from .helpers import events, feed_url, parse_feed

pytestmark = pytest.mark.django_db


def test_the_feed_is_an_icalendar_file_anyone_with_the_link_can_fetch(client, owner, household, animals):
    response = client.get(feed_url(owner, household))  # no login: calendar apps cannot log in
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = parse_feed(response.content)
    assert cal.version.value == "2.0"
    assert cal.contents["x-wr-timezone"][0].value == "UTC"
    assert "Maple Street" in cal.contents["x-wr-calname"][0].value


def test_it_has_one_event_per_animal_per_day_for_fifteen_days(client, owner, household, animals):
    found = events(client.get(feed_url(owner, household)).content)
    assert DAYS == 15
    assert len(found) == len(animals) * 15
    days = sorted({e.dtstart.value for e in found})
    assert days == [today() + timedelta(days=n) for n in range(15)]
    for e in found:
        assert type(e.dtstart.value) is date, "an all-day event has a date, not a time"
        assert e.dtend.value == e.dtstart.value + timedelta(days=1)


def test_a_summary_names_the_animal_and_the_days_step(client, owner, household, animals):
    found = events(client.get(feed_url(owner, household)).content)
    steps = {p.animal.name: p.plan.step_title for p in today_for_household(household, today()).animals}
    todays = {e.summary.value for e in found if e.dtstart.value == today()}
    assert todays == {f"{name}: {title}" for name, title in steps.items()}
    assert all(s.split(": ", 1)[0] in {"Whiskers", "Pip"} for s in (e.summary.value for e in found))


def test_a_description_lists_the_tasks_with_counts_and_what_to_avoid(client, owner, household, animals):
    found = events(client.get(feed_url(owner, household)).content)
    plan = next(p.plan for p in today_for_household(household, today()).animals if p.animal.name == "Whiskers")
    (event,) = [e for e in found if e.dtstart.value == today() and e.summary.value.startswith("Whiskers")]
    text = event.description.value
    assert "To do:" in text
    for task in plan.tasks:
        assert f"- {task.text}: {task.done_today} of {task.times_per_day} done" in text
    if plan.avoid:
        assert "Avoid:" in text and all(a in text for a in plan.avoid)


def test_todays_description_counts_what_was_done_and_later_days_start_at_zero(client, owner, household, animals):
    log(owner, household, [animals[0]], now=timezone.now(), ago=timedelta(minutes=30), activities=("talked",))
    found = events(client.get(feed_url(owner, household)).content)
    whiskers = {e.dtstart.value: e.description.value for e in found if e.summary.value.startswith("Whiskers")}
    talk_today = next(line for line in whiskers[today()].splitlines() if "of" in line and "alk" in line)
    assert ": 1 of " in talk_today
    tomorrow = whiskers[today() + timedelta(days=1)]
    assert ": 1 of " not in tomorrow and ": 0 of " in tomorrow


def test_a_newcomer_in_quarantine_gets_its_quarantine_care(client, owner, household, animals):
    make_animal(household, today=today(), name="Newbie", days_ago=1)
    found = events(client.get(feed_url(owner, household)).content)
    (event,) = [e for e in found if e.dtstart.value == today() and e.summary.value.startswith("Newbie")]
    assert "Quarantine care (" in event.description.value
    assert "Wash your hands" in event.description.value
    (settled,) = [e for e in found if e.dtstart.value == today() and e.summary.value.startswith("Whiskers")]
    assert "Quarantine" not in settled.description.value


def test_uids_are_unique_and_the_same_on_the_next_fetch(client, owner, household, animals):
    url = feed_url(owner, household)
    first = [e.uid.value for e in events(client.get(url).content)]
    second = [e.uid.value for e in events(client.get(url).content)]
    assert len(set(first)) == len(first)
    assert sorted(first) == sorted(second)
    assert f"{animals[0].public_id}-{today():%Y%m%d}@gentling" in first


def test_every_event_has_a_dtstamp_and_an_evening_display_reminder(client, owner, household, animals):
    for e in events(client.get(feed_url(owner, household)).content):
        assert e.dtstamp.value.tzinfo is not None
        (alarm,) = e.valarm_list
        assert alarm.action.value == "DISPLAY"
        assert alarm.trigger.value == timedelta(hours=18)
        assert alarm.description.value


def test_an_animal_no_longer_active_is_left_out(client, owner, household, animals):
    animals[1].status = "rehomed"
    animals[1].save()
    found = events(client.get(feed_url(owner, household)).content)
    assert len(found) == 15
    assert not any(e.summary.value.startswith("Pip") for e in found)


def test_animals_in_an_introduction_get_its_stage(client, owner, household, animals):
    from gentling.services.arrivals import start_introduction

    resident = make_animal(household, today=today(), name="Nutmeg", days_ago=60, cage="Old Cage")
    start_introduction(
        keeper=owner, household=household, newcomers=[animals[0]], residents=[resident], cage_name=None, day=today()
    )
    found = events(client.get(feed_url(owner, household)).content)
    (whiskers,) = [e for e in found if e.dtstart.value == today() and e.summary.value.startswith("Whiskers")]
    (nutmeg,) = [e for e in found if e.dtstart.value == today() and e.summary.value.startswith("Nutmeg")]
    (pip,) = [e for e in found if e.dtstart.value == today() and e.summary.value.startswith("Pip")]
    assert "Introduction with Nutmeg:" in whiskers.description.value
    assert "Introduction with Whiskers:" in nutmeg.description.value
    assert "Introduction" not in pip.description.value
