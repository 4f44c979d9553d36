"""Every API list runs a number of queries that does not grow with its rows: the same with
1 item as with 50 (issue 13; /animals ran about 370 queries per 100 animals)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gentling.services.households import create_household, local_keeper
from tests.factories import log, make_animal, make_introductions, make_token

from .helpers import today

MANY = 50


def _animals(owner, household, n):
    for i in range(n):
        make_animal(household, today=today(), name=f"Rat {i:02}", days_ago=60, cage=f"Cage {i:02}")


def _newcomers(owner, household, n):
    # A quarantine protects the animals already home.
    make_animal(household, today=today(), name="Resident", days_ago=60)
    for i in range(n):
        make_animal(household, today=today(), name=f"Newcomer {i:02}", days_ago=2)


def _sessions(owner, household, n):
    rat = make_animal(household, today=today(), name="Whiskerina", days_ago=60)
    for i in range(n):
        log(owner, household, [rat], now=timezone.now(), ago=timedelta(hours=i + 1), minutes=3)


def _introductions(owner, household, n):
    make_introductions(owner, household, n, today=today())


def _households(owner, household, n):
    for i in range(n - 1):
        create_household(keeper=owner, name=f"Household {i:02}", time_zone="UTC")


LISTS = {
    "animals": ("/households/{hid}/animals?page_size=100", _animals),
    "cages": ("/households/{hid}/cages?page_size=100", _animals),
    "quarantines": ("/households/{hid}/quarantines?page_size=100", _newcomers),
    "sessions": ("/households/{hid}/sessions?page_size=100", _sessions),
    "introductions": ("/households/{hid}/introductions?page_size=100", _introductions),
    "households": ("/households?page_size=100", _households),
}


def _queries(db, name: str, n: int, api) -> tuple[int, int]:
    path, build = LISTS[name]
    owner = local_keeper(f"lister-{n}")
    household = create_household(keeper=owner, name=f"Lists {n}", time_zone="UTC")
    build(owner, household, n)
    token = make_token(owner, now=timezone.now())
    url = path.format(hid=household.public_id)
    api.get(url, token=token)  # warm: a first read stores checkpoints
    with CaptureQueriesContext(connection) as counted:
        answer = api.get(url, token=token)
    assert answer.status_code == 200, answer.content
    return len(counted), answer.json()["count"]


@pytest.mark.parametrize("name", LISTS)
def test_a_list_of_fifty_runs_as_many_queries_as_a_list_of_one(db, api, name):
    one, one_count = _queries(db, name, 1, api)
    many, many_count = _queries(db, name, MANY, api)
    assert (one_count, many_count) == (1, MANY)
    assert many == one, f"{name}: {one} queries for 1, {many} for {MANY}"
