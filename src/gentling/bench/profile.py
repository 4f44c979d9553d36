"""`gentling bench profile`: where a logged session's time goes, function by function.

It sends sessions through the whole Django stack in this process (every middleware,
the authentication, the service, the response), under cProfile: as `POST /api/v1/.../sessions`
with an API token, the bench's load client's bodies, or as the web's "Log a session" form,
logged in, with its one-time token. It prints the functions that take the most time of
their own and the ones that take the most in all (with what they call), per request,
so that the write path's cost can be read and compared before and after a change. The
sessions it logged are deleted afterwards, as `gentling bench run` does.

In-process and without the network or gunicorn, so the per-request figure is lower than
a served one; it is for finding where the time goes, not for the targets.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .. import clock
from ..models import ApiToken, Household, new_public_id
from ..services.api_tokens import create_token
from ..services.progress import local_time
from . import api_load
from .load import Target, session_body

WAYS = ("api", "web")
WARMUP = 50
SHOWN = 15
MARKERS = ("<!-- bench profile: start -->", "<!-- bench profile: end -->")  # in docs/performance.md


@dataclass(frozen=True)
class Line:
    function: str  # file:line(name), shortened to the package
    calls_per_request: float
    own_ms: float  # per request
    total_ms: float  # per request, with what it calls


@dataclass(frozen=True)
class Profile:
    way: str
    requests: int
    ms_per_request: float  # under the profiler, which adds to every call
    unprofiled_ms_per_request: float
    queries_per_request: float
    own: list[Line]
    total: list[Line]


def profile_logging(household: Household, way: str, requests: int) -> Profile:
    """Log `requests` sessions the `way` asked (api or web), unprofiled then profiled; see the module."""
    owner = api_load.owner_of(household)
    animals = api_load.bench_animals(household)
    note = f"bench-profile-{new_public_id()}"
    since = clock.now()
    token, raw = create_token(keeper=owner, name="bench profile", now=since)
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=True)
    if way == "web":
        client.force_login(owner)
    target = Target("127.0.0.1", 0, household.public_id, raw, tuple(a.public_id for a in animals), note)
    send = _api_sender(client, target) if way == "api" else _web_sender(client, household, target)
    numbers = iter(range(10**9))
    try:
        for _ in range(WARMUP):
            send(next(numbers))
        began = time.perf_counter()
        for _ in range(requests):
            send(next(numbers))
        unprofiled = (time.perf_counter() - began) / requests
        queries = _queries_per_request(send, numbers)
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            send(next(numbers))
        profiler.disable()
        profiled = (time.perf_counter() - began) / requests
    finally:
        api_load.forget_bench_sessions(household, animals, note=note, since=since)
        ApiToken.objects.filter(pk=token.pk).delete()
    own, total = _lines(pstats.Stats(profiler), requests)
    return Profile(way, requests, profiled * 1000, unprofiled * 1000, queries, own, total)


def _api_sender(client: Client, target: Target) -> Callable[[int], None]:
    path = target.path

    def send(n: int) -> None:
        body = json.dumps(session_body(target, n, clock.now()))
        answer = client.post(
            path, body, content_type="application/json", headers={"Authorization": f"Bearer {target.token}"}
        )
        if answer.status_code != 201:
            raise api_load.BenchError(f"POST {path} answered {answer.status_code}: {answer.content[:300]!r}")

    return send


def _web_sender(client: Client, household: Household, target: Target) -> Callable[[int], None]:
    path = f"/h/{household.public_id}/sessions/log/"

    def send(n: int) -> None:
        body = session_body(target, n, clock.now())
        started = local_time(household, datetime.fromisoformat(body["started_at"]))
        form = {
            "once": uuid.uuid4().hex,
            "animals": body["animals"],
            "started_at": started.strftime("%Y-%m-%dT%H:%M:%S"),
            "minutes": str(body["duration_seconds"] // 60),
            "seconds": str(body["duration_seconds"] % 60),
            "activities": body["activities"],
            "notes": body["notes"],
        }
        answer = client.post(path, form)
        if answer.status_code != 302:
            raise api_load.BenchError(f"POST {path} answered {answer.status_code}: {answer.content[:300]!r}")
        # A browser follows the redirect, and the next page shows (and so drops) the saved message; this
        # client does not, and its message cookie would grow with every session logged.
        client.cookies.pop(CookieStorage.cookie_name, None)

    return send


def _queries_per_request(send: Callable[[int], None], numbers) -> float:
    with CaptureQueriesContext(connection) as captured:
        for _ in range(10):
            send(next(numbers))
    return len(captured.captured_queries) / 10


def _lines(stats: pstats.Stats, requests: int) -> tuple[list[Line], list[Line]]:
    rows = []
    for (file, line, name), (_, calls, own, total, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(Line(_where(file, line, name), calls / requests, own * 1000 / requests, total * 1000 / requests))
    own = sorted(rows, key=lambda r: r.own_ms, reverse=True)[:SHOWN]
    ours = [r for r in rows if r.function.startswith("gentling/")]
    total = sorted(ours, key=lambda r: r.total_ms, reverse=True)[:SHOWN]
    return own, total


def _where(file: str, line: int, name: str) -> str:
    if file == "~":  # a built-in, such as {method 'execute' of 'sqlite3.Cursor' objects}
        return re.sub(r" at 0x[0-9a-f]+", "", name)  # the same from one run to the next
    parts = Path(file).parts
    for package in ("gentling", "django", "ninja", "pydantic", "psycopg", "whitenoise", "csp", "axes"):
        if package in parts:
            at = len(parts) - 1 - parts[::-1].index(package)
            return f"{'/'.join(parts[at:])}:{line}({name})"
    return f"{Path(file).name}:{line}({name})"


def markdown(profiles: list[Profile], database: str) -> list[str]:
    """The profiles as Markdown, for docs/performance.md."""
    lines = []
    for p in profiles:
        lines += [
            f"**{_TITLES[p.way]}** on {database}: {p.requests} requests, "
            f"{p.unprofiled_ms_per_request:.1f} ms each unprofiled ({p.ms_per_request:.1f} ms under cProfile), "
            f"{p.queries_per_request:.0f} SQL statements each.",
            "",
            "| most time of its own | calls | ms |",
            "|---|---|---|",
            *(f"| `{r.function}` | {r.calls_per_request:.1f} | {r.own_ms:.2f} |" for r in p.own),
            "",
            "| most time in all (Gentling's functions) | calls | ms |",
            "|---|---|---|",
            *(f"| `{r.function}` | {r.calls_per_request:.1f} | {r.total_ms:.2f} |" for r in p.total),
            "",
        ]
    return lines


_TITLES = {"api": "POST /api/v1/households/{hid}/sessions", "web": "The web's Log a session form (POST)"}
