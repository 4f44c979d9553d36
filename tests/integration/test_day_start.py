"""A new day's checkpoints are made by `gentling remind`'s run (services/day_start.py), so the
first Today of a day writes nothing and replays only today's records (issue 17, part 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gentling.models import ProgressSnapshot
from gentling.services.day_start import start_days
from gentling.services.households import create_household
from gentling.services.progress import local_today, standings, verify_snapshots
from tests.factories import log, make_animal

# 23:30 in London on 25 November is 13:30 on the 26th in Kiritimati (UTC+14).
LATE = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)


def checkpoint_days(household) -> set:
    return set(ProgressSnapshot.objects.filter(animal__household=household).values_list("checkpoint_day", flat=True))


def test_the_days_run_keeps_yesterday_for_each_household_whose_day_began_and_today_then_writes_nothing(owner):
    london = create_household(keeper=owner, name="London", time_zone="Europe/London")
    islands = create_household(keeper=owner, name="Islands", time_zone="Pacific/Kiritimati")
    homes = {}
    for h in (london, islands):
        today = local_today(h, LATE)
        homes[h] = [make_animal(h, today=today, name=n, source="breeder", days_ago=12) for n in ("Ada", "Bea")]
        for back in range(10, 0, -1):
            log(owner, h, homes[h], now=LATE - timedelta(days=back), ago=timedelta(hours=2))
        standings(homes[h], today - timedelta(days=1))  # yesterday's reads kept the day before it

    started = start_days(LATE)

    assert started == 4  # every animal of both: London's 25th and Kiritimati's 26th have begun
    assert checkpoint_days(london) == {local_today(london, LATE) - timedelta(days=1)}
    assert checkpoint_days(islands) == {local_today(islands, LATE) - timedelta(days=1)}
    assert start_days(LATE) == 0  # once a day
    assert verify_snapshots()[1] == []  # what was kept is what a full replay gives

    tomorrow = LATE + timedelta(hours=1)  # London's 26th begins; Kiritimati is still on its 26th
    assert start_days(tomorrow) == 2
    with CaptureQueriesContext(connection) as seen:
        standings(homes[london], local_today(london, tomorrow))
    assert not [q for q in seen.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_an_animal_that_arrived_today_has_no_yesterday_to_keep(owner, household):
    make_animal(household, today=local_today(household, LATE), name="New")
    assert start_days(LATE) == 0


def test_a_serving_process_reads_every_animal_of_a_day_it_has_not_seen_and_remembers_today(
    transactional_db, monkeypatch
):
    """`remember=True` (gentling serve's thread, each worker's): after a restart nothing is stale, yet
    the process's first Today must find today's answers in memory, as a later one does."""
    from gentling.services import day_start, progress
    from gentling.services.households import local_keeper

    keeper = local_keeper("day-keeper")
    big = create_household(keeper=keeper, name="Big", time_zone="Europe/London")
    small = create_household(keeper=keeper, name="Small", time_zone="Europe/London")
    today = local_today(big, LATE)
    animals = {
        h: [make_animal(h, today=today, name=f"{h.name}{n}", source="breeder", days_ago=5) for n in range(count)]
        for h, count in ((big, 3), (small, 1))
    }
    for h, group in animals.items():
        log(keeper, h, group, now=LATE - timedelta(days=1), ago=timedelta(hours=2))
    assert start_days(LATE) == 4  # the day's run: every checkpoint up to yesterday
    monkeypatch.setattr(day_start, "_seen", {})
    monkeypatch.setattr(progress, "_remembered", {})  # as in a process just started

    assert start_days(LATE) == 0  # cron's run: nothing is stale
    assert start_days(LATE, remember=True) == 4  # a serving process: every animal, once a day
    assert start_days(LATE, remember=True) == 0
    remembered = {key[0] for key in progress._remembered if key[3] == today}
    assert remembered == {a.public_id for group in animals.values() for a in group}
    with CaptureQueriesContext(connection) as seen:
        standings(animals[big], today)
    assert not [q for q in seen.captured_queries if "checkpoint_key" in q["sql"]]  # no checkpoint was read

    # Beyond the day's budget, the biggest households first; the rest wait for their first Today.
    monkeypatch.setattr(day_start, "_seen", {})
    monkeypatch.setattr(day_start, "REMEMBER_MAX", 2)
    assert start_days(LATE, remember=True) == 1  # Big (3) is over the budget and has nothing stale; Small fits
