"""meetings.csv: one row per introduction meeting, with the animals' names, the
behaviours seen and whether any was a danger sign."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.services.arrivals import log_meeting, start_introduction
from gentling.services.csv_export import MEETING_COLUMNS
from tests.factories import make_animal
from tests.web.helpers import today

from .helpers import csv_dicts, csv_rows, streamed

pytestmark = pytest.mark.django_db

HEADER = [
    "meeting_id",
    "introduction_id",
    "newcomers",
    "residents",
    "day",
    "started_at",
    "duration_seconds",
    "behaviours",
    "danger",
    "notes",
]


@pytest.fixture
def intro(owner, household):
    newcomers = [make_animal(household, today=today(), name=n, days_ago=60) for n in ("Basil", "Alfie")]
    residents = [make_animal(household, today=today(), name="Nutmeg", days_ago=90)]
    return start_introduction(
        keeper=owner,
        household=household,
        newcomers=newcomers,
        residents=residents,
        cage_name=None,
        day=today() - timedelta(days=3),
    )


def _download(client, keeper, household) -> bytes:
    client.force_login(keeper)
    return streamed(client.get(reverse("csv_download", args=[household.public_id, "meetings"])))


def test_the_header_is_the_documented_columns(client, owner, household):
    assert list(MEETING_COLUMNS) == HEADER
    assert csv_rows(_download(client, owner, household)) == [HEADER]


def test_one_row_per_meeting_with_danger_yes_or_no(client, owner, household, intro):
    now = timezone.now()
    calm = log_meeting(
        keeper=owner,
        intro=intro,
        started_at=now - timedelta(days=2),
        duration_seconds=1200,
        behaviours=["sniffing", "pinning"],
        notes="Calm enough",
        now=now,
    ).meeting
    rough = log_meeting(
        keeper=owner,
        intro=intro,
        started_at=now - timedelta(days=1),
        duration_seconds=300,
        behaviours=["sniffing", "lunging"],
        notes="",
        now=now,
    ).meeting
    first, second = csv_dicts(_download(client, owner, household))
    assert (first["meeting_id"], second["meeting_id"]) == (calm.public_id, rough.public_id)
    assert first["introduction_id"] == intro.public_id
    assert first["newcomers"] == "Alfie;Basil"
    assert first["residents"] == "Nutmeg"
    assert first["behaviours"] == "sniffing;pinning"
    assert (first["danger"], second["danger"]) == ("no", "yes")
    assert first["duration_seconds"] == "1200"
    assert first["day"] == calm.day.isoformat()
    assert first["started_at"].endswith("+00:00")
    assert first["notes"] == "Calm enough"


def test_another_households_meetings_are_not_included(client, outsider, other_household, intro, owner):
    now = timezone.now()
    log_meeting(
        keeper=owner,
        intro=intro,
        started_at=now - timedelta(hours=3),
        duration_seconds=600,
        behaviours=["sniffing"],
        notes="",
        now=now,
    )
    assert csv_rows(_download(client, outsider, other_household)) == [HEADER]
