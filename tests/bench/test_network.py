"""`gentling bench network` (issue 17, part 5): 4 processes on PostgreSQL sharing a Redis cache.
It runs in CI's PostgreSQL pass; on SQLite it says plainly that the layout needs PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from gentling.bench import network
from gentling.bench.api_load import BenchError
from gentling.bench.generate import household_name
from gentling.models import Membership, Session
from tests.conftest import REDIS_URL


def test_the_layout_needs_postgresql(db):
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the layout is measured below")
    with pytest.raises(BenchError, match="runs on PostgreSQL"):
        network.measure_network(redis_url=REDIS_URL)


@pytest.mark.slow
def test_three_households_on_four_processes_with_a_shared_cache(file_db, redis_cache, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the network layout runs on PostgreSQL (CI's second pass)")
    from gentling.services.households import create_household, local_keeper
    from tests.factories import log, make_animal

    monkeypatch.setenv("GENTLING_SECRET_KEY", settings.SECRET_KEY)  # the servers check the test's logins
    now = timezone.now()
    for n in range(3):
        owner = local_keeper(f"bench-network-owner-{n}")
        h = create_household(keeper=owner, name=household_name("network"), time_zone="Europe/London")
        animals = [make_animal(h, today=now.date(), name=f"Rat{n}{i}", source="breeder", days_ago=6) for i in range(2)]
        for days in (3, 2, 1):
            log(owner, h, animals, now=now, ago=timedelta(days=days), notes="history")
    before = Session.objects.count()

    found = network.measure_network(redis_url=REDIS_URL, seconds=0.5, phases=2, settle=1)

    assert found["households"] == 3 and found["workers"] == 4
    assert found["today"]["first_view"]["runs"] == found["today"]["second_view"]["runs"] == 3
    logging = found["logging"]
    assert logging["median_rps"] > 0 and logging["errors"] == {}
    assert logging["sessions_stored"] == logging["sessions_acknowledged"] > 0
    charts = found["charts"]
    assert charts["charts"] == 12 and charts["hit_rate_second_view"] == 1.0  # every process shares the cache
    assert Session.objects.count() == before  # what it logged is gone again, with the volunteer
    assert not Membership.objects.filter(keeper__username=network.VOLUNTEER).exists()
    lines = dict(network.rows(found))
    assert lines["charts from the shared cache, second view"] == "100% (12 of 12)"


def test_the_command_says_what_it_needs(db, monkeypatch, capsys):
    from gentling.cli.main import main

    monkeypatch.delenv("GENTLING_BENCH_REDIS_URL", raising=False)
    assert main(["bench", "network"]) != 0
    said = capsys.readouterr()
    assert "Give --redis-url redis://HOST:PORT/DB" in said.err + said.out
    assert main(["bench", "network", "--redis-url", REDIS_URL, "--phases", "0"]) != 0
    said = capsys.readouterr()
    assert "Give 1 to 50 --phases" in said.err + said.out
