"""Benchmark item 7: other keepers' latency while the server is held up, on the default
`gentling serve` (one process, the layout phones reach directly).

- *Slow clients*: the same GET from 4 connections, first with nothing else going
  on, then while 50 idle connections and 10 clients sending a body at 10 bytes a
  second are held open (bench/hostile.py). The figure is the ratio of the two
  p99s; the issue's goal is at most 2.
- *Outside lock* (SQLite only): a keeper's Today, read every 0.2 s while another
  process holds the database's write lock for 25 s and 8 clients post sessions
  in a loop, each sent again as soon as it is refused; then the lock is let go,
  and the writers go on for 2 s. The goal: every Today under 1 s (sqlite/base.py
  says how); and every session acknowledged (201) is stored once.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection

from .. import clock
from ..models import ApiToken, Household, new_public_id
from ..services.api_tokens import create_token
from . import api_load
from .hostile import OutsideWriter, answer_times, hostile_clients, writers_in_a_loop
from .timing import Figures

HOST = "127.0.0.1"
AFTER_SECONDS = 2.0


def measure_slow_clients(household: Household, *, requests: int = 100) -> dict:
    owner = api_load.owner_of(household)
    token, raw = create_token(keeper=owner, name="bench slow clients", now=clock.now())
    reads = "/api/v1/households"  # a cheap read: the figure is the server's, not the page's
    writes = f"/api/v1/households/{household.public_id}/sessions"
    port = api_load.free_port()
    try:
        with api_load.running_server(api_load.server_environment(owner.username), port, workers=1):
            answer_times(HOST, port, reads, token=raw, requests=5)  # warm up
            quiet, quiet_failed = answer_times(HOST, port, reads, token=raw, requests=requests)
            with hostile_clients(HOST, port, path=writes, token=raw) as held:
                busy, busy_failed = answer_times(HOST, port, reads, token=raw, requests=requests)
    finally:
        ApiToken.objects.filter(pk=token.pk).delete()
    quiet_figures, busy_figures = Figures.of(quiet), Figures.of(busy)
    return {
        "quiet": quiet_figures.to_dict(),
        "held": busy_figures.to_dict(),
        "idle": len(held.idle),
        "slow": len(held.slow),
        "refused": held.refused,
        "failed": len(quiet_failed) + len(busy_failed),
        "p99_ratio": round(busy_figures.p99_ms / quiet_figures.p99_ms, 2),
    }


def measure_outside_lock(household: Household, *, hold_seconds: float = 25, writers: int = 8) -> dict | None:
    """Today's times while another process holds SQLite's write lock; None on another database."""
    if connection.vendor != "sqlite":
        return None
    owner = api_load.owner_of(household)
    animals = api_load.bench_animals(household)
    since = clock.now()
    note = f"bench-outside-lock-{new_public_id()}"
    token, raw = create_token(keeper=owner, name="bench outside lock", now=since)
    today = f"/api/v1/households/{household.public_id}/today"
    session = {
        "animals": [animals[0].public_id],
        "started_at": (since - timedelta(minutes=10)).isoformat(),
        "duration_seconds": 60,
        "activities": ["talked"],
        "notes": note,
    }
    port = api_load.free_port()
    times: list[float] = []
    failed: list[str] = []
    try:
        with api_load.running_server(api_load.server_environment(owner.username), port, workers=1):
            answer_times(HOST, port, today, token=raw, clients=1, requests=5)  # warm up
            path = f"/api/v1/households/{household.public_id}/sessions"
            # The lock is taken before the writers start: a flood of quick writes could starve its wait.
            outside = OutsideWriter(str(connection.settings_dict["NAME"]))
            try:
                with writers_in_a_loop(HOST, port, path=path, token=raw, body=session, writers=writers) as writes:
                    held_until = time.monotonic() + hold_seconds
                    while time.monotonic() < held_until:
                        took, failures = answer_times(HOST, port, today, token=raw, clients=1, requests=1)
                        times += took
                        failed += failures
                        time.sleep(0.2)
                    outside.release()
                    time.sleep(AFTER_SECONDS)  # the writers go on a moment, and are saved again
            finally:
                outside.release()
    finally:
        stored = api_load.forget_bench_sessions(household, animals, note=note, since=since)
        ApiToken.objects.filter(pk=token.pk).delete()
    return {
        "held_seconds": hold_seconds,
        "writers": writers,
        "today": Figures.of(times).to_dict(),
        "today_max_ms": round(max(times) * 1000, 1),
        "today_failed": len(failed),
        "writes": dict(sorted(writes.answers.items())),
        "sessions_acknowledged": writes.answers.get("201", 0),
        "sessions_stored": stored,
    }
