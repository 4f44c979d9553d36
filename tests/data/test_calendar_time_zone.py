"""The feed's days are the household's days: at the same moment, a household in
Auckland is already on tomorrow and one in Los Angeles still on yesterday."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gentling.services.animals import AnimalDetails, add_animal
from gentling.services.calendar import feed_calendar, new_feed
from gentling.services.households import create_household

from .helpers import parse_feed

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)


def _feed_days(owner, zone: str) -> tuple[object, list[date]]:
    household = create_household(keeper=owner, name=f"Home in {zone}", time_zone=zone)
    add_animal(
        household=household,
        details=AnimalDetails(name="Whiskers", species="rat", source="rescue", arrival_date=date(2026, 11, 1)),
        today=date(2026, 11, 24),
    )
    feed = new_feed(keeper=owner, household=household, now=NOW)
    cal = parse_feed(feed_calendar(feed, now=NOW))
    return cal, sorted(e.dtstart.value for e in cal.vevent_list)


@pytest.mark.parametrize(
    "zone, first",
    [
        ("Pacific/Auckland", date(2026, 11, 26)),  # 01:30 on the 26th there
        ("UTC", date(2026, 11, 25)),
        ("America/Los_Angeles", date(2026, 11, 25)),  # 04:30 on the 25th
        ("Pacific/Honolulu", date(2026, 11, 25)),  # 02:30 on the 25th
        ("Pacific/Pago_Pago", date(2026, 11, 25)),  # 01:30 on the 25th
    ],
)
def test_the_first_day_is_the_households_today(owner, zone, first):
    cal, days = _feed_days(owner, zone)
    assert days == [first + timedelta(days=n) for n in range(15)]
    assert cal.contents["x-wr-timezone"][0].value == zone


def test_late_evening_in_los_angeles_is_still_that_day(owner):
    late = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 23:00 on the 25th in Los Angeles
    household = create_household(keeper=owner, name="West", time_zone="America/Los_Angeles")
    add_animal(
        household=household,
        details=AnimalDetails(name="Whiskers", species="rat", source="rescue", arrival_date=date(2026, 11, 1)),
        today=date(2026, 11, 25),
    )
    cal = parse_feed(feed_calendar(new_feed(keeper=owner, household=household, now=late), now=late))
    assert min(e.dtstart.value for e in cal.vevent_list) == date(2026, 11, 25)


def test_the_stamp_is_the_moment_of_the_fetch_in_utc(owner):
    cal, _ = _feed_days(owner, "Europe/London")
    assert {e.dtstamp.value for e in cal.vevent_list} == {NOW}
