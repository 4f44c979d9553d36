"""Two keepers of one household (the owner and a carer) log a session for the same
animal at the same moment, through the one write path (`log_session`), from two
threads released together by a barrier.

Both calls must succeed (SQLite: each transaction starts with BEGIN IMMEDIATE, so
the second writer waits on the busy timeout instead of failing half-way;
PostgreSQL: the UPDATE that moves the animal's revision on locks its progress row), both
sessions must be stored, and the animal's cached progress must equal a fresh
recompute by the engine.

Runs on whatever database the test run uses (SQLite by default, PostgreSQL when
DATABASE_URL is set), with `transactional_db`: the threads have their own
connections, so they only see data that is committed.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from gentling.domain.validation import SessionInput
from gentling.models import ProgressSnapshot, Session
from gentling.services.households import add_member, create_household, local_keeper
from gentling.services.progress import progress_of, verify_snapshots
from gentling.services.sessions import log_session
from tests.factories import make_animal
from tests.integration.test_progress_cache import full_replay

ROUNDS = 3  # the first with no cached progress yet (both writers create it), then with one
WAIT_SECONDS = 30  # far beyond the 20 s SQLite busy timeout; a hang fails instead of blocking the run
PAIR_ROUNDS = 8


@pytest.mark.slow
def test_owner_and_carer_log_the_same_animal_at_the_same_moment(file_db):
    owner, carer = local_keeper("race-owner"), local_keeper("race-carer")
    household = create_household(keeper=owner, name="Race Street", time_zone="UTC")
    add_member(by=owner, household=household, keeper=carer, role="carer")
    now = timezone.now()
    today = now.date()
    animal = make_animal(household, today=today, name="Clover", source="breeder", days_ago=10)
    expected_notes: list[str] = []

    for round_ in range(ROUNDS):
        if round_ == 0:
            ProgressSnapshot.objects.filter(animal=animal).delete()
        barrier = threading.Barrier(2, timeout=WAIT_SECONDS)
        start = now - timedelta(hours=2, minutes=10 * round_)

        def log_as(keeper, note):
            try:
                barrier.wait()
                return log_session(
                    keeper=keeper,
                    household=household,
                    animals=[animal],
                    now=now,
                    entry=SessionInput(
                        start,
                        start + timedelta(minutes=5),
                        ["talked", "treat_in_cage"],
                        observations=["took_treat"],
                        notes=note,
                    ),
                )
            finally:
                connections.close_all()  # this thread's connection; the main thread's is untouched

        notes = {owner.username: f"owner-{round_}", carer.username: f"carer-{round_}"}
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(log_as, keeper, notes[keeper.username]) for keeper in (owner, carer)]
            results = [f.result(timeout=WAIT_SECONDS) for f in futures]  # a deadlock times out here
        for logged in results:
            assert len(logged) == 1 and logged[0].animal.pk == animal.pk
        expected_notes += notes.values()

        stored = Session.objects.filter(animal=animal)
        assert sorted(stored.values_list("notes", flat=True)) == sorted(expected_notes), f"round {round_}"
        assert {s.notes: s.keeper.username for s in stored.filter(notes__in=notes.values())} == {
            v: k for k, v in notes.items()
        }

        assert progress_of(animal, today) == full_replay(animal, today), f"round {round_}: stale cache"
        checked, mismatches = verify_snapshots()
        assert (checked, mismatches) == (1, []), f"round {round_}"


@pytest.mark.slow
def test_two_sittings_with_the_same_animals_in_opposite_orders_both_go_through(file_db):
    """Each sitting locks its animals' progress rows. Taken in the order the keeper named them,
    two sittings naming the same two animals in opposite orders could each wait for the other
    (PostgreSQL then aborts one as a deadlock, and a keeper's session is lost)."""
    owner, carer = local_keeper("pair-owner"), local_keeper("pair-carer")
    household = create_household(keeper=owner, name="Pair Street", time_zone="UTC")
    add_member(by=owner, household=household, keeper=carer, role="carer")
    now = timezone.now()
    today = now.date()
    pair = [
        make_animal(household, today=today, name=name, source="breeder", days_ago=10) for name in ("Clover", "Basil")
    ]

    for round_ in range(PAIR_ROUNDS):
        barrier = threading.Barrier(2, timeout=WAIT_SECONDS)
        start = now - timedelta(hours=3, minutes=5 * round_)

        def log_as(keeper, animals):
            try:
                barrier.wait()
                return log_session(
                    keeper=keeper,
                    household=household,
                    animals=animals,
                    now=now,
                    entry=SessionInput(start, start + timedelta(minutes=5), ["talked"]),
                )
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(log_as, owner, pair), pool.submit(log_as, carer, pair[::-1])]
            results = [f.result(timeout=WAIT_SECONDS) for f in futures]
        # Each keeper gets their animals back in the order they named them.
        assert [[item.animal.pk for item in logged] for logged in results] == [
            [a.pk for a in pair],
            [a.pk for a in pair[::-1]],
        ]

    for animal in pair:
        assert Session.objects.filter(animal=animal).count() == 2 * PAIR_ROUNDS
        assert progress_of(animal, today) == full_replay(animal, today)
    assert verify_snapshots()[1] == []
