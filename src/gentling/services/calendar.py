"""A keeper's iCalendar feed of one household's plan, and the feed links behind it.

Calendar apps cannot log in, so a feed is reached by an unguessable token
(`CalendarFeed.token`) in its URL: the token is the secret. A keeper has at
most one working link per household; making a new one revokes the old. A
link stops working (NotFound) when it is revoked, or when its keeper is no
longer a member of the household; joining again later does not revive it.

What the feed holds:

- today (the household's local date) and the next 14 days;
- one all-day event per active animal per day, SUMMARY "Whiskers: <step title>",
  DESCRIPTION the day's tasks with their counts, quarantine care, the
  introduction under way and the things to avoid. Days after today are the
  engine's plan for that date with no sessions logged yet;
- a UID made of the animal's public id and the date, so a calendar app
  updates an event on its next fetch instead of adding a duplicate;
- one display alarm per event, at 18:00 on the day. It is a relative trigger
  (TRIGGER:PT18H from the start of the all-day event), because calendar apps
  honour relative triggers more widely than absolute ones; an all-day event
  starts at the device's local midnight, which for a keeper at home is the
  household's time zone (named in X-WR-TIMEZONE). 18:00 because rats and mice
  are most awake in the evening, the best time for a session.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from icalendar import Alarm, Calendar, Event, vDuration

from ..domain.errors import NotFound
from ..domain.plan import AnimalPlan
from ..models import CalendarFeed, Household, Membership
from .progress import AnimalToday, local_today
from .today import IntroductionToday, QuarantineToday, today_for_household

DAYS = 15  # today and the next 14
REMINDER_AFTER_START = timedelta(hours=18)
REFRESH = timedelta(hours=1)
PRODID = "-//Gentling//Handling plan//EN"
NOT_FOUND = "This calendar link is not valid: it was turned off or replaced, or its keeper left the household."


# --- feed links ----------------------------------------------------------------------------------


def active_feed(keeper, household: Household) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(keeper=keeper, household=household, revoked_at__isnull=True).first()


@transaction.atomic
def new_feed(*, keeper, household: Household, now: datetime) -> CalendarFeed:
    """A fresh link for the keeper; any link they had for this household stops working."""
    _check_member(keeper, household)
    turn_off_feed(keeper=keeper, household=household, now=now)
    return CalendarFeed.objects.create(keeper=keeper, household=household, created_at=now)


def turn_off_feed(*, keeper, household: Household, now: datetime) -> int:
    _check_member(keeper, household)
    return CalendarFeed.objects.filter(keeper=keeper, household=household, revoked_at__isnull=True).update(
        revoked_at=now
    )


def _check_member(keeper, household: Household) -> None:
    # A feed only reads the plan, so any member (a viewer too) may have one.
    if not Membership.objects.filter(keeper=keeper, household=household).exists():
        raise NotFound("No such household.")


def feed_by_token(token: str) -> CalendarFeed:
    feed = (
        CalendarFeed.objects.select_related("household", "keeper").filter(token=token, revoked_at__isnull=True).first()
    )
    if feed is None or not feed.keeper.is_active:
        raise NotFound(NOT_FOUND)
    membership = Membership.objects.filter(keeper=feed.keeper, household=feed.household).first()
    # A link made before the keeper's current membership belongs to an earlier one that ended.
    if membership is None or membership.joined_at > feed.created_at:
        raise NotFound(NOT_FOUND)
    return feed


# --- the calendar --------------------------------------------------------------------------------


def feed_calendar(feed: CalendarFeed, *, now: datetime) -> bytes:
    household = feed.household
    first = local_today(household, now)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Gentling: {household.name}")
    cal.add("x-wr-timezone", household.time_zone)
    # How often a calendar app should fetch again: the plan changes with each session.
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    members: dict[int, frozenset[int]] = {}
    for offset in range(DAYS):
        t = today_for_household(household, first + timedelta(days=offset), today=first)
        for item in t.animals:
            intros = [i for i in t.introductions if item.animal.pk in _animals_in(i, members)]
            cal.add_component(animal_day_event(item, t.quarantines.get(item.animal.pk), intros, stamp=now))
    return cal.to_ical()


def _animals_in(intro: IntroductionToday, cache: dict[int, frozenset[int]]) -> frozenset[int]:
    key = intro.introduction.pk
    if key not in cache:
        i = intro.introduction
        cache[key] = frozenset(i.newcomers.values_list("pk", flat=True)) | frozenset(
            i.residents.values_list("pk", flat=True)
        )
    return cache[key]


def event_uid(animal_public_id: str, day: date) -> str:
    return f"{animal_public_id}-{day:%Y%m%d}@gentling"


def animal_day_event(
    item: AnimalToday, quarantine: QuarantineToday | None, intros: list[IntroductionToday], *, stamp: datetime
) -> Event:
    animal, plan = item.animal, item.plan
    event = Event()
    event.add("uid", event_uid(animal.public_id, plan.day))
    event.add("dtstamp", stamp)
    event.add("dtstart", plan.day)
    event.add("dtend", plan.day + timedelta(days=1))
    event.add("summary", f"{animal.name}: {plan.step_title}")
    event.add("description", describe_day(animal.name, plan, quarantine, intros))
    event.add("transp", "TRANSPARENT")  # a plan, not a meeting: the keeper is not busy all day
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Time for a session with {animal.name}: {plan.step_title}")
    alarm.add("trigger", REMINDER_AFTER_START)
    event.add_component(alarm)
    return event


def describe_day(
    name: str, plan: AnimalPlan, quarantine: QuarantineToday | None, intros: list[IntroductionToday]
) -> str:
    """The day's items as plain text: no database, so it is tested on plain values."""
    lines = [f"{plan.step_title} (day {plan.day_number} at home)", plan.step_summary]
    lines += ["", *plan.notices] if plan.notices else []
    lines += ["", "To do:"]
    lines += [f"- {t.text}: {t.done_today} of {t.times_per_day} done" for t in plan.tasks] or ["- Nothing today"]
    if quarantine is not None:
        days = quarantine.status.days_left
        lines += ["", f"Quarantine care ({days} day{'s' if days != 1 else ''} left):"]
        lines += [f"- {care}" for care in quarantine.care]
    for intro in intros:
        others = ", ".join(n for n in (*intro.newcomers, *intro.residents) if n != name)
        lines += ["", f"Introduction with {others}: {intro.summary}"]
    if plan.avoid:
        lines += ["", "Avoid:", *[f"- {a}" for a in plan.avoid]]
    return "\n".join(lines)
