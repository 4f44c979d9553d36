"""A chart is kept in the cache under the animal's records revision, and is never stale (issue 17,
part 2): after each session logged, edited or deleted, each health check and each change of the
animal's facts, the next view draws it afresh and shows the change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gentling.domain.validation import SessionInput
from gentling.models import ProgressSnapshot
from gentling.services.animals import AnimalDetails, edit_animal
from gentling.services.arrivals import record_health_check
from gentling.services.sessions import delete_session, edit_session
from tests.factories import log, make_animal

from .helpers import today


@pytest.fixture
def rat(household):
    return make_animal(household, today=today(), name="Pip", source="breeder", days_ago=20)


def chart(client, household, rat, name):
    response = client.get(reverse("animal_chart", args=[household.public_id, rat.public_id, name]))
    assert response.status_code == 200
    found = re.search(r"<desc[^>]*>(.*?)</desc>", response.content.decode(), re.S)
    return response["X-Gentling-Chart"], found.group(1).strip() if found else ""


def test_a_chart_is_kept_until_its_animals_records_change_and_never_stale(client, owner, household, rat):
    client.force_login(owner)
    drawn, before = chart(client, household, rat, "sessions")
    assert drawn == "drawn" and "No sessions yet" in before
    assert chart(client, household, rat, "sessions") == ("cached", before)

    now = timezone.now()
    (logged,) = log(owner, household, [rat], now=now, observations=["froze"])
    kept, after_log = chart(client, household, rat, "sessions")
    assert kept == "drawn" and ": 1 sessions" in after_log
    assert "1 fear signs" in chart(client, household, rat, "signs")[1]

    start = now - timedelta(hours=3)
    entry = SessionInput(start, start + timedelta(minutes=5), ["talked"], [], ["relaxed"])
    edit_session(keeper=owner, household=household, public_id=logged.session.public_id, entry=entry, now=now)
    kept, signs = chart(client, household, rat, "signs")
    assert kept == "drawn" and "1 comfort signs and 0 fear signs" in signs

    delete_session(keeper=owner, household=household, public_id=logged.session.public_id, now=now)
    assert chart(client, household, rat, "sessions") == ("drawn", before)

    record_health_check(keeper=owner, animal=rat, day=today(), signs=["red_tears"], now=now)
    assert chart(client, household, rat, "steps")[0] == "drawn"

    log(owner, household, [rat], now=now)
    assert f"From {(today() - timedelta(days=20)).isoformat()}" in chart(client, household, rat, "sessions")[1]
    edit_animal(
        keeper=owner, animal=rat, details=AnimalDetails(arrival_date=today() - timedelta(days=5)), today=today()
    )
    kept, shorter = chart(client, household, rat, "sessions")
    assert kept == "drawn" and f"From {(today() - timedelta(days=5)).isoformat()}" in shorter


def test_the_page_asks_for_each_chart_by_its_version_which_a_browser_may_keep(client, owner, household, rat):
    client.force_login(owner)
    page = reverse("animal", args=[household.public_id, rat.public_id])

    def chart_address() -> str:
        found = re.search(r'src="([^"]*/charts?/sessions[^"]*)"', client.get(page).content.decode())
        assert found, "the page shows the sessions chart"
        return found.group(1).replace("&amp;", "&")

    first = chart_address()
    assert "?v=" in first
    assert client.get(first)["Cache-Control"] == "private, max-age=86400, immutable"
    log(owner, household, [rat], now=timezone.now())
    second = chart_address()
    assert second != first  # the session changed what the chart shows, so its address
    old = client.get(first)
    assert old["Cache-Control"] == "private, max-age=60"  # an out-of-date address is not kept long
    assert ": 1 sessions" in re.search(r"<desc[^>]*>(.*?)</desc>", old.content.decode(), re.S).group(1)
    assert client.get(second)["Cache-Control"] == "private, max-age=86400, immutable"


def test_a_kept_chart_is_served_from_one_read_of_the_animal_with_its_revision(client, owner, household, rat):
    client.force_login(owner)
    ProgressSnapshot.objects.filter(animal=rat).delete()  # as for an animal none has read yet
    assert chart(client, household, rat, "holds")[0] == "drawn"
    assert ProgressSnapshot.objects.filter(animal=rat).exists()
    with CaptureQueriesContext(connection) as served:
        assert chart(client, household, rat, "holds")[0] == "cached"
    read = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in served.captured_queries]
    # The login, the keeper, the membership, then the animal joined with its progress snapshot.
    assert read == ["django_session", "auth_user", "gentling_membership", "gentling_animal"]
    assert "gentling_progresssnapshot" in served.captured_queries[-1]["sql"]
