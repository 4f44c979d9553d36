"""An animal's chart reads its sessions in one query, however long the history: years of sessions stay fast."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gentling.models import Session
from gentling.web.views.animals import CHARTS
from tests.factories import log, make_animal

from .helpers import today

MOST_QUERIES = 10  # login session, keeper, household, membership checks, the animal, and the chart's own reads


def chart_queries(client, household, animal, name) -> list[str]:
    url = reverse("animal_chart", args=[household.public_id, animal.public_id, name])
    client.get(url)  # the day's first read may move the progress checkpoint up
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def log_days(keeper, household, animal, days_ago):
    for n in days_ago:
        log(
            keeper, household, [animal], now=timezone.now(), ago=timedelta(days=n, hours=2), observations=["took_treat"]
        )


def reads_of_sessions(queries: list[str]) -> list[str]:
    return [q for q in queries if f'FROM "{Session._meta.db_table}"' in q]


@pytest.mark.parametrize("name", CHARTS)
def test_a_chart_reads_the_sessions_in_one_query_however_many_there_are(client, owner, household, name):
    client.force_login(owner)
    animal = make_animal(household, today=today(), days_ago=40)
    log_days(owner, household, animal, range(30, 33))
    few = chart_queries(client, household, animal, name)

    log_days(owner, household, animal, range(1, 30))
    many = chart_queries(client, household, animal, name)

    assert len(many) == len(few) <= MOST_QUERIES
    assert len(reads_of_sessions(many)) <= 1


def test_the_animal_page_reads_progress_from_the_checkpoint(client, owner, household):
    client.force_login(owner)
    animal = make_animal(household, today=today(), days_ago=40)
    log_days(owner, household, animal, range(2, 33))
    url = reverse("animal", args=[household.public_id, animal.public_id])
    client.get(url)  # moves the checkpoint up to yesterday

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    sessions_read = reads_of_sessions([q["sql"] for q in queries.captured_queries])
    # The engine reads only today's records after the checkpoint; the page lists the latest sessions.
    assert sessions_read and all("LIMIT" in q or '"day" >' in q for q in sessions_read)
