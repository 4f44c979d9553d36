"""sessions.csv: the documented header, one row per animal per session, lists
joined with semicolons, times in the household's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.domain.validation import SessionInput
from gentling.services.animals import AnimalDetails, add_animal
from gentling.services.csv_export import SESSION_COLUMNS, session_rows
from gentling.services.households import create_household
from gentling.services.sessions import log_session
from tests.factories import log

from .helpers import csv_dicts, csv_rows, streamed

pytestmark = pytest.mark.django_db

HEADER = [
    "session_id",
    "animal_id",
    "animal_name",
    "species",
    "keeper",
    "day",
    "started_at",
    "duration_seconds",
    "activities",
    "pickups",
    "hold_seconds",
    "longest_hold_seconds",
    "observations",
    "comfort_signs",
    "fear_signs",
    "extended_hold_seconds",
    "extended_hold_end",
    "protocol",
    "protocol_version",
    "measures",
    "alerts",
    "notes",
]


def _download(client, keeper, household) -> bytes:
    client.force_login(keeper)
    return streamed(client.get(reverse("csv_download", args=[household.public_id, "sessions"])))


def test_the_header_is_the_documented_columns(client, owner, household, animals):
    assert list(SESSION_COLUMNS) == HEADER
    assert csv_rows(_download(client, owner, household)) == [HEADER]


def test_a_sitting_with_two_animals_is_two_rows(client, owner, household, animals):
    logged = log(owner, household, animals, now=timezone.now(), activities=("talked",))
    rows = csv_dicts(_download(client, owner, household))
    assert sorted(r["animal_name"] for r in rows) == ["Pip", "Whiskers"]
    assert {r["session_id"] for r in rows} == {entry.session.public_id for entry in logged}
    assert {r["animal_id"] for r in rows} == {a.public_id for a in animals}
    assert {r["species"] for r in rows} == {"rat", "mouse"}
    assert {r["keeper"] for r in rows} == {"olive-owner"}


def test_lists_are_joined_with_semicolons_and_counted(client, owner, household, animals):
    log(
        owner,
        household,
        [animals[0]],
        now=timezone.now(),
        minutes=10,
        activities=("talked", "picked_up"),
        holds=(12, 30, 5),
        observations=("took_treat", "approached", "froze"),
        notes="Good, then froze",
    )
    (row,) = csv_dicts(_download(client, owner, household))
    assert row["activities"] == "talked;picked_up"
    assert row["pickups"] == "3"
    assert row["hold_seconds"] == "12;30;5"
    assert row["longest_hold_seconds"] == "30"
    assert set(row["observations"].split(";")) == {"took_treat", "approached", "froze"}
    assert (row["comfort_signs"], row["fear_signs"]) == ("2", "1")
    assert row["duration_seconds"] == "600"
    assert row["extended_hold_seconds"] == "" and row["extended_hold_end"] == ""
    assert row["notes"] == "Good, then froze"


def test_alerts_are_their_codes(client, owner, household, animals):
    # Picking up a rat still at "treats in the cage" is too early: the guardrail says so.
    (entry,) = log(owner, household, [animals[0]], now=timezone.now(), activities=("picked_up",), holds=(10,))
    codes = [a.code for a in entry.alerts]
    assert codes, "the guardrail should have shown an alert"
    (row,) = csv_dicts(_download(client, owner, household))
    assert row["alerts"] == ";".join(codes)


def test_a_session_with_no_pickups_has_empty_hold_cells(client, owner, household, animals):
    log(owner, household, [animals[0]], now=timezone.now())
    (row,) = csv_dicts(_download(client, owner, household))
    assert (row["pickups"], row["hold_seconds"], row["longest_hold_seconds"]) == ("0", "", "")


def test_times_are_in_the_households_time_zone(client, owner):
    household = create_household(keeper=owner, name="Upstate", time_zone="America/New_York")
    start = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)  # 22:30 on the 19th in New York
    rat, _ = add_animal(
        household=household,
        today=date(2026, 11, 19),
        details=AnimalDetails(name="Whiskers", species="rat", source="rescue", arrival_date=date(2026, 11, 1)),
    )
    entry = SessionInput(start, start + timedelta(minutes=5), ["talked"], [], [])
    log_session(keeper=owner, household=household, animals=[rat], entry=entry, now=start + timedelta(hours=1))
    (row,) = csv_dicts(_download(client, owner, household))
    assert row["started_at"] == "2026-11-19T22:30:00-05:00"
    assert row["day"] == "2026-11-19"


def test_rows_come_oldest_first_and_only_from_this_household(client, owner, household, other_household, animals):
    log(owner, household, [animals[0]], now=timezone.now(), ago=timedelta(hours=5), notes="first")
    log(owner, household, [animals[0]], now=timezone.now(), ago=timedelta(hours=2), notes="second")
    rows = list(session_rows(household))
    assert [r[-1] for r in rows[1:]] == ["first", "second"]
    assert all(r[2] != "Zanzibar" for r in rows)
