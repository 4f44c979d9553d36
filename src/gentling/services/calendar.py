"""A keeper's iCalendar feed of one household's plan, and the feed links behind it.

Calendar apps cannot log in, so a feed is reached by an unguessable token
(`CalendarFeed.token`) in its URL: the token is the secret. A keeper has at
most one working link per household; making a new one revokes the old. A
link stops working (NotFound) when it is revoked, or when its keeper is no
longer a member of the household; joining again later does not revive it.

What the feed holds, for its keeper:

- today (the household's local date) and the next 14 days;
- one all-day event per cage per day, SUMMARY "Top Deck: Luna and Nova",
  DESCRIPTION each animal's step, the day's tasks with their counts,
  quarantine care, the introduction under way and the things to avoid. Days
  after today are the engine's plan for that date with no sessions logged yet;
- every animal of the household, or only those the keeper cares for, as their
  reminders say (services/reminders.py);
- a UID made of the cage's public id and the date, so a calendar app updates
  an event on its next fetch instead of adding a duplicate;
- one display alarm a day, on the day's first event, at the keeper's reminder
  time (18:00 until they choose: rats and mice are most awake in the evening).
  It is a relative trigger (PT18H from the start of the all-day event), because
  calendar apps honour relative triggers more widely than absolute ones; an
  all-day event starts at the device's local midnight, which for a keeper at
  home is their own time zone.

The feed is cached on its link (`CalendarFeed.cached_key`, `cached_body`) until
something it shows changes: `_fingerprint` reads, in a few small queries, every
fact the feed is made of (the animals, their records' revision, cages,
introductions, quarantines, the keeper's reminder choice, the day). A rescue's
feed takes seconds to build and milliseconds to answer from the cache.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Max
from icalendar import Alarm, Calendar, Event, vDuration

from ..domain.alert_summary import and_list
from ..domain.errors import NotFound
from ..domain.plan import AnimalPlan
from ..models import (
    Animal,
    Cage,
    CalendarFeed,
    Household,
    Introduction,
    IntroductionMeeting,
    Membership,
    ProgressSnapshot,
    Quarantine,
    Reminders,
)
from ..sqlite import unless_write_lock_taken
from .progress import AnimalToday, local_today
from .today import IntroductionToday, QuarantineToday, today_for_household

DAYS = 15  # today and the next 14
DEFAULT_ALARM = time(18, 0)  # until the keeper chooses their reminder time
NO_CAGE = "No cage set"
FEED_FORMAT = 2  # bump when what a feed holds changes: every cached feed is then built again
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
    """The feed as its calendar app reads it: from the cache when nothing it shows has changed."""
    household = feed.household
    first = local_today(household, now)
    reminders = Reminders.objects.filter(membership__keeper=feed.keeper, membership__household=household).first()
    key = _fingerprint(feed, first, reminders)
    if feed.cached_key == key:
        return bytes(feed.cached_body)
    body = _build(feed, first, reminders, now)
    with unless_write_lock_taken():  # a cache: another writer holding SQLite's lock costs a rebuild, not a fetch
        CalendarFeed.objects.filter(pk=feed.pk).update(cached_key=key, cached_body=body)
    return body


def _build(feed: CalendarFeed, first: date, reminders: Reminders | None, now: datetime) -> bytes:
    household = feed.household
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Gentling: {household.name}")
    cal.add("x-wr-timezone", (reminders.time_zone if reminders else "") or household.time_zone)
    # How often a calendar app should fetch again: the plan changes with each session.
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    mine = _cared_for(reminders)
    at = reminders.remind_at if reminders else DEFAULT_ALARM
    members: dict[int, frozenset[int]] = {}
    for offset in range(DAYS):
        t = today_for_household(household, first + timedelta(days=offset), today=first)
        cages: dict[tuple[str, str], list[AnimalToday]] = {}
        for item in t.animals:
            if mine is None or item.animal.pk in mine:
                cage = item.animal.cage
                cages.setdefault((cage.public_id, cage.name) if cage else (household.public_id, NO_CAGE), []).append(
                    item
                )
        names = [name for _, name in cages]
        for n, ((cage_id, name), items) in enumerate(cages.items()):
            lines = []
            for item in items:
                intros = [i for i in t.introductions if item.animal.pk in _animals_in(i, members)]
                lines.append(describe_day(item.animal.name, item.plan, t.quarantines.get(item.animal.pk), intros))
            event = cage_day_event(cage_id, name, [i.animal.name for i in items], t.day, "\n\n".join(lines), now)
            if n == 0:
                event.add_component(_alarm(at, names))
            cal.add_component(event)
    return cal.to_ical()


def _cared_for(reminders: Reminders | None) -> set[int] | None:
    if reminders is None or reminders.scope != Reminders.Scope.MINE:
        return None
    return set(reminders.cares_for.values_list("pk", flat=True))


def _fingerprint(feed: CalendarFeed, first: date, reminders: Reminders | None) -> str:
    """Every fact the feed is made of, hashed: equal means the feed would be built the same."""
    h = feed.household
    facts = [
        FEED_FORMAT,
        first,
        h.name,
        h.time_zone,
        (reminders.remind_at, reminders.time_zone, reminders.scope, sorted(_cared_for(reminders) or ()))
        if reminders
        else None,
        list(
            Animal.objects.filter(household=h)
            .order_by("pk")
            .values_list(
                "pk",
                "name",
                "species",
                "sex",
                "source",
                "status",
                "arrival_date",
                "cage_id",
                "neutered_on",
                "extended_hold_opt_in",
            )
        ),
        list(
            ProgressSnapshot.objects.filter(animal__household=h)
            .order_by("animal_id")
            .values_list("animal_id", "revision")
        ),
        list(Cage.objects.filter(household=h).order_by("pk").values_list("pk", "name")),
        list(
            Quarantine.objects.filter(animal__household=h).order_by("pk").values_list("pk", "started_on", "air_space")
        ),
        list(
            Introduction.objects.filter(household=h)
            .order_by("pk")
            .values_list("pk", "started_on", "finished_on", "cage_cleaned_on", "cage_id")
        ),
        IntroductionMeeting.objects.filter(introduction__household=h).aggregate(n=Count("pk"), last=Max("pk")),
    ]
    return hashlib.sha256(repr(facts).encode()).hexdigest()


def _animals_in(intro: IntroductionToday, cache: dict[int, frozenset[int]]) -> frozenset[int]:
    key = intro.introduction.pk
    if key not in cache:
        i = intro.introduction
        cache[key] = frozenset(i.newcomers.values_list("pk", flat=True)) | frozenset(
            i.residents.values_list("pk", flat=True)
        )
    return cache[key]


def event_uid(cage_public_id: str, day: date) -> str:
    return f"{cage_public_id}-{day:%Y%m%d}@gentling"


def cage_day_event(cage_id: str, cage: str, names: list[str], day: date, description: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", event_uid(cage_id, day))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", f"{cage}: {and_list(names)}")
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a plan, not a meeting: the keeper is not busy all day
    return event


def _alarm(at: time, cages: list[str]) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Time for today's handling: {', '.join(cages)}")
    alarm.add("trigger", timedelta(hours=at.hour, minutes=at.minute))
    return alarm


def describe_day(
    name: str, plan: AnimalPlan, quarantine: QuarantineToday | None, intros: list[IntroductionToday]
) -> str:
    """The day's items as plain text: no database, so it is tested on plain values."""
    lines = [f"{name}: {plan.step_title} (day {plan.day_number} at home)", plan.step_summary]
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
