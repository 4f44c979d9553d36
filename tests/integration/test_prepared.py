"""Prepared statements (gentling/prepared.py) answer exactly as their querysets do, on the database
the suite runs on (SQLite, and PostgreSQL in CI's second pass)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gentling.models import Animal, HealthCheck, Membership, ProgressSnapshot, Session
from gentling.prepared import Prepared, PreparedUpdate, rows_of_each, tuples_of_each
from gentling.services import progress
from gentling.services.animal_charts import _ANIMAL_AND_REVISION
from gentling.services.households import create_household
from tests.factories import log, make_animal


@pytest.fixture
def two_homes(owner, carer):
    now = timezone.now()
    homes = []
    for keeper, name in ((owner, "Clover"), (carer, "Basil")):
        h = create_household(keeper=keeper, name=f"{name}'s home", time_zone="Pacific/Kiritimati")
        a = make_animal(h, today=now.date(), name=name, source="rescue", days_ago=20, keeper=keeper)
        for days in (9, 3, 1, 0):
            log(keeper, h, [a], now=now, ago=timedelta(days=days), notes=f"{days} days ago")
        HealthCheck.objects.create(animal=a, day=now.date() - timedelta(days=2), signs=["sneezing"], created_at=now)
        homes.append((h, a))
    return homes


def _same(prepared: Prepared, *values):
    expected = list(prepared.queryset(*values))
    found = prepared.rows(*values)
    assert found == expected
    return found


def test_a_read_gives_the_rows_of_its_queryset_for_every_value(two_homes):
    today = timezone.now().date()
    for _, animal in two_homes:
        for after, until in ((date.min, today), (today - timedelta(days=2), today), (today, today), (today, date.min)):
            sessions = _same(progress._ANIMALS_SESSIONS, animal.pk, after, until)
            assert all(row[0] == animal.pk and after < row[2] <= until for row in sessions)
            _same(progress._ANIMALS_CHECKS, animal.pk, after, until)
    # Types come back as the ORM gives them (dates, aware times, JSON as text, JSON decoded).
    row = progress._ANIMALS_SESSIONS.rows(two_homes[0][1].pk, date.min, today)[0]
    assert isinstance(row[2], date) and row[3].tzinfo is not None and isinstance(row[5], str)
    assert progress._ANIMALS_CHECKS.rows(two_homes[0][1].pk, date.min, today)[0][4] == ["sneezing"]


def test_a_read_of_models_gives_the_same_instances_with_their_relations(two_homes, owner):
    (home, animal), _ = two_homes
    snapshot = progress._ANIMALS_SNAPSHOT.rows(animal.pk)
    assert [(s.pk, s.animal_id, s.revision, s.checkpoint_day, s.checkpoint) for s in snapshot] == [
        (s.pk, s.animal_id, s.revision, s.checkpoint_day, s.checkpoint)
        for s in ProgressSnapshot.objects.filter(animal=animal)
    ]
    assert progress._ANIMALS_SNAPSHOT.rows(-1) == []
    member = Prepared(
        lambda keeper, hid: (
            Membership.objects.select_related("household")
            .filter(keeper_id=keeper, household__public_id=hid)
            .only("role", "keeper", "household")[:1]
        ),
        (1, "a"),
        (2, "b"),
    )
    (found,) = member.rows(owner.pk, home.public_id)
    assert found.role == Membership.Role.OWNER and found.keeper_id == owner.pk
    assert found.household.name == home.name and found.household.time_zone == "Pacific/Kiritimati"
    assert found.get_deferred_fields() == {"joined_at"}  # what .only() left out, loaded if asked for
    assert member.rows(owner.pk, "nosuchhome") == []


def test_reads_sent_together_give_what_each_gives_alone_in_one_round_trip_on_postgresql(two_homes):
    until = timezone.now().date() + timedelta(days=2)  # past every home's today
    (home, clover), (_, basil) = two_homes
    reads = [
        (progress._ANIMALS_SESSIONS, (clover.pk, date.min, until)),
        (progress._ANIMALS_CHECKS, (clover.pk, date.min, until)),
        (progress._ANIMALS_SNAPSHOT, (basil.pk,)),
        (_ANIMAL_AND_REVISION, (home.pk, "nosuchanimal")),
    ]
    with CaptureQueriesContext(connection) as sent:
        together = rows_of_each(*reads)
    assert together == [read.rows(*values) for read, values in reads]
    assert [len(rows) for rows in together] == [4, 1, 1, 0]
    assert len(sent.captured_queries) == (1 if connection.vendor == "postgresql" else len(reads))


def test_querysets_sent_together_give_what_each_gives_alone(two_homes):
    pks = [animal.pk for _, animal in two_homes]
    querysets = [
        progress._session_columns(Session.objects.filter(animal_id__in=pks).order_by("pk")),
        progress._check_columns(HealthCheck.objects.filter(animal_id__in=pks).order_by("pk")),
        progress._check_columns(HealthCheck.objects.filter(animal_id__in=[])),  # nothing to ask
    ]
    with CaptureQueriesContext(connection) as sent:
        together = tuples_of_each(*querysets)
    assert together == [list(queryset) for queryset in querysets]
    assert [len(rows) for rows in together] == [8, 2, 0]
    assert len(sent.captured_queries) == (1 if connection.vendor == "postgresql" else 2)  # the empty one: none


def test_a_read_of_models_carries_its_annotations(two_homes, owner):
    (home, animal), _ = two_homes
    fields = ("pk", "name", "arrival_date", "snapshot_pk", "snapshot_revision")
    (found,) = _ANIMAL_AND_REVISION.rows(home.pk, animal.public_id)
    (expected,) = _ANIMAL_AND_REVISION.queryset(home.pk, animal.public_id)
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    snap = ProgressSnapshot.objects.get(animal=animal)
    assert (found.snapshot_pk, found.snapshot_revision) == (snap.pk, snap.revision)
    assert _ANIMAL_AND_REVISION.rows(home.pk, "nosuchanimal") == []
    newcomer = make_animal(home, today=timezone.now().date(), name="Newcomer", days_ago=0)
    ProgressSnapshot.objects.filter(animal=newcomer).delete()
    (unread,) = _ANIMAL_AND_REVISION.rows(home.pk, newcomer.public_id)
    assert (unread.snapshot_pk, unread.snapshot_revision) == (None, None)  # no snapshot yet: a left join


def test_an_update_changes_what_its_queryset_would_and_counts_the_rows(two_homes):
    (_, clover), (_, basil) = two_homes
    bump = PreparedUpdate(
        lambda pk, revision: (
            ProgressSnapshot.objects.filter(animal_id=pk, revision=revision),
            {"revision": F("revision") + 1},
        ),
        (1, 1),
        (2, 2),
    )
    revision = ProgressSnapshot.objects.get(animal=clover).revision
    others = ProgressSnapshot.objects.get(animal=basil).revision
    assert bump.run(clover.pk, revision) == 1
    assert bump.run(clover.pk, revision) == 0  # moved on: the revision no longer matches
    assert ProgressSnapshot.objects.get(animal=clover).revision == revision + 1
    assert ProgressSnapshot.objects.get(animal=basil).revision == others


def test_records_changed_drops_a_checkpoint_the_change_reaches_back_to(two_homes):
    (home, clover), _ = two_homes
    today = progress.local_today(home, timezone.now())
    progress.progress_of(clover, today)  # keeps a checkpoint at yesterday
    snap = ProgressSnapshot.objects.get(animal=clover)
    assert snap.checkpoint_day == today - timedelta(days=1)
    assert progress.records_changed(clover, today) is True
    assert ProgressSnapshot.objects.get(animal=clover).checkpoint_day == snap.checkpoint_day
    assert progress.records_changed(clover, today, revision=snap.revision) is False  # already moved on
    assert progress.records_changed(clover, snap.checkpoint_day, revision=snap.revision + 1) is True
    after = ProgressSnapshot.objects.get(animal=clover)
    assert (after.revision, after.checkpoint_day) == (snap.revision + 2, None)


def test_a_statement_whose_sql_changes_with_its_values_is_refused(db):
    listed = Prepared(lambda ids: Animal.objects.filter(pk__in=ids), ([1],), ([2, 3],))
    with pytest.raises(ValueError, match="changes the statement's SQL"):
        listed.rows([1])
    with pytest.raises(ValueError, match="a different other value"):
        Prepared(lambda pk: Animal.objects.filter(pk=pk), (1,), (1,))
    unused = Prepared(lambda pk: Animal.objects.all(), (1,), (2,))
    with pytest.raises(ValueError, match="each value must fill a parameter"):
        unused.rows(1)


def test_sessions_logged_are_read_back_for_the_engine_the_same_either_way(two_homes):
    (home, clover), _ = two_homes
    today = progress.local_today(home, timezone.now())
    one = progress.records_of([clover], until=today)[clover.pk]
    # The same animal among others goes through the ORM's querysets.
    both = progress.records_of([clover, two_homes[1][1]], until=today)[clover.pk]
    assert one == both and len(one) == Session.objects.filter(animal=clover).count() + 1


def test_a_session_is_read_as_djangos_own_store_reads_it(client, owner, settings):
    """settings.SESSION_ENGINE (gentling/sessions.py): a live session is found, an expired or unknown one is not."""
    from django.contrib.sessions.backends.db import SessionStore as DjangosStore
    from django.contrib.sessions.models import Session as StoredSession

    from gentling.sessions import SessionStore

    assert settings.SESSION_ENGINE == "gentling.sessions"
    client.force_login(owner)
    key = client.session.session_key
    assert SessionStore(key).load() == DjangosStore(key).load() != {}
    page = client.get("/today")  # a logged-in page, through the store: not sent to log in
    assert page.status_code in (200, 302) and "login" not in page.get("Location", "")
    StoredSession.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {} == DjangosStore(key).load() and expired.session_key is None
    assert SessionStore("nosuchsession0000000000000000000").load() == {}
