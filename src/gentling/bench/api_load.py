"""Benchmark item 3: logging sessions over the REST API, from a second process on loopback.

`measure_session_logging` starts the real server (`gentling serve --workers 2`,
gunicorn's processes as behind the deploy guide's proxy) on the database this process uses,
loads it with `gentling.bench.load`
(a closed loop for throughput, then an open loop at a steady rate for latency),
stops it, and leaves the data as it found it: the token it made and the sessions
it logged are deleted, and the progress cache of the animals it used is told,
as deleting a session through the service does.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import dj_database_url
from django.db import connection, transaction
from django.db.models import Min

from .. import clock
from ..models import Animal, ApiToken, Household, Membership, Session, new_public_id
from ..services.api_tokens import create_token
from ..services.progress import local_today, records_changed
from .load import TOKEN_ENV

# Logging replays the animal's records since its last checkpoint (the end of yesterday), so its cost grows
# with that animal's sessions of the day: the load is spread over as many animals as a rescue keeps.
MAX_ANIMALS = 500
WORKERS = 2
WARMUP_SECONDS = 1.0
# Enough connections for the rate even when answers take this long; only slower ones queue in the client
# (and that queueing is counted: latency runs from each request's due time).
RATE_SLACK_SECONDS = 0.3
STARTUP_SECONDS = 60
STOP_SECONDS = 30
# settings.py keeps the SQLite database under this name in GENTLING_HOME; the server finds it only there.
SQLITE_FILE = "gentling.sqlite3"


class BenchError(Exception):
    """The measurement could not be made (no animals, a database the server cannot open, a server that died)."""


# Each server process reads the day's plans as it starts (services/day_start.py; under a second
# for the rescue): the figures are of a server past that, as a keeper meets it.
SETTLE_SECONDS = 5
CLIENTS = (1, 8, 32)  # concurrent clients the throughput is measured with; 8 is the headline figure
PHASES = 5  # each throughput is the median of this many phases (one phase swings by +-15%)


def measure_session_logging(
    household: Household,
    *,
    port: int | None = None,
    seconds: float = 5,
    rate: float = 100,
    concurrency: int = 8,
    clients: tuple[int, ...] = CLIENTS,
    phases: int = PHASES,
) -> dict:
    """Sessions/s with each number of `clients` (the median of `phases` phases of `seconds`, with min
    and max; `concurrency` is the headline one), and latency at a steady `rate`, with 2 server workers."""
    if connection.in_atomic_block:
        raise BenchError("Run outside a transaction: the server process must see the token and the animals.")
    owner = owner_of(household)
    animals = bench_animals(household)
    env = server_environment(owner.username)
    note = f"bench-load-{new_public_id()}"
    since = clock.now()
    token, raw = create_token(keeper=owner, name="bench load", now=since)
    load = LoadClient(household, [a.public_id for a in animals], raw, note)
    by_clients = {}
    try:
        with server_process(env, port or free_port(), settle=SETTLE_SECONDS) as server:
            for count in sorted({*clients, concurrency}):
                load.run(server, "throughput", WARMUP_SECONDS, "--connections", str(count))
                runs = [load.run(server, "throughput", seconds, "--connections", str(count)) for _ in range(phases)]
                by_clients[count] = phase_figures(runs)
            steady = load.run(
                server,
                "rate",
                seconds,
                "--rate",
                str(rate),
                "--connections",
                str(max(8, math.ceil(rate * RATE_SLACK_SECONDS))),
            )
    finally:
        stored = forget_bench_sessions(household, animals, note=note, since=since)
        ApiToken.objects.filter(pk=token.pk).delete()
    throughput = by_clients[concurrency]
    return {
        "database": connection.vendor,
        "workers": WORKERS,
        "animals": len(animals),
        "sessions_per_second": throughput["median_rps"],
        "p99_ms_at_rate": steady["latency_ms"]["p99"],
        "throughput": throughput,
        "by_clients": {str(count): figures for count, figures in by_clients.items()},
        "rate": steady,
        "sessions_acknowledged": load.acknowledged,
        "sessions_stored": stored,
    }


def phase_figures(runs: list[dict]) -> dict:
    """Several throughput phases as one figure: the median sessions/s with min and max, every error."""
    rates = sorted(r["ok_rps"] for r in runs)
    errors: dict[str, int] = {}
    for r in runs:
        for outcome, n in r["errors"].items():
            errors[outcome] = errors.get(outcome, 0) + n
    found = {
        "phases": len(runs),
        "connections": runs[0]["connections"],
        "median_rps": statistics.median(rates),
        "min_rps": rates[0],
        "max_rps": rates[-1],
        "phases_rps": [r["ok_rps"] for r in runs],
        "ok": sum(r["ok"] for r in runs),
        "errors": errors,
        "latency_ms_p99": statistics.median(r["latency_ms"]["p99"] for r in runs),
    }
    cpu = [r["server_cpu_ms_per_request"] for r in runs if "server_cpu_ms_per_request" in r]
    if cpu:
        found["server_cpu_ms_per_request"] = statistics.median(cpu)
        found["server_cpu_seconds"] = [
            round(sum(x), 2) for x in zip(*(r["server_cpu_seconds"] for r in runs), strict=False)
        ]
    return found


def owner_of(household: Household):
    membership = (
        Membership.objects.filter(household=household, role=Membership.Role.OWNER)
        .select_related("keeper")
        .order_by("joined_at", "pk")
        .first()
    )
    if membership is None:
        raise BenchError(f"{household.name} has no owner to make an API token for.")
    return membership.keeper


def bench_animals(household: Household) -> list[Animal]:
    # Arrived before today: a session begun ten minutes ago may fall on yesterday in the household's zone.
    animals = list(
        Animal.objects.active()
        .filter(household=household, arrival_date__lt=local_today(household, clock.now()))
        .order_by("pk")[:MAX_ANIMALS]
    )
    if not animals:
        raise BenchError(f"{household.name} has no active animal that arrived before today.")
    return animals


def server_environment(keeper_name: str) -> dict[str, str]:
    """This process's environment, pointed at the database this process uses (under pytest, the test database)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    # `gentling serve` acts as a local keeper; the owner already exists, so no user is created.
    env["GENTLING_KEEPER"] = keeper_name
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(str(db["NAME"]))
        if connection.is_in_memory_db() or path.name != SQLITE_FILE:
            raise BenchError(f"The server can only open a SQLite file named {SQLITE_FILE}, not {db['NAME']}.")
        env["GENTLING_HOME"] = str(path.parent)
    elif connection.vendor == "postgresql":
        env["DATABASE_URL"] = _postgres_url(db)
    else:
        raise BenchError(f"No benchmark server for a {connection.vendor} database.")
    return env


def _postgres_url(db: dict) -> str:
    given = os.environ.get("DATABASE_URL", "")
    if given and dj_database_url.parse(given).get("NAME") == db["NAME"]:
        return given  # keeps any options it carries
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    login = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{login}{db.get('HOST') or ''}{port}/{quote(db['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class _Server:
    base: str
    pid: int  # the server; with several workers, gunicorn's arbiter, and the workers are its children


@contextmanager
def running_server(env: dict[str, str], port: int, *, workers: int = WORKERS, settle: float = 0):
    """The server's base URL while it runs (see `server_process`)."""
    with server_process(env, port, workers=workers, settle=settle) as server:
        yield server.base


@contextmanager
def server_process(env: dict[str, str], port: int, *, workers: int = WORKERS, settle: float = 0):
    """`gentling serve --workers N` in its own process group, stopped with SIGTERM (then SIGKILL) on the way out."""
    command = [
        sys.executable,
        "-c",
        "from gentling.cli.main import run; run()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: the access log must never block the server
        proc = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(proc, base, log)
            time.sleep(settle)  # e.g. SETTLE_SECONDS: past the day's plans each process reads as it starts
            yield _Server(base, proc.pid)
        finally:
            _stop(proc)


def _wait_ready(proc: subprocess.Popen, base: str, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if proc.poll() is not None:
            raise BenchError(f"The server exited with {proc.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"The server did not answer within {STARTUP_SECONDS} s:\n{_tail(log)}")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            continue


def _tail(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-4000:]


class LoadClient:
    """Runs `python -m gentling.bench.load` against the server and keeps count of the sessions it logged."""

    def __init__(self, household: Household, animal_ids: list[str], token: str, note: str):
        """`animal_ids`: as the load client takes them (HOUSEHOLD:ANIMAL for another household's)."""
        self.household, self.animal_ids, self.token, self.note = household, animal_ids, token, note
        self.acknowledged = 0

    def run(self, server: _Server, mode: str, seconds: float, *options: str) -> dict:
        command = [
            sys.executable,
            "-m",
            "gentling.bench.load",
            mode,
            "--url",
            server.base,
            "--household",
            self.household.public_id,
            "--animals",
            ",".join(self.animal_ids),
            "--seconds",
            str(seconds),
            "--note",
            self.note,
            *options,
        ]
        env = {**os.environ, TOKEN_ENV: self.token}
        cpu_before = _worker_cpu_seconds(server.pid)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 120)
        cpu = _worker_cpu_seconds(server.pid)
        if done.returncode != 0:
            raise BenchError(f"The load client failed ({done.returncode}):\n{done.stderr[-4000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        self.acknowledged += result["ok"]
        if cpu:
            # Keep-alive connections stay with the worker that accepted them: this shows how evenly they fell.
            used = sorted((cpu[pid] - cpu_before.get(pid, 0.0) for pid in cpu), reverse=True)
            result["server_cpu_seconds"] = [round(u, 2) for u in used]
            result["server_cpu_ms_per_request"] = round(1000 * sum(used) / max(result["requests"], 1), 2)
        return result


def _worker_cpu_seconds(parent: int) -> dict[int, float]:
    """CPU seconds used so far by each child process of `parent`, from Linux's /proc (empty elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(fields[1]) == parent:
            found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return found


@transaction.atomic
def forget_bench_sessions(household: Household, animals: list[Animal], *, note: str, since: datetime) -> int:
    """Delete the sessions the load logged, telling the progress cache of each animal that had one
    from the earliest day they touched, as `services.sessions.delete_session` does for one session;
    returns how many there were."""
    sessions = Session.objects.filter(animal__in=animals, notes=note, created_at__gte=since)
    earliest = dict(sessions.order_by().values_list("animal_id").annotate(first=Min("day")))
    count = sessions.count()
    sessions.delete()
    for animal in animals:
        if animal.pk in earliest:
            records_changed(animal, earliest[animal.pk])
    return count
