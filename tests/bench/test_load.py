"""The API load client (`gentling.bench.load`) and the benchmark that drives the real server with it.

The client's figures are checked against a stub HTTP server in a thread: how many
requests, at what rate, with which errors, and latency counted from when each
request was due, so that a stall is charged to every request queued behind it.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from gentling.bench import load
from gentling.domain import vocab
from tests.purity import imported_modules

HOUSEHOLD = "hh123"
ANIMALS = ("rat-a", "rat-b")


class Stub:
    """What the stub server saw, and how it answers: 400 to every `refuse_every`-th request,
    and a pause of `stall` seconds before answering request number `stall_at`."""

    def __init__(self, refuse_every: int = 0, stall_at: int = -1, stall: float = 0.0, hang_up: bool = False):
        self.refuse_every, self.stall_at, self.stall = refuse_every, stall_at, stall
        self.hang_up = hang_up  # close each connection after answering, as a server does with an idle one
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, dict]] = []  # path, authorization, body

    def answer(self, path: str, authorization: str, body: dict) -> int:
        with self.lock:
            self.requests.append((path, authorization, body))
            n = len(self.requests)
        if n == self.stall_at:
            time.sleep(self.stall)
        return 400 if self.refuse_every and n % self.refuse_every == 0 else 201


@contextmanager
def stub_server(stub: Stub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn
        disable_nagle_algorithm = True

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = stub.answer(self.path, self.headers.get("Authorization", ""), body)
            payload = b'{"sessions": []}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.close_connection = stub.hang_up

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_client(monkeypatch, url: str, *args: str, animals=None) -> dict:
    monkeypatch.setenv(load.TOKEN_ENV, "gnt_test-token")
    out = io.StringIO()
    assert (
        load.main(
            [
                args[0],
                "--url",
                url,
                "--household",
                HOUSEHOLD,
                "--animals",
                ",".join(animals or ANIMALS),
                "--note",
                "bench-test",
                *args[1:],
            ],
            stdout=out,
        )
        == 0
    )
    return json.loads(out.getvalue())


# --- the figures -------------------------------------------------------------------------


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert [load.percentile(values, q) for q in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert load.percentile([7.0], 99) == 7.0
    assert load.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0


def test_latency_counts_from_when_a_request_was_due_not_when_it_was_sent():
    # Two requests due at 0 s and 0.01 s; the second could only leave when the first came back at 0.5 s.
    worker = load.Worker(
        samples=[
            load.Sample(due=0.0, sent=0.0, done=0.5, outcome="201"),
            load.Sample(due=0.01, sent=0.5, done=0.51, outcome="201"),
        ]
    )
    result = load.report("rate", [worker], start=0.0, cpu_seconds=0.1, seconds=1.0, connections=1, target_rps=2)
    assert result["latency_ms"]["max"] == 500.0
    assert result["latency_ms"]["p99"] == 500.0  # not the 10 ms the second took once sent
    assert result["latency_ms"]["median"] == 500.0
    assert result["send_lag_ms"]["max"] == pytest.approx(490.0)
    assert (result["requests"], result["ok"], result["errors"]) == (2, 2, {})


def test_errors_are_counted_by_status_and_by_failure():
    worker = load.Worker(
        samples=[
            load.Sample(0, 0, 0.1, "201"),
            load.Sample(0, 0, 0.1, "400"),
            load.Sample(0, 0, 0.1, "400"),
            load.Sample(0, 0, 0.1, "ConnectionRefusedError"),
        ]
    )
    result = load.report("throughput", [worker], start=0.0, cpu_seconds=0.0, seconds=2.0, connections=1)
    assert result["errors"] == {"400": 2, "ConnectionRefusedError": 1}
    assert (result["requests"], result["ok"], result["achieved_rps"], result["ok_rps"]) == (4, 1, 2.0, 0.5)


# --- against a stub server ----------------------------------------------------------------


def test_rate_mode_sends_the_rate_asked_for_and_reports_it(monkeypatch):
    stub = Stub(refuse_every=10)
    with stub_server(stub) as url:
        result = run_client(monkeypatch, url, "rate", "--rate", "200", "--seconds", "1", "--connections", "8")

    assert (result["mode"], result["target_rps"], result["unsent"]) == ("rate", 200, 0)
    assert result["requests"] == len(stub.requests) == 200
    assert result["ok"] == 180 and result["errors"] == {"400": 20}
    assert result["elapsed_seconds"] >= 1.0  # the last request is due at 0.995 s
    assert result["achieved_rps"] == pytest.approx(result["requests"] / result["elapsed_seconds"], rel=0.01)
    latency = result["latency_ms"]
    assert 0 < latency["median"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    # How fast is gentling bench's to say (docs/performance.md); a test asserts behaviour, never speed.


def test_rate_mode_sends_valid_session_bodies_cycling_through_the_animals(monkeypatch):
    stub = Stub()
    with stub_server(stub) as url:
        run_client(monkeypatch, url, "rate", "--rate", "50", "--seconds", "0.4", "--connections", "2")

    paths, auths, bodies = zip(*stub.requests, strict=False)
    assert set(paths) == {f"/api/v1/households/{HOUSEHOLD}/sessions"}
    assert set(auths) == {"Bearer gnt_test-token"}
    assert Counter(b["animals"][0] for b in bodies) == {"rat-a": 10, "rat-b": 10}
    now = datetime.now(UTC)
    for body in bodies:
        started = datetime.fromisoformat(body["started_at"])
        assert timedelta(minutes=9) < now - started < timedelta(minutes=11)
        assert 60 <= body["duration_seconds"] <= 300
        assert body["activities"] and set(body["activities"]) <= set(vocab.ACTIVITIES)
        assert body["notes"] == "bench-test"
    assert len({b["started_at"] for b in bodies}) == len(bodies)


def test_animals_in_other_households_are_logged_there(monkeypatch):
    """A keeper caring for animals in several households (the network profile): HOUSEHOLD:ANIMAL."""
    stub = Stub()
    with stub_server(stub) as url:
        run_client(monkeypatch, url, "rate", "--rate", "30", "--seconds", "0.4", animals=["rat-a", "other:rat-z"])

    sent = Counter((path, body["animals"][0]) for path, _, body in stub.requests)
    assert sent == {
        (f"/api/v1/households/{HOUSEHOLD}/sessions", "rat-a"): 6,
        ("/api/v1/households/other/sessions", "rat-z"): 6,
    }


def test_a_stall_is_charged_to_the_requests_queued_behind_it(monkeypatch):
    # One connection at 20/s: the 5th request takes 0.5 s, so the next ones leave late.
    stub = Stub(stall_at=5, stall=0.5)
    with stub_server(stub) as url:
        result = run_client(monkeypatch, url, "rate", "--rate", "20", "--seconds", "1", "--connections", "1")

    assert result["requests"] == 20 and result["ok"] == 20
    # The 9 due during the stall wait for it, the first almost as long: 500, 450, ... 50 ms.
    # Counted from when they were sent, only the stalled one would look slow (and the mean be ~25 ms).
    assert result["latency_ms"]["max"] >= 500
    assert result["latency_ms"]["p95"] >= 400
    assert result["latency_ms"]["mean"] > 100
    assert result["send_lag_ms"]["max"] >= 400


def test_throughput_mode_keeps_every_connection_busy(monkeypatch):
    stub = Stub()
    with stub_server(stub) as url:
        result = run_client(monkeypatch, url, "throughput", "--seconds", "0.5", "--connections", "4")

    assert result["mode"] == "throughput" and result["errors"] == {}
    assert result["requests"] == result["ok"] == len(stub.requests) >= 4
    assert result["achieved_rps"] == pytest.approx(result["requests"] / result["elapsed_seconds"], rel=0.01)


def test_a_request_on_a_connection_the_server_closed_is_sent_again_on_a_new_one(monkeypatch):
    stub = Stub(hang_up=True)
    with stub_server(stub) as url:
        result = run_client(monkeypatch, url, "rate", "--rate", "40", "--seconds", "0.5", "--connections", "2")

    assert result["requests"] == result["ok"] == len(stub.requests) == 20
    assert result["errors"] == {}
    assert result["reconnects"] >= 18  # all but each connection's first request


def test_the_load_client_needs_no_django():
    modules = imported_modules(Path(load.__file__))
    assert not {m for m in modules if m.split(".")[0] in {"django", "gentling", "ninja"}}


# --- the real server ----------------------------------------------------------------------


@pytest.mark.slow
def test_measure_session_logging_reports_both_runs_and_leaves_the_data_as_it_was(file_db):
    from gentling.bench.api_load import measure_session_logging
    from gentling.models import ApiToken, Session
    from gentling.services.households import create_household, local_keeper
    from gentling.services.progress import progress_of, verify_snapshots
    from tests.factories import log, make_animal

    owner = local_keeper("bench-owner")
    household = create_household(keeper=owner, name="Bench Street", time_zone="Europe/London")
    now = timezone.now()
    today = now.date()
    animals = [
        make_animal(household, today=today, name=name, source="breeder", days_ago=30, keeper=owner)
        for name in ("Clover", "Basil")
    ]
    log(owner, household, animals, now=now, ago=timedelta(days=1), notes="kept")
    before = {a.pk: progress_of(a, today) for a in animals}

    result = measure_session_logging(household, seconds=1, rate=10, concurrency=2, clients=(1, 2), phases=3)

    throughput, steady = result["throughput"], result["rate"]
    assert result["database"] == connections["default"].vendor and result["workers"] == 2
    assert result["animals"] == 2
    assert throughput["ok"] > 0 and throughput["errors"] == {} and throughput["phases"] == 3
    assert throughput["min_rps"] <= throughput["median_rps"] <= throughput["max_rps"]
    assert sorted(throughput["phases_rps"])[1] == throughput["median_rps"]
    assert set(result["by_clients"]) == {"1", "2"} and result["by_clients"]["1"]["connections"] == 1
    assert (steady["requests"], steady["ok"], steady["errors"], steady["unsent"]) == (10, 10, {}, 0)
    assert result["sessions_per_second"] == throughput["median_rps"] > 0
    assert result["p99_ms_at_rate"] == steady["latency_ms"]["p99"] > 0
    phased = sum(figures["ok"] for figures in result["by_clients"].values())
    assert result["sessions_stored"] == result["sessions_acknowledged"] >= phased + steady["ok"]
    if Path("/proc/self/stat").exists():
        assert len(throughput["server_cpu_seconds"]) == 2 and throughput["server_cpu_ms_per_request"] > 0

    assert list(Session.objects.filter(animal__household=household).values_list("notes", flat=True)) == ["kept"] * 2
    assert not ApiToken.objects.filter(keeper=owner).exists()
    assert {a.pk: progress_of(a, today) for a in animals} == before
    assert verify_snapshots()[1] == []
