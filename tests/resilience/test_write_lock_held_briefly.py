"""Finishing a timer holds the write lock (SQLite's one writer; on PostgreSQL the timer's row lock)
only for the writes: where each animal stands is read first, outside the transaction, and checked
inside it by the animal's revision. A write that lands in between is counted, and a second finish
of the same timer that lands in between leaves this one "already saved"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from gentling.domain.validation import SessionInput
from gentling.models import OpenSession, Session
from gentling.services import sessions as svc
from gentling.services.households import create_household, local_keeper
from gentling.services.progress import progress_of, verify_snapshots
from tests.factories import make_animal
from tests.integration.test_progress_cache import full_replay
from tests.moments import at

TODAY = date(2026, 11, 25)
NOW = at(TODAY, hour=18)
ENTRY = SessionInput(NOW, NOW, ["talked", "treat_in_cage"], observations=["took_treat"])

pytestmark = pytest.mark.django_db(transaction=True)  # the test itself is in no transaction


@pytest.fixture
def tap_street():
    keeper = local_keeper("tap-owner")
    household = create_household(keeper=keeper, name="Tap Street", time_zone="UTC")
    animals = [make_animal(household, today=TODAY, name=n, source="breeder", days_ago=20) for n in ("Basil", "Clover")]
    timer = svc.open_session(keeper=keeper, household=household, animals=animals, now=NOW - timedelta(minutes=5))
    return keeper, household, animals, timer


def _finish(keeper, household, timer, now=NOW):
    return svc.finish_open_session(keeper=keeper, household=household, public_id=timer.public_id, entry=ENTRY, now=now)


def _watch(monkeypatch, meanwhile=None) -> list[bool]:
    """Record, for each read of where an animal stands, whether it ran inside a transaction;
    `meanwhile` runs once, after the first read."""
    real, inside = svc.around_session, []

    def around(animal, new, today):
        found = real(animal, new, today)
        inside.append(connection.in_atomic_block)
        if meanwhile and len(inside) == 1:
            meanwhile()
        return found

    monkeypatch.setattr(svc, "around_session", around)
    return inside


def test_the_progress_is_read_before_the_write_lock_is_taken(tap_street, monkeypatch):
    keeper, household, animals, timer = tap_street
    inside = _watch(monkeypatch)
    logged = _finish(keeper, household, timer)
    assert inside == [False, False]  # one read per animal, both outside the transaction
    assert sorted(item.animal.name for item in logged) == ["Basil", "Clover"]
    assert not OpenSession.objects.exists()
    assert Session.objects.filter(sitting=timer.public_id).count() == 2
    assert verify_snapshots()[1] == []


def test_a_write_between_the_read_and_the_lock_is_counted(tap_street, monkeypatch):
    keeper, household, animals, timer = tap_street
    basil = animals[0]

    def a_bite_lands():
        bite = SessionInput(NOW - timedelta(hours=2), NOW - timedelta(hours=1, minutes=50), ["talked"], [], ["bit"])
        svc.log_session(keeper=keeper, household=household, animals=[basil], entry=bite, now=NOW)

    inside = _watch(monkeypatch, a_bite_lands)
    logged = {item.animal.name: item for item in _finish(keeper, household, timer)}
    # Basil's read, the bite's own, Clover's read; then Basil's again, inside the transaction.
    assert inside == [False, False, False, True]
    assert logged["Basil"].step_after == progress_of(basil, TODAY).step_id
    assert progress_of(basil, TODAY) == full_replay(basil, TODAY)
    assert Session.objects.filter(sitting=timer.public_id).count() == 2


def test_a_second_finish_between_the_read_and_the_lock_leaves_this_one_already_saved(tap_street, monkeypatch):
    keeper, household, animals, timer = tap_street
    first = []

    def the_other_tap_saves():
        first.extend(_finish(keeper, household, timer, now=NOW + timedelta(seconds=1)))

    _watch(monkeypatch, the_other_tap_saves)
    with pytest.raises(svc.AlreadySaved) as told:
        _finish(keeper, household, timer)
    assert {s.pk for s in told.value.sessions} == {item.session.pk for item in first}
    assert Session.objects.filter(sitting=timer.public_id).count() == 2  # once
    assert not OpenSession.objects.exists()
    assert verify_snapshots()[1] == []
