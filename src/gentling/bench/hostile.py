"""Clients that hold a server's connections without finishing a request: the serving
tests and the benchmark's "slow clients" figure use them (server.py says why they
must not stop anybody else).

- *Idle* connections are opened and then left: half send nothing at all, half
  stop in the middle of their headers.
- *Slow* clients send whole headers announcing a body, then the body at a few
  bytes a second, as a phone on one bar of signal does, or as someone trying to
  stop the server would. Their body is a real request (a session to log) that
  the view would read, so a server that hands a request to a thread before its
  body is in makes that thread wait.

- An *outside writer* is another process that takes SQLite's write lock and
  holds it, as a backup, an import or the sqlite3 shell left at its prompt
  does (sqlite/base.py says how the server bears it).

Standard library only, like the load client: no Django in the client.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

IDLE = 50
SLOW = 10
SLOW_BYTES_PER_SECOND = 10
SLOW_BODY_BYTES = 100_000  # never finished: at 10 bytes a second it would take almost three hours
ANSWER_TIMEOUT = 30.0


@dataclass
class Held:
    """What the hostile clients hold; `refused` counts connections the server would not take."""

    idle: list[socket.socket]
    slow: list[threading.Thread]
    refused: int = 0


@contextmanager
def hostile_clients(
    host: str, port: int, *, path: str, token: str = "", idle: int = IDLE, slow: int = SLOW
) -> Iterator[Held]:
    """Hold `idle` idle connections and `slow` slow-body requests to `path` open while the block runs."""
    stop = threading.Event()
    held = Held([], [])
    try:
        for n in range(idle):
            try:
                sock = socket.create_connection((host, port), timeout=5)
            except OSError:
                held.refused += 1
                continue
            held.idle.append(sock)
            if n % 2:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n".encode())  # and never the blank line
        header = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {SLOW_BODY_BYTES}\r\n\r\n"
        ).encode()
        for _ in range(slow):
            thread = threading.Thread(target=_send_slowly, args=(host, port, header, stop), daemon=True)
            thread.start()
            held.slow.append(thread)
        time.sleep(1.0)  # every slow client has sent its headers and begun its body
        yield held
    finally:
        stop.set()
        for sock in held.idle:
            sock.close()
        for thread in held.slow:
            thread.join(timeout=5)


def _send_slowly(host: str, port: int, header: bytes, stop: threading.Event) -> None:
    body = b'{"animals": ["' + b"x" * SLOW_BODY_BYTES
    try:
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.sendall(header)
            sent = 0
            while not stop.is_set() and sent < SLOW_BODY_BYTES:
                sock.sendall(body[sent : sent + SLOW_BYTES_PER_SECOND])
                sent += SLOW_BYTES_PER_SECOND
                stop.wait(1.0)
    except OSError:
        return  # the server closed it: that is its right


def answer_times(
    host: str,
    port: int,
    path: str,
    *,
    token: str = "",
    clients: int = 4,
    requests: int = 50,
    timeout: float = ANSWER_TIMEOUT,
) -> tuple[list[float], list[str]]:
    """Seconds each GET of `path` took, from `clients` connections at once, and what failed."""
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        for _ in range(requests):
            started = time.monotonic()
            try:
                conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
                answer = conn.getresponse()
                answer.read()
                outcome = None if answer.status == 200 else f"status {answer.status}"
            except (OSError, http.client.HTTPException) as exc:
                outcome = f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            with lock:
                times.append(time.monotonic() - started)
                if outcome:
                    failures.append(outcome)
        conn.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, failures


class OutsideWriter:
    """Another process that takes SQLite's write lock on the file at `path` and holds it until `release()`."""

    _CODE = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); sys.stdin.readline(); c.execute('ROLLBACK')"
    )

    def __init__(self, path: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self._CODE, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "held":
            self.proc.kill()
            raise RuntimeError(f"could not take the write lock of {path}")

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.communicate("\n", timeout=30)


@dataclass
class Writes:
    """What writers in a loop were answered, by status (or by the error that stopped a request)."""

    answers: dict[str, int]
    lock: threading.Lock


@contextmanager
def writers_in_a_loop(host: str, port: int, *, path: str, token: str, body: dict, writers: int) -> Iterator[Writes]:
    """`writers` clients posting `body` to `path` one after the other, each post with a new
    Idempotency-Key, and again as soon as it is answered (a refused one too), until the block ends."""
    writes = Writes({}, threading.Lock())
    stop = threading.Event()
    payload = json.dumps(body).encode()

    def run(n: int) -> None:
        sent = 0
        while not stop.is_set():
            sent += 1
            conn = http.client.HTTPConnection(host, port, timeout=ANSWER_TIMEOUT)
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": f"bench-writer-{n}-{sent}-{time.monotonic_ns()}",
            }
            try:
                conn.request("POST", path, body=payload, headers=headers)
                outcome = str(conn.getresponse().status)
            except (OSError, http.client.HTTPException) as exc:
                outcome = type(exc).__name__
            finally:
                conn.close()
            with writes.lock:
                writes.answers[outcome] = writes.answers.get(outcome, 0) + 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    try:
        yield writes
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=ANSWER_TIMEOUT * 2)
