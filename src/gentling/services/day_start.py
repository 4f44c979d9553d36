"""A new day's checkpoints, made before anyone asks (issue 17, part 3).

A read of today resumes each animal from its checkpoint (the end of a day) and replays the newer
records; the first read of a day moves every checkpoint up to the end of yesterday, one write per
animal. For a rescue that made the first Today page of each day the slowest. `start_days` does that
work in the background instead: `gentling remind`'s run, every minute from `gentling serve` (or
cron), calls it, and it touches only the households whose day has begun since it last ran, for the
animals still home whose checkpoint is older than yesterday. In the process that runs it, today's
answers are then remembered too (services/progress.py), so its first Today reads nothing old.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Q

from ..models import Animal, Household
from .progress import local_today, standings

CHUNK = 100  # animals read and replayed together


def start_days(now: datetime) -> int:
    """Move the checkpoints of every household whose day has begun up to the end of its yesterday;
    how many animals it brought up to date (0 when every day was already started)."""
    zones = Household.objects.values_list("time_zone", flat=True).distinct()
    started = 0
    for zone in zones:
        today = local_today(Household(time_zone=zone), now)
        yesterday = today - timedelta(days=1)
        # Animals that arrived (or moved to their protocol) today have no yesterday to keep.
        stale = (
            Animal.objects.active()
            .filter(household__time_zone=zone, arrival_date__lt=today)
            .exclude(protocol_since__gte=today)
            .filter(
                Q(snapshot__isnull=True)
                | Q(snapshot__checkpoint_day__isnull=True)
                | Q(snapshot__checkpoint_day__lt=yesterday)
            )
            .order_by("household_id", "pk")
        )
        by_household: dict[int, list[Animal]] = defaultdict(list)
        for animal in stale.iterator(chunk_size=CHUNK):
            by_household[animal.household_id].append(animal)
        for animals in by_household.values():
            for start in range(0, len(animals), CHUNK):
                standings(animals[start : start + CHUNK], today)  # keeps each checkpoint at yesterday
            started += len(animals)
    return started
