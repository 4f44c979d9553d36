"""Backups at rescue scale (services/backup.py): tens of thousands of sessions are
written and read as streams, round-trip losslessly, roll back whole when a late
session is bad, and the import's memory does not grow with the sessions in the file."""

from __future__ import annotations

import gc
import json
import tracemalloc
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from gentling.domain.errors import InvalidInput
from gentling.models import Animal, Household, ProgressSnapshot, Session
from gentling.services import backup
from gentling.services.backup import export_backup_file, export_households, export_instance_file
from gentling.services.households import local_keeper
from gentling.services.restore import import_backup_file, import_instance_file
from tests.backups import households_of
from tests.factories import make_animal
from tests.web.helpers import today

pytestmark = pytest.mark.django_db

DAYS_HOME = 1000  # the animals arrived this many days ago: sessions spread over all of it


def add_sessions(animals: list[Animal], keeper, per_animal: int) -> None:
    """Many sessions, fast: straight into the table, a few a day per animal."""
    rows = []
    for animal in animals:
        for n in range(per_animal):
            day = animal.arrival_date + timedelta(days=n % DAYS_HOME)
            start = datetime.combine(day, time(8), tzinfo=UTC) + timedelta(hours=n // DAYS_HOME)
            rows.append(
                Session(
                    animal=animal,
                    keeper=keeper,
                    started_at=start,
                    ended_at=start + timedelta(minutes=10),
                    day=day,
                    activities=["talked", "treat_in_cage"],
                    observations=["took_treat"],
                    holds=[2, 3] if n % 7 == 0 else [],
                    notes="Came to the door — 🐀" if n % 11 == 0 else "",
                    created_at=start + timedelta(minutes=10),
                )
            )
    Session.objects.bulk_create(rows, batch_size=2000)


@pytest.fixture
def rescue(household, owner):
    animals = [
        make_animal(household, today=today(), name=f"Rat {i}", days_ago=DAYS_HOME, cage=f"Cage {i}") for i in range(4)
    ]
    add_sessions(animals, owner, per_animal=5_000)
    return household


@pytest.fixture
def small_rescue(household, owner):
    """Enough sessions for several of the import's batches."""
    animals = [make_animal(household, today=today(), name=f"Rat {i}", days_ago=DAYS_HOME) for i in range(2)]
    add_sessions(animals, owner, per_animal=3 * backup.BATCH)
    return household


def wipe() -> None:
    Household.objects.all().delete()
    get_user_model().objects.all().delete()


def counts() -> dict[str, int]:
    return {
        "households": Household.objects.count(),
        "animals": Animal.objects.count(),
        "sessions": Session.objects.count(),
        "keepers": get_user_model().objects.count(),
    }


def test_twenty_thousand_sessions_round_trip_through_streamed_files(rescue, owner, tmp_path):
    now = timezone.now()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    written = export_backup_file(owner, [rescue], first, now=now)
    assert written == {"households": 1, "sessions": 20_000}
    # Written in pieces, byte for byte what one json.dumps of the whole backup writes.
    whole = json.dumps(export_households([rescue], now=now), indent=2, ensure_ascii=False) + "\n"
    assert first.read_text(encoding="utf-8") == whole
    del whole

    wipe()
    summary = import_backup_file(first, keeper=local_keeper(owner.username), now=now)
    assert summary["households"] == 1 and summary["animals"] == 4 and summary["sessions"] == 20_000
    assert counts()["sessions"] == 20_000
    # Progress is left to be recomputed on first read: each animal's cache is marked, not filled in.
    assert list(ProgressSnapshot.objects.values_list("checkpoint_day", flat=True)) == [None] * 4

    restored_owner = get_user_model().objects.get(username=owner.username)
    assert export_backup_file(restored_owner, [Household.objects.get()], second, now=now) == written
    assert households_of(json.loads(second.read_text())) == households_of(json.loads(first.read_text()))


def test_an_instance_backup_round_trips_byte_for_byte(small_rescue, tmp_path):
    now = timezone.now()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    export_instance_file(first, now=now)
    wipe()
    import_instance_file(first, keeper=None, now=now)
    export_instance_file(second, now=now)
    assert second.read_bytes() == first.read_bytes()


def _exported(household) -> dict:
    """The household's backup, and a database emptied of it."""
    data = export_households([household], now=timezone.now())
    wipe()
    return data


def _refused(tmp_path: Path, data: dict, says: str) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    restorer = local_keeper("rosa-restorer")
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        import_backup_file(path, keeper=restorer, now=timezone.now())
    assert says in exc.value.message
    assert counts() == before


def test_a_bad_session_after_thousands_were_written_rolls_everything_back(small_rescue, owner, tmp_path):
    data = _exported(small_rescue)
    last = data["households"][0]["sessions"][-1]
    last["ended_at"] = last["started_at"]
    _refused(tmp_path, data, f"Session '{last['id']}' ends before it starts.")


def test_a_session_missing_a_field_late_in_the_file_is_named_by_its_place(small_rescue, owner, tmp_path):
    data = _exported(small_rescue)
    del data["households"][0]["sessions"][2000]["day"]
    _refused(tmp_path, data, "not valid at households.0.sessions.2000.day: Field required")


def test_a_session_id_given_again_in_a_later_batch_is_a_duplicate(small_rescue, owner, tmp_path):
    data = _exported(small_rescue)
    sessions = data["households"][0]["sessions"]
    sessions[-1]["id"] = sessions[0]["id"]
    _refused(tmp_path, data, f"Duplicate session id '{sessions[0]['id']}' in the backup")


def test_a_session_id_already_in_the_database_is_refused(small_rescue, owner, tmp_path):
    data = _exported(small_rescue)
    elsewhere = make_animal(Household.objects.create(name="Elsewhere", time_zone="UTC"), today=today(), days_ago=3)
    add_sessions([elsewhere], None, per_animal=1)
    taken = Session.objects.get().public_id
    data["households"][0]["sessions"][-1]["id"] = taken
    _refused(tmp_path, data, f"The session '{taken}' is already in this database")


def test_a_backup_with_its_keys_in_another_order_imports_the_same(small_rescue, owner, tmp_path):
    """JSON objects have no order: a file re-written with sorted keys (households
    before keepers, sessions before animals) still imports, in full."""
    now = timezone.now()
    data = export_households([small_rescue], now=now)
    wipe()
    path = tmp_path / "sorted.json"
    path.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    assert import_backup_file(path, keeper=local_keeper("rosa-restorer"), now=now)["sessions"] == 6 * backup.BATCH
    assert households_of(export_households(list(Household.objects.all()), now=now)) == households_of(data)


def test_a_failed_export_leaves_the_previous_file_as_it_was(small_rescue, owner, tmp_path, monkeypatch):
    path = tmp_path / "backup.json"
    path.write_text("yesterday's backup", encoding="utf-8")
    real = backup._sessions

    def breaks_midway(h, tally):
        for n, s in enumerate(real(h, tally)):
            if n == 1000:
                raise ConnectionError("the database went away")
            yield s

    monkeypatch.setattr(backup, "_sessions", breaks_midway)
    with pytest.raises(ConnectionError):
        export_backup_file(owner, [small_rescue], path, now=timezone.now())
    assert path.read_text(encoding="utf-8") == "yesterday's backup"
    assert [p.name for p in tmp_path.iterdir()] == ["backup.json"]


# --- memory -------------------------------------------------------------------------


def _backup_file(frame: dict, tag: str, sessions: int, path: Path) -> Path:
    """`frame` (a one-household backup) with its ids marked by `tag`, and `sessions` made-up sessions."""
    text = json.dumps(frame)
    h = frame["households"][0]
    for thing in [h, *h["cages"], *h["animals"]]:
        text = text.replace(f'"{thing["id"]}"', f'"{tag}{thing["id"][1:]}"')
    data = json.loads(text)
    animals = data["households"][0]["animals"]
    start_day = datetime.fromisoformat(animals[0]["arrival_date"]).date()
    rows = []
    for n in range(sessions):
        day = start_day + timedelta(days=n % DAYS_HOME)
        start = datetime.combine(day, time(8), tzinfo=UTC) + timedelta(minutes=n // DAYS_HOME)
        rows.append(
            {
                "id": f"{tag}{n:011d}",
                "animal": animals[n % len(animals)]["id"],
                "keeper": "olive-owner",
                "sitting": f"{tag}{n:011d}",
                "started_at": start.isoformat(),
                "ended_at": (start + timedelta(minutes=10)).isoformat(),
                "day": day.isoformat(),
                "activities": ["talked", "treat_in_cage"],
                "holds": [],
                "observations": ["took_treat"],
                "extended_hold_seconds": None,
                "extended_hold_end": "",
                "notes": "",
                "alerts": [],
                "created_at": start.isoformat(),
            }
        )
    data["households"][0]["sessions"] = rows
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _peak_bytes_importing(path: Path, keeper) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        import_backup_file(path, keeper=keeper, now=timezone.now())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_import_memory_does_not_grow_with_the_sessions_in_the_file(household, owner, tmp_path):
    """8 times the sessions must not need 8 times the memory: the import streams.
    (Holding the parsed file, as a whole-document parse does, would.)"""
    for i in range(3):
        make_animal(household, today=today(), name=f"Rat {i}", days_ago=DAYS_HOME)
    frame = export_households([household], now=timezone.now())
    Household.objects.all().delete()
    import_backup_file(_backup_file(frame, "W", 500, tmp_path / "warm-up.json"), keeper=owner, now=timezone.now())

    small = _peak_bytes_importing(_backup_file(frame, "A", 2_500, tmp_path / "small.json"), owner)
    large = _peak_bytes_importing(_backup_file(frame, "B", 20_000, tmp_path / "large.json"), owner)
    assert Session.objects.count() == 23_000
    assert large < 2 * small, f"peak {large / 2**20:.1f} MB for 20,000 sessions, {small / 2**20:.1f} MB for 2,500"
