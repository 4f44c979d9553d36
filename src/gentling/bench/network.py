"""`gentling bench network`: the `network` profile (10,000 households) as an organisation serves it
(issue 17, part 5; docs/deploy.md): `gentling serve --workers 4` on PostgreSQL, the four processes
sharing one Redis cache (GENTLING_CACHE_URL).

Three figures, from a second process on loopback:
- **Today**: the Today page of households picked at random (seeded), each opened twice by its
  owner, logged in: the first view and the second, median and p95.
- **Logging**: sessions/s over the API from 8 connections at once, each request for an animal
  of another household: a volunteer who cares for animals in many (the keeper is made a carer
  of the households picked, for the run). The median of the phases, with min and max, and every
  error.
- **The chart cache**: each picked household's first animal's page and its four charts, viewed
  twice. The first view of a chart draws it (or finds it drawn by another process); the second
  goes to whichever process the connection lands on. The hit rate is the share of second views
  answered from the cache (the `X-Gentling-Chart` header): with a cache in each process's own
  memory it would be about one in four.

It first runs the day's start (services/day_start.py), as `gentling remind` from cron does after each
midnight: freshly generated data has no checkpoints yet. Everything it adds (the volunteer, their
memberships and token, the sessions) is removed afterwards.
"""

from __future__ import annotations

import random
import time

from django.db import connection
from django.urls import reverse

from .. import clock
from ..models import Household, Membership, new_public_id
from ..services.api_tokens import create_token
from ..services.day_start import start_days
from ..services.households import local_keeper
from . import api_load
from .generate import household_name
from .measure import CHARTS, Browser
from .timing import Figures

WORKERS = 4
HOUSEHOLDS = 40  # picked at random for Today and the charts
LOGGING_HOUSEHOLDS = 100  # whose animals the volunteer logs for
ANIMALS_EACH = 5  # at most, of each of those households
CONNECTIONS = 8
VOLUNTEER = "bench-network-volunteer"
# Each process reads the day's plans of up to 5,000 animals as it starts (services/day_start.py),
# about 2 s each, 4 processes on the machine's cores: the measuring starts after that, as a
# keeper's first visit of the day comes long after midnight's run.
DAY_RUN_SECONDS = 10
MARKERS = ("<!-- bench network: start -->", "<!-- bench network: end -->")  # in docs/performance.md


def _homes():
    return Household.objects.filter(name=household_name("network"))


def generated() -> bool:
    return _homes().exists()


def measure_network(
    *, redis_url: str, seconds: float = 5, phases: int = 5, seed: int = 1, settle: float = DAY_RUN_SECONDS
) -> dict:
    if connection.vendor != "postgresql":
        raise api_load.BenchError("The network layout runs on PostgreSQL: set DATABASE_URL to a PostgreSQL database.")
    homes = list(_homes().order_by("pk"))
    if not homes:
        raise api_load.BenchError("No 'network' data here: run `gentling bench generate network` first.")
    # After the day's run, as `gentling remind` (cron) does after each midnight: every animal's
    # checkpoint at yesterday. Freshly generated data has none, and nothing is measured without it.
    start_days(clock.now())
    pick = random.Random(seed)
    viewed = pick.sample(homes, min(HOUSEHOLDS, len(homes)))
    logged = pick.sample(homes, min(LOGGING_HOUSEHOLDS, len(homes)))
    env = {**api_load.server_environment(VOLUNTEER), "GENTLING_CACHE_URL": redis_url}
    volunteer = local_keeper(VOLUNTEER)
    since = clock.now()
    note = f"bench-network-{new_public_id()}"
    animals = {h.pk: _animals(h)[:ANIMALS_EACH] for h in logged}
    ids = [f"{h.public_id}:{a.public_id}" for h in logged for a in animals[h.pk]]
    try:
        for h in logged:
            Membership.objects.create(keeper=volunteer, household=h, role=Membership.Role.CARER)
        token, raw = create_token(keeper=volunteer, name="bench network", now=since)
        load = api_load.LoadClient(logged[0], ids, raw, note)
        with api_load.server_process(env, api_load.free_port(), workers=WORKERS, settle=settle) as server:
            today = _today(server.base, viewed)
            charts = _charts(server.base, viewed)
            load.run(server, "throughput", api_load.WARMUP_SECONDS, "--connections", str(CONNECTIONS))
            runs = [load.run(server, "throughput", seconds, "--connections", str(CONNECTIONS)) for _ in range(phases)]
    finally:
        stored = sum(
            api_load.forget_bench_sessions(h, animals[h.pk], note=note, since=since) for h in logged if animals[h.pk]
        )
        volunteer.delete()  # with their memberships and token
    return {
        "households": len(homes),
        "workers": WORKERS,
        "cache": "redis",
        "today": today,
        "logging": {
            **api_load.phase_figures(runs),
            "sessions_acknowledged": load.acknowledged,
            "sessions_stored": stored,
        },
        "charts": charts,
    }


def _animals(h: Household) -> list:
    try:
        return api_load.bench_animals(h)
    except api_load.BenchError:  # a household whose animals all arrived today
        return []


def _today(base: str, homes: list[Household]) -> dict:
    first, second = [], []
    for h in homes:
        browser = Browser(base, h)
        page = reverse("today", args=[h.public_id])
        try:
            for into in (first, second):
                began = time.perf_counter()
                browser.get(page)
                into.append(time.perf_counter() - began)
        finally:
            browser.close()
    return {"first_view": Figures.of(first).to_dict(), "second_view": Figures.of(second).to_dict()}


def _charts(base: str, homes: list[Household]) -> dict:
    outcomes: dict[str, list[str]] = {"first": [], "second": []}
    for h in homes:
        found = _animals(h)
        if not found:
            continue
        animal = found[0]
        browser = Browser(base, h)
        urls = [reverse("animal_chart", args=[h.public_id, animal.public_id, name]) for name in CHARTS]
        try:
            for view in ("first", "second"):
                browser.get(reverse("animal", args=[h.public_id, animal.public_id]))
                for url in urls:
                    browser.get(url)
                    outcomes[view].append(browser.last_headers.get("X-Gentling-Chart", ""))
        finally:
            browser.close()
    second = outcomes["second"]
    return {
        "charts": len(second),
        "first_view_cached": outcomes["first"].count("cached"),
        "second_view_cached": second.count("cached"),
        "hit_rate_second_view": round(second.count("cached") / max(len(second), 1), 3),
    }


def rows(found: dict) -> list[tuple[str, str]]:
    """The figures as (name, value) lines, for the terminal and docs/performance.md."""
    today, logging, charts = found["today"], found["logging"], found["charts"]
    errors = sum(logging["errors"].values())
    spread = f"{logging['min_rps']:.0f}-{logging['max_rps']:.0f}, {logging['phases']} phases"
    return [
        ("households", f"{found['households']:,}, served by {found['workers']} processes"),
        (
            "Today page, first view (median / p95)",
            f"{today['first_view']['median_ms']:.0f} / {today['first_view']['p95_ms']:.0f} ms",
        ),
        (
            "Today page, second view",
            f"{today['second_view']['median_ms']:.0f} / {today['second_view']['p95_ms']:.0f} ms",
        ),
        (
            f"API logging, {logging['connections']} connections, {LOGGING_HOUSEHOLDS} households",
            f"{logging['median_rps']:.0f}/s ({spread})",
        ),
        ("API errors", str(errors)),
        ("sessions acknowledged / stored", f"{logging['sessions_acknowledged']:,} / {logging['sessions_stored']:,}"),
        (
            "charts from the shared cache, second view",
            f"{charts['hit_rate_second_view']:.0%} ({charts['second_view_cached']} of {charts['charts']})",
        ),
    ]
