"""Every page that shows a list runs a number of queries that does not grow with its rows:
the same with 1 row as with 50 (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gentling.services.households import add_member, create_household, local_keeper
from tests.factories import log, make_animal, make_introductions

from .helpers import today

MANY = 50


def _animals(owner, household, n):
    for i in range(n):
        make_animal(household, today=today(), name=f"Rat {i:02}", days_ago=60, cage=f"Cage {i:02}")
    return None


def _sessions(owner, household, n):
    rat = make_animal(household, today=today(), name="Whiskerina", days_ago=60)
    for i in range(n):
        log(owner, household, [rat], now=timezone.now(), ago=timedelta(hours=i + 1))
    return rat.public_id


def _introductions(owner, household, n):
    make_introductions(owner, household, n, today=today())


def _households(owner, household, n):
    for i in range(n - 1):
        create_household(keeper=owner, name=f"Household {i:02}", time_zone="UTC")
    return None


def _people(owner, household, n):
    for i in range(n - 1):
        add_member(by=owner, household=household, keeper=local_keeper(f"carer-{n}-{i}"), role="carer")
    return None


PAGES = {
    "today": (lambda hid, _: reverse("today", args=[hid]), _animals),
    "overview": (lambda hid, _: reverse("overview", args=[hid]), _animals),
    "cages": (lambda hid, _: reverse("cages", args=[hid]), _animals),
    "animal page, its sessions": (lambda hid, aid: reverse("animal", args=[hid, aid]), _sessions),
    "introductions": (lambda hid, _: reverse("introductions", args=[hid]), _introductions),
    "households": (lambda hid, _: reverse("households"), _households),
    "people": (lambda hid, _: reverse("members", args=[hid]), _people),
}


def _queries(client, name: str, n: int) -> int:
    url_of, build = PAGES[name]
    owner = local_keeper(f"pages-{n}")
    household = create_household(keeper=owner, name=f"Pages {n}", time_zone="UTC")
    aid = build(owner, household, n)
    client.force_login(owner)
    url = url_of(household.public_id, aid)
    assert client.get(url).status_code == 200  # warm: a first read stores checkpoints
    with CaptureQueriesContext(connection) as counted:
        assert client.get(url).status_code == 200
    return len(counted)


@pytest.mark.parametrize("name", PAGES)
def test_a_page_of_fifty_rows_runs_as_many_queries_as_a_page_of_one(db, client, name):
    one, many = _queries(client, name, 1), _queries(client, name, MANY)
    assert many == one, f"{name}: {one} queries for 1 row, {many} for {MANY}"
