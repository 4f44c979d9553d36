"""A load client for logging sessions over the REST API: the second process on loopback.

    python -m gentling.bench.load throughput --url http://127.0.0.1:8000 --household HID \\
        --animals ID,ID,... --connections 8 --seconds 10
    python -m gentling.bench.load rate --url ... --household HID --animals ... --rate 100 --seconds 10

The API token comes from an environment variable (GENTLING_LOAD_TOKEN unless
--token-env names another), not from the command line, where `ps` would show it.

- `throughput` is a closed loop: C keep-alive connections, each sending its next
  request as soon as the previous one is answered, for D seconds.
- `rate` is an open loop: request j is due at start + j/R, whether or not the
  earlier ones have been answered. Any free connection takes the next due request;
  its latency is counted from the time it was *due*, not from when it was sent, so
  a server that falls behind is charged for the queue it builds (no coordinated
  omission). `send_lag_ms` says how late requests left the client: it stays near
  zero unless every connection was busy, that is unless the server was the one
  late, or the client itself could not keep up (`client_cpu_share` near 1).

Each request is `POST /api/v1/households/{hid}/sessions` for one animal, cycling
through the animals given. The sessions are plausible ones that just happened: a
talk, sometimes with treats in the cage, of 60 to 300 s, begun about ten minutes
ago. At these rates one animal gets many sessions that overlap in time; the
service records them all, which is what is measured.

The output is one JSON object on stdout. Standard library only, and no Django:
the client must not share the server's costs, and it must stay light enough for
well over 500 requests/s from one core.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import os
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

TOKEN_ENV = "GENTLING_LOAD_TOKEN"
STARTED_AGO = timedelta(minutes=10)
# A connection reused after the server closed it fails before the request is read; one retry on a fresh one.
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    household: str
    token: str
    animals: tuple[str, ...]
    note: str = ""
    timeout: float = 10.0

    @property
    def path(self) -> str:
        return self.path_of(self.household)

    @staticmethod
    def path_of(household: str) -> str:
        return f"/api/v1/households/{household}/sessions"

    def nth(self, n: int) -> tuple[str, str]:
        """The n-th request's household and animal, in turn: an animal given as HOUSEHOLD:ANIMAL is in
        that household (a keeper who cares for animals in several), else in `household`."""
        household, _, animal = self.animals[n % len(self.animals)].rpartition(":")
        return household or self.household, animal


class Bodies:
    """The request bodies, one per call, numbered across threads."""

    def __init__(self, target: Target):
        self.target = target
        self._numbers = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> tuple[str, bytes]:
        """The next request's path and body."""
        with self._lock:
            n = next(self._numbers)
        path = self.target.path_of(self.target.nth(n)[0])
        return path, json.dumps(session_body(self.target, n, datetime.now(UTC))).encode()


def session_body(target: Target, n: int, now: datetime) -> dict:
    """The n-th session: its own animal in turn, a length from 60 to 300 s, a start made unique by n."""
    started = now - STARTED_AGO + timedelta(microseconds=n % 1_000_000)
    return {
        "animals": [target.nth(n)[1]],
        "started_at": started.isoformat(),
        "duration_seconds": 60 + (n * 37) % 241,
        "activities": ["talked"] if n % 2 else ["talked", "treat_in_cage"],
        "notes": target.note,
    }


class _Connection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        # http.client writes the headers and the body separately: without this, Nagle's algorithm holds
        # the body back until the server's delayed ACK, some 40 ms on Linux.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Client:
    """One keep-alive HTTP/1.1 connection; `post` returns the status or raises on no answer.

    The connection opens with its first request, as a browser's does: a connection
    opened and left idle would hold one of gunicorn's threads waiting for its first
    bytes (up to 5 s), which measures the client, not the server.
    """

    def __init__(self, target: Target):
        self.target = target
        self.headers = {
            "Authorization": f"Bearer {target.token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.reconnects = 0
        self.conn = _Connection(target.host, target.port, timeout=target.timeout)

    def post(self, path: str, body: bytes) -> int:
        reused = self.conn.sock is not None
        try:
            return self._send(path, body)
        except STALE_CONNECTION:
            if not reused:
                raise
            self.conn.close()  # the server closed it while idle; the next request reopens it
            self.reconnects += 1
            return self._send(path, body)

    def _send(self, path: str, body: bytes) -> int:
        self.conn.request("POST", path, body=body, headers=self.headers)
        response = self.conn.getresponse()
        response.read()  # all of it, or the connection cannot carry the next request
        return response.status

    def close(self) -> None:
        self.conn.close()


@dataclass
class Sample:
    due: float
    sent: float
    done: float
    outcome: str  # the HTTP status, or the name of the error when there was no answer


@dataclass
class Worker:
    samples: list[Sample] = field(default_factory=list)
    reconnects: int = 0
    unsent: int = 0


def _exchange(client: Client, request: tuple[str, bytes], due: float, into: Worker) -> None:
    sent = time.perf_counter()
    try:
        outcome = str(client.post(*request))
    except (OSError, http.client.HTTPException) as exc:
        outcome = type(exc).__name__
        client.conn.close()
    into.samples.append(Sample(due, sent, time.perf_counter(), outcome))


def _run_threads(target: Target, count: int, loop) -> tuple[list[Worker], float]:
    """Run `loop(client, worker, start)` for `count` clients, each in its own thread, all from one start."""
    clients = [Client(target) for _ in range(count)]
    workers = [Worker() for _ in clients]
    ready = threading.Barrier(count + 1)
    start_box: list[float] = []

    def run(client: Client, worker: Worker) -> None:
        ready.wait()
        time.sleep(max(0.0, start_box[0] - time.perf_counter()))
        try:
            loop(client, worker, start_box[0])
        finally:
            worker.reconnects = client.reconnects
            client.close()

    threads = [threading.Thread(target=run, args=pair, daemon=True) for pair in zip(clients, workers, strict=False)]
    for t in threads:
        t.start()
    start_box.append(time.perf_counter() + 0.01)
    ready.wait()
    for t in threads:
        t.join()
    return workers, start_box[0]


def closed_loop(target: Target, *, connections: int, seconds: float) -> dict:
    bodies = Bodies(target)

    def loop(client: Client, worker: Worker, start: float) -> None:
        end = start + seconds
        while (now := time.perf_counter()) < end:
            _exchange(client, bodies.next(), now, worker)

    cpu = time.process_time()
    workers, start = _run_threads(target, connections, loop)
    return report("throughput", workers, start, time.process_time() - cpu, seconds=seconds, connections=connections)


def open_loop(target: Target, *, rate: float, connections: int, seconds: float) -> dict:
    bodies = Bodies(target)
    total = round(rate * seconds)
    slots = itertools.count()
    lock = threading.Lock()

    def loop(client: Client, worker: Worker, start: float) -> None:
        give_up = start + seconds + target.timeout  # bounded: a stalled server cannot keep the client forever
        while True:
            with lock:
                j = next(slots)
            if j >= total:
                return
            due = start + j / rate
            now = time.perf_counter()
            if now > give_up:
                worker.unsent += 1
                continue
            if due > now:
                time.sleep(due - now)
            _exchange(client, bodies.next(), due, worker)

    cpu = time.process_time()
    workers, start = _run_threads(target, connections, loop)
    return report(
        "rate", workers, start, time.process_time() - cpu, seconds=seconds, connections=connections, target_rps=rate
    )


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q% of the values at or below it."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values_seconds: list[float]) -> dict:
    ordered = sorted(v * 1000 for v in values_seconds)
    if not ordered:
        return {"median": None, "p95": None, "p99": None, "max": None, "mean": None}
    return {
        "median": round(percentile(ordered, 50), 3),
        "p95": round(percentile(ordered, 95), 3),
        "p99": round(percentile(ordered, 99), 3),
        "max": round(ordered[-1], 3),
        "mean": round(sum(ordered) / len(ordered), 3),
    }


def report(
    mode: str,
    workers: list[Worker],
    start: float,
    cpu_seconds: float,
    *,
    seconds: float,
    connections: int,
    target_rps: float | None = None,
) -> dict:
    samples = [s for w in workers for s in w.samples]
    ok = sum(1 for s in samples if s.outcome.isdigit() and 200 <= int(s.outcome) < 300)
    errors = Counter(s.outcome for s in samples if not (s.outcome.isdigit() and 200 <= int(s.outcome) < 300))
    # Requests still out at the deadline finish after it: the span runs to the last answer.
    elapsed = max([seconds] + [s.done - start for s in samples])
    result = {
        "mode": mode,
        "seconds": seconds,
        "connections": connections,
        "requests": len(samples),
        "ok": ok,
        "errors": dict(sorted(errors.items())),
        "elapsed_seconds": round(elapsed, 3),
        "achieved_rps": round(len(samples) / elapsed, 1),
        "ok_rps": round(ok / elapsed, 1),
        "latency_ms": summary([s.done - s.due for s in samples]),
        "reconnects": sum(w.reconnects for w in workers),
        "client_cpu_share": round(cpu_seconds / elapsed, 3),
    }
    if mode == "rate":
        result["target_rps"] = target_rps
        result["unsent"] = sum(w.unsent for w in workers)
        result["send_lag_ms"] = summary([s.sent - s.due for s in samples])
    return result


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    common.add_argument("--household", required=True, help="the household's id")
    common.add_argument(
        "--animals",
        required=True,
        help="animal ids, comma-separated; the requests cycle through them (HOUSEHOLD:ANIMAL for one in another "
        "household the token's keeper cares for)",
    )
    common.add_argument("--seconds", type=float, default=10.0, help="how long to send (default 10)")
    common.add_argument(
        "--token-env", default=TOKEN_ENV, help=f"the variable holding the API token (default {TOKEN_ENV})"
    )
    common.add_argument("--note", default="", help="the notes of every session (to find them afterwards)")
    common.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for one answer (default 10)")
    parser = argparse.ArgumentParser(prog="python -m gentling.bench.load", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    closed = sub.add_parser("throughput", parents=[common], help="closed loop: as fast as C connections go")
    closed.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections (default 8)")
    opened = sub.add_parser("rate", parents=[common], help="open loop: a fixed rate on a fixed timetable")
    opened.add_argument("--rate", type=float, required=True, help="requests per second")
    opened.add_argument(
        "--connections",
        type=int,
        default=32,
        help="keep-alive connections to send on (default 32; enough for rate x worst latency)",
    )
    return parser


def target_from(args, parser: argparse.ArgumentParser) -> Target:
    url = urlsplit(args.url)
    if url.scheme != "http" or not url.hostname:
        parser.error("--url must be http://HOST[:PORT]")
    animals = tuple(a for a in (x.strip() for x in args.animals.split(",")) if a)
    if not animals:
        parser.error("--animals needs at least one animal id")
    token = os.environ.get(args.token_env, "")
    if not token:
        parser.error(f"set {args.token_env} to an API token of the household")
    if args.seconds <= 0 or args.connections < 1 or (args.mode == "rate" and args.rate <= 0):
        parser.error("--seconds, --connections and --rate must be positive")
    return Target(url.hostname, url.port or 80, args.household, token, animals, args.note, args.timeout)


def main(argv: list[str] | None = None, stdout=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    target = target_from(args, parser)
    if args.mode == "throughput":
        result = closed_loop(target, connections=args.connections, seconds=args.seconds)
    else:
        result = open_loop(target, rate=args.rate, connections=args.connections, seconds=args.seconds)
    print(json.dumps(result), file=stdout or sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
