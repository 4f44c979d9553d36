"""A name or note a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.models import Session
from gentling.services.csv_export import csv_lines, safe_cell
from gentling.services.households import add_member, local_keeper
from tests.factories import log, make_animal
from tests.web.helpers import today

from .helpers import csv_dicts, csv_rows, streamed


@pytest.mark.parametrize(
    "value, shown",
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+SUM(1,2)", "'+SUM(1,2)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Whiskers", "Whiskers"),
        ("a=b", "a=b"),
        ("", ""),
        (12, 12),
        (-5, -5),  # numbers are numbers, not text
    ],
)
def test_safe_cell(value, shown):
    assert safe_cell(value) == shown


def test_quotes_commas_and_new_lines_survive_a_round_trip():
    rows = [("note_id", "notes"), ("abc", 'He said "hi", then\nleft; =1')]
    text = "".join(csv_lines(rows))
    assert csv_rows(text) == [["note_id", "notes"], ["abc", 'He said "hi", then\nleft; =1']]


def test_an_id_that_starts_with_a_dash_is_escaped_like_any_cell():
    """Ids may hold '-' and '_'; one restored from an older backup may start with '-'."""
    text = "".join(csv_lines([("session_id", "animal_name"), ("-Gr9jw", "-Gr9jw"), ("Gr9-jw", "Gr9-jw")]))
    assert csv_rows(text)[1:] == [["'-Gr9jw", "'-Gr9jw"], ["Gr9-jw", "Gr9-jw"]]


@pytest.mark.django_db
def test_a_hostile_name_note_and_keeper_download_as_text(client, owner, household):
    evil = local_keeper("@evil")
    add_member(by=owner, household=household, keeper=evil, role="carer")
    rat = make_animal(household, today=today(), name="=cmd|' /C calc'!A0", days_ago=20)
    log(evil, household, [rat], now=timezone.now(), notes='+HYPERLINK("http://x")')
    Session.objects.update(alerts=[{"code": "=1+1", "level": "caution", "message": "x"}])  # as a restored file might
    client.force_login(owner)
    response = client.get(reverse("csv_download", args=[household.public_id, "sessions"]))
    (row,) = csv_dicts(streamed(response))
    assert row["animal_name"] == "'=cmd|' /C calc'!A0"
    assert row["notes"] == '\'+HYPERLINK("http://x")'
    assert row["keeper"] == "'@evil"
    assert row["alerts"] == "'=1+1"


@pytest.mark.django_db
def test_downloaded_ids_that_start_with_a_dash_are_escaped(client, owner, household):
    rat = make_animal(household, today=today(), name="Whiskers", days_ago=20)
    log(owner, household, [rat], now=timezone.now())
    Session.objects.update(public_id="-S3ssion")  # as a backup from before ids avoided a leading '-' might hold
    type(rat).objects.filter(pk=rat.pk).update(public_id="=Anim4l")  # not a real id; every cell is guarded
    client.force_login(owner)
    response = client.get(reverse("csv_download", args=[household.public_id, "sessions"]))
    (row,) = csv_dicts(streamed(response))
    assert (row["session_id"], row["animal_id"]) == ("'-S3ssion", "'=Anim4l")
