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

Standard library only, like the load client: no Django in the client.
"""

from __future__ import annotations

import http.client
import socket
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
