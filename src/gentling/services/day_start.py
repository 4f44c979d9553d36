"""A new day's checkpoints, made before anyone asks (issue 17, part 3).

A read of today resumes each animal from its checkpoint (the end of a day) and replays the newer
records; the first read of a day moves every checkpoint up to the end of yesterday, one write per
animal. For a rescue that made the first Today page of each day the slowest. `start_days` does that
work in the background instead: `gentling remind`'s run, every minute from `gentling serve` (or
cron), calls it, and it touches only the households whose day has begun since it last ran, for the
animals still home whose checkpoint is older than yesterday. In the process that runs it, today's
answers are then remembered too (services/progress.py), so its first Today reads nothing old.

A serving process also runs it for itself (`remember=True`: `gentling serve`'s own thread, and a
thread in each of its workers): then it reads every animal still home, not only the stale ones,
the first time it sees a household's day, that is after it starts and after each midnight. Its
first Today of the day, even in a process started a minute ago, then finds today's answers in
memory, as a later one does. At most REMEMBER_MAX animals a day are read this way, the biggest
households of each time zone first (a big household's Today is the one that would be slow); the
others are read on their first Today.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Q

from ..models import Animal, Household
from .progress import local_today, standings

CHUNK = 100  # animals read and replayed together
REMEMBER_MAX = 5_000  # animals a serving process reads ahead each day: about 2 s, once a day, per process

_seen: dict[str, date] = {}  # time zone -> the day this process last read every animal for (remember=True)


def start_days(now: datetime, *, remember: bool = False) -> int:
    """Move the checkpoints of every household whose day has begun up to the end of its yesterday;
    how many animals it read (0 when every day was already started). `remember`: this process
    serves pages, and reads every animal of a day it has not seen yet (see the module)."""
    zones = Household.objects.values_list("time_zone", flat=True).distinct()
    started = 0
    budget = REMEMBER_MAX
    for zone in sorted(zones):
        today = local_today(Household(time_zone=zone), now)
        every = remember and _seen.get(zone) != today
        by_household: dict[int, list[Animal]] = defaultdict(list)
        for animal in _to_read(zone, today, every=every).iterator(chunk_size=CHUNK):
            by_household[animal.household_id].append(animal)
        for animals in sorted(by_household.values(), key=len, reverse=True):
            if every and len(animals) > budget:
                animals = _stale(animals, today)  # beyond the day's budget: only what the day needs kept
            budget -= len(animals)
            for start in range(0, len(animals), CHUNK):
                standings(animals[start : start + CHUNK], today)  # keeps each checkpoint at yesterday
            started += len(animals)
        if every:
            _seen[zone] = today
    return started


def _to_read(zone: str, today: date, *, every: bool):
    """The zone's animals still home that arrived before today (or moved to their protocol): with
    `every`, all of them; else those whose checkpoint is older than yesterday, or missing."""
    # Animals that arrived (or moved to their protocol) today have no yesterday to keep.
    animals = (
        Animal.objects.active()
        .filter(household__time_zone=zone, arrival_date__lt=today)
        .exclude(protocol_since__gte=today)
        .order_by("household_id", "pk")
    )
    return animals if every else animals.filter(_stale_rule(today))


def _stale_rule(today: date) -> Q:
    yesterday = today - timedelta(days=1)
    return (
        Q(snapshot__isnull=True) | Q(snapshot__checkpoint_day__isnull=True) | Q(snapshot__checkpoint_day__lt=yesterday)
    )


def _stale(animals: list[Animal], today: date) -> list[Animal]:
    stale = set(Animal.objects.filter(_stale_rule(today), pk__in=[a.pk for a in animals]).values_list("pk", flat=True))
    return [a for a in animals if a.pk in stale]
