"""The stored progress is only a cache: it always matches a recompute from the sessions."""

from datetime import timedelta

from gentling.domain.validation import SessionInput
from gentling.models import ProgressSnapshot
from gentling.services.demo import ensure_demo
from gentling.services.progress import current_step_ids, verify_snapshots
from gentling.services.sessions import log_session

from .conftest import NOW, TODAY, make_animal


def test_every_write_refreshes_the_cache(owner, household):
    rat = make_animal(household, source="breeder", arrived=TODAY - timedelta(days=5))
    for day in range(5, 0, -1):
        start = NOW - timedelta(days=day)
        log_session(keeper=owner, household=household, animals=[rat], now=NOW, entry=SessionInput(
            start, start + timedelta(minutes=5), ["talked", "treat_in_cage"], observations=["took_treat"]))
    checked, bad = verify_snapshots()
    assert checked == 1 and bad == []
    assert ProgressSnapshot.objects.get(animal=rat).step_id == "treats-from-fingers"


def test_verify_finds_a_cache_that_drifted(owner, household, rat):
    snap = rat.snapshot
    snap.step_id, snap.data = "maintenance", {**snap.data, "step_id": "maintenance"}
    snap.save()
    checked, bad = verify_snapshots()
    assert [(m.cached_step, m.computed_step) for m in bad] == [("maintenance", "settling-in")]


def test_a_stale_cache_is_recomputed_for_today(owner, household, rat):
    ProgressSnapshot.objects.filter(animal=rat).update(as_of=TODAY - timedelta(days=30), step_id="maintenance")
    assert current_step_ids([rat], TODAY) == {rat.pk: "settling-in"}


def test_the_demo_household_is_consistent(owner):
    household, created = ensure_demo(keeper=owner, now=NOW)
    assert created
    assert ensure_demo(keeper=owner, now=NOW) == (household, False)
    checked, bad = verify_snapshots()
    assert checked == 5 and bad == []
    sources = sorted(a.source for a in household.animals.all())
    assert sources == ["breeder", "pet_store", "pet_store", "pet_store", "rescue"]
    assert household.animals.filter(species="mouse").count() == 1
    assert all(a.sessions.count() > 10 for a in household.animals.all())
