"""The stored checkpoint is only a cache: progress read through it always equals a full replay.

Each animal keeps one engine checkpoint (its state at the end of a day). Reads
resume from it; writes that reach back to or before its day drop it; every
write bumps the revision so a read that raced a write never stores its answer.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gentling.domain import engine
from gentling.domain.validation import SessionInput
from gentling.models import ProgressSnapshot
from gentling.services import progress as svc
from gentling.services.animals import AnimalDetails, edit_animal
from gentling.services.arrivals import record_health_check
from gentling.services.calendar import feed_calendar, new_feed
from gentling.services.demo import ensure_demo
from gentling.services.progress import progress_of, verify_snapshots
from gentling.services.sessions import delete_session, edit_session, log_session
from tests.factories import log, make_animal
from tests.moments import at

from .conftest import NOW, TODAY

TREAT_IN_CAGE = ("talked", "treat_in_cage")
# A calm session at 'treats in the cage': it counts towards moving up.
CALM_IN_CAGE = {"activities": TREAT_IN_CAGE, "observations": ("took_treat",)}


def full_replay(animal, day):
    """The engine's answer from every record, with no cache involved."""
    return engine.progress(svc.protocol_for(animal), svc.facts(animal), svc.records(animal, day), day)


def snap(rat):
    return ProgressSnapshot.objects.get(animal=rat)


def test_a_read_keeps_a_checkpoint_at_the_end_of_yesterday(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    for days_ago in (5, 4, 3):
        log(owner, household, [rat], now=NOW, ago=timedelta(days=days_ago), **CALM_IN_CAGE)
    assert progress_of(rat, TODAY) == full_replay(rat, TODAY)
    assert snap(rat).checkpoint_day == TODAY - timedelta(days=1)
    assert verify_snapshots() == (1, [])


def test_a_read_from_the_checkpoint_fetches_only_the_newer_records(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=30)
    for days_ago in range(25, 0, -1):
        log(owner, household, [rat], now=NOW, ago=timedelta(days=days_ago), **CALM_IN_CAGE)
    progress_of(rat, TODAY)
    with CaptureQueriesContext(connection) as reads:
        again = progress_of(rat, TODAY)
    assert again == full_replay(rat, TODAY)
    session_reads = [q["sql"] for q in reads.captured_queries if "gentling_session" in q["sql"]]
    assert len(session_reads) == 1 and str(TODAY - timedelta(days=1)) in session_reads[0]


def test_every_kind_of_write_keeps_reads_equal_to_a_full_replay(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=20)
    logged = [
        log(owner, household, [rat], now=NOW, ago=timedelta(days=days_ago), **CALM_IN_CAGE)[0]
        for days_ago in (12, 11, 10, 9, 8)
    ]
    progress_of(rat, TODAY)

    def check(what):
        assert progress_of(rat, TODAY) == full_replay(rat, TODAY), what
        assert verify_snapshots()[1] == [], what

    # Backdated, before the checkpoint:
    log(owner, household, [rat], now=NOW, ago=timedelta(days=15), activities=TREAT_IN_CAGE, observations=("bit",))
    check("backdated session")
    delete_session(keeper=owner, household=household, public_id=logged[1].session.public_id, now=NOW)
    check("deleted session")
    moved = NOW - timedelta(days=2)
    edit_session(
        keeper=owner,
        household=household,
        public_id=logged[0].session.public_id,
        now=NOW,
        entry=SessionInput(moved, moved + timedelta(minutes=5), ["talked"], observations=["squeaked", "fled"]),
    )
    check("edited session, moved to a later day")
    record_health_check(keeper=owner, animal=rat, day=TODAY - timedelta(days=6), signs=["red_tears"], now=at(TODAY))
    check("health check about an earlier day")
    edit_animal(
        keeper=owner,
        animal=rat,
        today=TODAY,
        details=AnimalDetails(name=rat.name, species="rat", source="rescue", arrival_date=rat.arrival_date),
    )
    check("source changed")


def test_a_write_that_reaches_back_drops_the_checkpoint_and_a_newer_one_keeps_it(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    log(owner, household, [rat], now=NOW, ago=timedelta(days=5), **CALM_IN_CAGE)
    progress_of(rat, TODAY)
    log(owner, household, [rat], now=NOW, ago=timedelta(0), **CALM_IN_CAGE)
    assert snap(rat).checkpoint_day == TODAY - timedelta(days=1)
    revision = snap(rat).revision
    log(owner, household, [rat], now=NOW, ago=timedelta(days=3), **CALM_IN_CAGE)
    assert snap(rat).revision > revision
    assert progress_of(rat, TODAY) == full_replay(rat, TODAY)


def test_a_read_that_raced_a_write_does_not_store_its_stale_answer(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    read = snap(rat)  # the read starts here ...
    stale = engine.checkpoint(svc.protocol_for(rat), svc.facts(rat), svc.records(rat, TODAY), TODAY - timedelta(days=1))
    log(owner, household, [rat], now=NOW, ago=timedelta(days=2), **CALM_IN_CAGE)  # ... a write lands ...
    svc._store(read, stale)  # ... and the read tries to store what it computed before it
    stored = snap(rat)
    assert stored.checkpoint_day is None or stored.checkpoint != stale.state
    assert verify_snapshots()[1] == []
    assert progress_of(rat, TODAY) == full_replay(rat, TODAY)


def test_a_write_moves_the_revision_on_only_from_the_one_it_read(owner, household):
    """Logging moves the revision on from the one it read; from a stale one nothing changes."""
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    log(owner, household, [rat], now=NOW, ago=timedelta(days=5), **CALM_IN_CAGE)
    progress_of(rat, TODAY)
    read = snap(rat)
    log(owner, household, [rat], now=NOW, ago=timedelta(0), **CALM_IN_CAGE)  # another write lands after the read
    after = snap(rat)
    assert svc.records_changed(rat, TODAY, revision=read.revision) is False
    assert (snap(rat).revision, snap(rat).checkpoint_day) == (after.revision, after.checkpoint_day)
    assert svc.records_changed(rat, TODAY, revision=after.revision) is True
    assert snap(rat).revision == after.revision + 1


def test_reading_days_ahead_never_keeps_a_checkpoint_on_or_after_the_households_today(owner, household):
    """The calendar reads the next two weeks. A checkpoint kept for a day ahead would be dropped by
    the next session logged today, and the read after it would replay the animal's whole history."""
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    for days_ago in (5, 4, 3):
        log(owner, household, [rat], now=NOW, ago=timedelta(days=days_ago), **CALM_IN_CAGE)
    ahead = progress_of(rat, TODAY + timedelta(days=7), today=TODAY)
    assert snap(rat).checkpoint_day == TODAY - timedelta(days=1)
    assert ahead == full_replay(rat, TODAY + timedelta(days=7))
    kept = snap(rat).checkpoint_day
    start = NOW - timedelta(minutes=10)
    log_session(
        keeper=owner,
        household=household,
        animals=[rat],
        now=NOW,
        entry=SessionInput(start, start + timedelta(minutes=5), ["talked"]),
    )
    assert snap(rat).checkpoint_day == kept  # today's session left it in place


def test_the_calendar_reads_two_weeks_ahead_without_moving_a_checkpoint_past_today(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    for days_ago in (5, 4, 3):
        log(owner, household, [rat], now=NOW, ago=timedelta(days=days_ago), **CALM_IN_CAGE)
    feed_calendar(new_feed(keeper=owner, household=household, now=NOW), now=NOW)
    assert snap(rat).checkpoint_day == TODAY - timedelta(days=1)


def test_a_checkpoint_from_other_facts_is_not_used(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    for days_ago in (5, 4, 3):
        log(owner, household, [rat], now=NOW, ago=timedelta(days=days_ago), **CALM_IN_CAGE)
    progress_of(rat, TODAY)
    ProgressSnapshot.objects.filter(animal=rat).update(checkpoint_key="made-under-an-older-protocol")
    assert progress_of(rat, TODAY) == full_replay(rat, TODAY)
    assert snap(rat).checkpoint_key == engine.checkpoint_key(svc.protocol_for(rat), svc.facts(rat))


def test_a_day_before_the_checkpoint_is_replayed_in_full(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    for days_ago in (5, 4, 3):
        log(owner, household, [rat], now=NOW, ago=timedelta(days=days_ago), **CALM_IN_CAGE)
    progress_of(rat, TODAY)
    earlier = TODAY - timedelta(days=4)
    assert progress_of(rat, earlier) == full_replay(rat, earlier)
    assert snap(rat).checkpoint_day == TODAY - timedelta(days=1)


def test_verify_finds_a_checkpoint_that_drifted(owner, household):
    rat = make_animal(household, today=TODAY, days_ago=30)
    progress_of(rat, TODAY)
    snapshot = snap(rat)
    snapshot.checkpoint = {**snapshot.checkpoint, "index": 7}
    snapshot.save()
    checked, bad = verify_snapshots()
    assert checked == 1
    assert [(m.cached_step, m.computed_step) for m in bad] == [("maintenance", "treats-in-cage")]


def test_the_demo_household_is_consistent(owner):
    household, created = ensure_demo(keeper=owner, now=NOW)
    assert created
    assert ensure_demo(keeper=owner, now=NOW) == (household, False)
    svc.plan_for_household(household, svc.local_today(household, NOW))  # each animal keeps a checkpoint
    checked, bad = verify_snapshots()
    assert checked == 5 and bad == []
    sources = sorted(a.source for a in household.animals.all())
    assert sources == ["breeder", "pet_store", "pet_store", "pet_store", "rescue"]
    assert household.animals.filter(species="mouse").count() == 1
    assert all(a.sessions.count() > 10 for a in household.animals.all())


def test_every_write_path_flags_records_with_an_illness_sign(owner, household):
    """Quarantine reads only the flagged days; save and bulk_create both set the flag."""
    from gentling.models import HealthCheck, Session

    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    ill = log(
        owner, household, [rat], now=NOW, ago=timedelta(days=2), activities=TREAT_IN_CAGE, observations=("red_tears",)
    )[0].session
    well = log(owner, household, [rat], now=NOW, ago=timedelta(days=1), **CALM_IN_CAGE)[0].session
    check = record_health_check(keeper=owner, animal=rat, day=TODAY, signs=["hunched"], now=at(TODAY))
    assert (ill.illness, well.illness, check.illness) == (True, False, True)
    well.observations = ["scabs"]
    well.save(update_fields=["observations"])
    copy = Session(
        animal=rat, started_at=ill.started_at, ended_at=ill.ended_at, day=ill.day, observations=["squinting"]
    )
    Session.objects.bulk_create([copy])
    HealthCheck.objects.bulk_create([HealthCheck(animal=rat, day=TODAY, signs=["lethargic"])])
    assert Session.objects.filter(animal=rat, illness=True).count() == 3
    assert HealthCheck.objects.filter(animal=rat, illness=True).count() == 2


def test_a_write_between_the_read_and_the_transaction_is_seen_by_the_guardrails(owner, household, monkeypatch):
    """Logging reads where the animal stands before it takes the write lock; if another write lands
    in between, it reads again inside the transaction, so its alerts and steps count that write."""
    from gentling.services import sessions

    rat = make_animal(household, today=TODAY, source="breeder", days_ago=20)
    for days_ago in (15, 14, 13, 12):
        log(owner, household, [rat], now=NOW, ago=timedelta(days=days_ago), **CALM_IN_CAGE)
    moved_up = progress_of(rat, TODAY).step_id
    real, calls = sessions.around_session, []

    def around_then_a_bite_lands(animal, new, today):
        found = real(animal, new, today)
        calls.append(found)
        if len(calls) == 1:
            log(
                owner,
                household,
                [rat],
                now=NOW,
                ago=timedelta(hours=2),
                activities=TREAT_IN_CAGE,
                observations=("bit",),
            )
        return found

    monkeypatch.setattr(sessions, "around_session", around_then_a_bite_lands)
    [logged] = log(owner, household, [rat], now=NOW, ago=timedelta(hours=1), **CALM_IN_CAGE)
    assert len(calls) == 3  # ours, the bite's own, ours again inside the transaction
    assert calls[0].before_now.step_id == moved_up
    assert logged.step_before == progress_of(rat, TODAY).step_id != moved_up
    assert progress_of(rat, TODAY) == full_replay(rat, TODAY)


@pytest.mark.django_db(transaction=True)
def test_an_unchanged_animal_is_answered_from_memory_and_a_write_is_seen_at_once(owner, household):
    """Outside a transaction each process remembers answers under the animal's revision."""
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    for days_ago in (5, 4, 3):
        log(owner, household, [rat], now=NOW, ago=timedelta(days=days_ago), **CALM_IN_CAGE)
    first = progress_of(rat, TODAY)
    assert progress_of(rat, TODAY) is first  # the very answer, not a replay
    log(owner, household, [rat], now=NOW, ago=timedelta(0), activities=TREAT_IN_CAGE, observations=("bit",))
    assert progress_of(rat, TODAY) is not first
    assert progress_of(rat, TODAY) == full_replay(rat, TODAY)


def test_nothing_read_inside_a_transaction_is_remembered(owner, household):
    rat = make_animal(household, today=TODAY, source="breeder", days_ago=10)
    progress_of(rat, TODAY)  # the test itself runs in a transaction
    assert not [key for key in svc._remembered if key[0] == rat.public_id]
