"""The benchmark figures of issue 6, measured on the database this process uses.

`gentling bench run` calls this once per database (SQLite, then PostgreSQL),
each in its own process. Every item prints a median and a 95th percentile;
items (1) and (4) also time the cheapest raw SQL that fetches the same data,
so the ratio shows how close Gentling comes to the limit the database sets.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from .. import clock
from ..models import Animal, HealthCheck, Household, ProgressSnapshot, Session
from ..services import calendar
from ..services.progress import local_today
from ..services.today import today_for_household
from . import api_load, serving
from .generate import household_name
from .timing import Figures, time_calls

CHARTS = ("holds", "sessions", "signs", "steps")


def bench_household(profile: str) -> Household:
    household = Household.objects.filter(name=household_name(profile)).first()
    if household is None:
        raise api_load.BenchError(f"No '{profile}' data here: run `gentling bench generate {profile}` first.")
    return household


def plan_service(household: Household, runs: int) -> Figures:
    """(1), (2) at the service level: everything the Today page shows, from the services."""
    day = local_today(household, clock.now())
    return time_calls(lambda: today_for_household(household, day), runs=runs)


def plan_raw_sql(household: Household, runs: int) -> Figures:
    """The cheapest SQL for the same data: the active animals with their checkpoints, and today's records."""
    day = local_today(household, clock.now())
    a, s, h, p = (m._meta.db_table for m in (Animal, Session, HealthCheck, ProgressSnapshot))
    queries = [
        (
            f"SELECT {a}.*, {p}.checkpoint_day, {p}.checkpoint FROM {a} LEFT JOIN {p} ON {p}.animal_id = {a}.id "
            f"WHERE {a}.household_id = %s AND {a}.status = 'active' AND {a}.arrival_date <= %s",
            [household.pk, day],
        ),
        (
            f"SELECT {s}.* FROM {s} JOIN {a} ON {a}.id = {s}.animal_id WHERE {a}.household_id = %s AND {s}.day = %s",
            [household.pk, day],
        ),
        (
            f"SELECT {h}.* FROM {h} JOIN {a} ON {a}.id = {h}.animal_id WHERE {a}.household_id = %s AND {h}.day = %s",
            [household.pk, day],
        ),
    ]
    return time_calls(lambda: _fetch_all(queries), runs=runs)


def plan_rebuild(household: Household) -> float:
    """Seconds for today's plan with every checkpoint dropped: a full replay of all history (one run).
    This is what a protocol upgrade costs once; the next read is quick again."""
    ProgressSnapshot.objects.filter(animal__household=household).update(checkpoint=None, checkpoint_day=None)
    began = time.perf_counter()
    today_for_household(household, local_today(household, clock.now()))
    return time.perf_counter() - began


def longest_history(household: Household) -> Animal:
    return (
        Animal.objects.filter(household=household)
        .annotate(n=Count("sessions"))
        .order_by("arrival_date", "-n", "pk")
        .first()
    )


def animal_raw_sql(animal: Animal, runs: int) -> Figures:
    """The cheapest SQL for an animal page with charts: the animal, all its sessions and health checks."""
    a, s, h = (m._meta.db_table for m in (Animal, Session, HealthCheck))
    queries = [
        (f"SELECT * FROM {a} WHERE id = %s", [animal.pk]),
        (f"SELECT * FROM {s} WHERE animal_id = %s", [animal.pk]),
        (f"SELECT * FROM {h} WHERE animal_id = %s", [animal.pk]),
    ]
    return time_calls(lambda: _fetch_all(queries), runs=runs)


def _fetch_all(queries: list[tuple[str, list]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            cursor.fetchall()


class Browser:
    """Keep-alive GETs to the running server as the household's owner (a real login session)."""

    def __init__(self, base: str, household: Household):
        client = Client()
        client.force_login(api_load.owner_of(household))
        self.cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
        url = urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.last_headers: dict[str, str] = {}  # of the last answer

    def get(self, path: str) -> bytes:
        try:
            answer = self._send(path)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # the server closes a connection idle for its keep-alive time; open a new one
            answer = self._send(path)
        body = answer.read()
        self.last_headers = dict(answer.getheaders())
        if answer.status != 200:
            raise api_load.BenchError(f"GET {path} answered {answer.status}")
        return body

    def _send(self, path: str) -> http.client.HTTPResponse:
        self.conn.request("GET", path, headers={"Cookie": self.cookie})
        return self.conn.getresponse()

    def close(self) -> None:
        self.conn.close()


def http_figures(household: Household, animal: Animal, small: Household, runs: int) -> dict:
    """(1), (2) and (4) as full HTTP requests to `gentling serve` (gunicorn, 2 workers), one after another
    on one keep-alive connection, logged in as the owner. Today's page of a household this big lists its
    cages (each opens on its own page); the API's today answer carries every animal's plan."""
    env = api_load.server_environment(api_load.owner_of(household).username)
    with api_load.running_server(env, api_load.free_port(), settle=api_load.SETTLE_SECONDS) as base:
        browser = Browser(base, household)
        small_browser = Browser(base, small)
        try:
            today_page = reverse("today", args=[household.public_id])
            animal_page = reverse("animal", args=[household.public_id, animal.public_id])
            charts = [reverse("animal_chart", args=[household.public_id, animal.public_id, c]) for c in CHARTS]

            def page_with_charts():
                browser.get(animal_page)
                for chart in charts:
                    browser.get(chart)

            today_api = f"/api/v1/households/{household.public_id}/today"
            return {
                "plan_http": time_calls(lambda: browser.get(today_page), runs=runs).to_dict(),
                "plan_api_http": time_calls(lambda: browser.get(today_api), runs=runs).to_dict(),
                "plan_small_http": time_calls(
                    lambda: small_browser.get(reverse("today", args=[small.public_id])), runs=runs
                ).to_dict(),
                "animal_page_http": time_calls(lambda: browser.get(animal_page), runs=runs).to_dict(),
                "animal_page_with_charts_http": time_calls(page_with_charts, runs=runs).to_dict(),
                "chart_http": {
                    c: time_calls(lambda u=u: browser.get(u), runs=runs).to_dict()
                    for c, u in zip(CHARTS, charts, strict=False)
                },
                "animal_page_with_charts_cold_http": _cold_page_with_charts(env, household, animal_page, charts, runs),
            }
        finally:
            browser.close()
            small_browser.close()


FIRST_TODAY_PROCESSES = 5  # fresh server processes, one first Today each


def first_today(household: Household, small: Household) -> dict:
    """(1) Today's page as the first read of the day in a fresh server process, after the day's run
    (services/day_start.py: `gentling remind` after midnight, and the server's own round as it
    starts). Each process first serves the small household's Today, so that only this household's
    first read is timed, not the process's."""
    from time import perf_counter

    from ..services.day_start import start_days

    start_days(clock.now())
    env = api_load.server_environment(api_load.owner_of(household).username)
    page, warm = (reverse("today", args=[h.public_id]) for h in (household, small))
    seconds = []
    for _ in range(FIRST_TODAY_PROCESSES):
        # The day's plans are read as the process starts; a keeper's first visit comes after that.
        with api_load.running_server(env, api_load.free_port(), workers=1, settle=api_load.SETTLE_SECONDS) as base:
            warmer, browser = Browser(base, small), Browser(base, household)
            try:
                warmer.get(warm)
                began = perf_counter()
                browser.get(page)
                seconds.append(perf_counter() - began)
            finally:
                warmer.close()
                browser.close()
    return Figures.of(seconds).to_dict()


def _cold_page_with_charts(env: dict[str, str], household: Household, page: str, charts: list[str], runs: int) -> dict:
    """The animal page with its charts drawn on every view, as after a session logged: a server
    with the chart cache off (GENTLING_CACHE_URL=none)."""
    with api_load.running_server(
        {**env, "GENTLING_CACHE_URL": "none"}, api_load.free_port(), settle=api_load.SETTLE_SECONDS
    ) as base:
        browser = Browser(base, household)
        try:

            def cold():
                browser.get(page)
                for chart in charts:
                    browser.get(chart)

            return time_calls(cold, runs=runs).to_dict()
        finally:
            browser.close()


FIRST_FETCH_TIMEOUT = 300  # seconds: gunicorn's own limit for a request (server.SYNC_TIMEOUT_SECONDS)


def calendar_figures(household: Household, runs: int) -> dict:
    """(issue 15) The owner's calendar feed of the rescue, over HTTP: the first fetch builds it (15
    days of every animal's plan), and every fetch after answers from its cache until a change."""
    owner = api_load.owner_of(household)
    feed = calendar.new_feed(keeper=owner, household=household, now=clock.now())
    path = reverse("calendar_feed", args=[feed.token])
    env = api_load.server_environment(owner.username)
    with api_load.running_server(env, api_load.free_port()) as base:
        browser = Browser(base, household)
        # Building 15 days of a rescue's plan may take minutes on a slow or loaded machine (a
        # shifted clock, a CI run): the first fetch may wait as long as the server lets it.
        browser.conn.timeout = FIRST_FETCH_TIMEOUT
        try:
            began = time.perf_counter()
            body = browser.get(path)
            first_ms = (time.perf_counter() - began) * 1000
            cached = time_calls(lambda: browser.get(path), runs=runs)
        finally:
            browser.close()
    return {"first_fetch_ms": round(first_ms, 1), "bytes": len(body), "cached_http": cached.to_dict()}


def cli_today(household: Household, runs: int) -> Figures:
    """(5) `gentling today` as a whole process, Python start-up included."""
    env = api_load.server_environment(api_load.owner_of(household).username)
    command = [_gentling(), "today", "--household", household.name]

    def once():
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if done.returncode != 0:
            raise api_load.BenchError(f"gentling today failed: {done.stderr.decode()[-2000:]}")

    return time_calls(once, runs=runs, warmup=1)


def export_import(household: Household, scratch: Path, import_env: dict[str, str]) -> dict:
    """(6) A full export of the household, then its import into an empty database, each in its own process."""
    env = api_load.server_environment(api_load.owner_of(household).username)
    backup = scratch / "rescue-backup.json"
    exported = _timed_process([_gentling(), "export", str(backup), "--household", household.name], env)
    exported["file_bytes"] = backup.stat().st_size
    import_env = {**{k: v for k, v in env.items() if k not in ("DATABASE_URL", "GENTLING_HOME")}, **import_env}
    _empty_database(import_env)
    try:
        imported = _timed_process([_gentling(), "import", str(backup)], import_env)
    finally:
        _empty_database(import_env, create=False)
        backup.unlink(missing_ok=True)
    return {"export": exported, "import": imported, "file_mb": round(exported.pop("file_bytes") / 2**20, 1)}


def _empty_database(env: dict[str, str], *, create: bool = True) -> None:
    """The import's own database, made empty (a folder for SQLite, a database beside this one for PostgreSQL)."""
    if "DATABASE_URL" not in env:
        shutil.rmtree(env["GENTLING_HOME"], ignore_errors=True)
        return
    name = dj_database_url.parse(env["DATABASE_URL"])["NAME"]
    if name == connection.settings_dict["NAME"]:
        raise api_load.BenchError("The import needs its own database, not the one measured.")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')


def _timed_process(command: list[str], env: dict[str, str]) -> dict:
    """Wall time and peak resident memory of one child process.

    The peak is the child's own high-water mark (VmHWM in /proc), read while it runs:
    the rusage of a child counts the parent's memory at the fork, and this process is big."""
    began = time.perf_counter()
    peak_kb = 0
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
        while proc.poll() is None:
            peak_kb = max(peak_kb, _high_water_kb(proc.pid))
            time.sleep(0.05)
        if proc.returncode != 0:
            err.seek(0)
            raise api_load.BenchError(f"{' '.join(command[1:3])} failed: {err.read().decode()[-2000:]}")
    return {"seconds": round(time.perf_counter() - began, 2), "peak_mb": round(peak_kb / 1024, 1)}


def _high_water_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass  # it has just ended
    return 0


def _gentling() -> str:
    found = Path(sys.executable).with_name("gentling")
    return str(found) if found.exists() else "gentling"


# The outside lock is held 5 times a load phase: 25 s by default, as in the experiment.
OUTSIDE_LOCK_HOLD = 5


def measure(
    *, runs: int, seconds: float, scratch: Path, import_env: dict[str, str], only: set[str] | None = None
) -> dict:
    """Every figure for this database, as plain values (see `gentling bench run`)."""
    rescue, small = bench_household("rescue"), bench_household("rescue-1pct")
    animal = longest_history(rescue)

    def want(item: str) -> bool:
        return only is None or item in only

    out: dict = {
        "database": connection.vendor,
        "measured_at": clock.now().isoformat(timespec="seconds"),
        "rescue": {
            "animals": rescue.animals.count(),
            "sessions": Session.objects.filter(animal__household=rescue).count(),
        },
        "rescue_1pct": {
            "animals": small.animals.count(),
            "sessions": Session.objects.filter(animal__household=small).count(),
        },
        "animal": {
            "name": animal.name,
            "sessions": animal.sessions.count(),
            "days": (local_today(rescue, clock.now()) - animal.arrival_date).days,
        },
    }
    if want("plan"):
        out["plan_rebuild_seconds"] = round(plan_rebuild(rescue), 2)
        out["plan_service"] = plan_service(rescue, runs).to_dict()
        out["plan_small_service"] = plan_service(small, runs).to_dict()
        out["plan_raw_sql"] = plan_raw_sql(rescue, runs).to_dict()
    if want("animal"):
        out["animal_raw_sql"] = animal_raw_sql(animal, runs).to_dict()
    if want("plan") or want("animal"):
        out.update(http_figures(rescue, animal, small, runs))
    if want("plan"):
        out["plan_first_http"] = first_today(rescue, small)
    if want("api"):
        out["api"] = api_load.measure_session_logging(rescue, seconds=seconds)
    if want("slow-clients"):
        out["slow_clients"] = serving.measure_slow_clients(rescue)
    if want("outside-lock"):
        out["outside_lock"] = serving.measure_outside_lock(rescue, hold_seconds=seconds * OUTSIDE_LOCK_HOLD)
    if want("calendar"):
        out["calendar"] = calendar_figures(rescue, runs)
    if want("cli"):
        out["cli_today"] = cli_today(rescue, max(5, runs // 2)).to_dict()
    if want("backup"):
        out["backup"] = export_import(rescue, scratch, import_env)
    return out
