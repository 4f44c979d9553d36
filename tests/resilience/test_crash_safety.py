"""Crash safety: the server is killed (SIGKILL, no clean shutdown) in the middle of a
storm of session writes through the REST API, and restarted.

Every write the server acknowledged (a 2xx) must still be there, the database file
must pass SQLite's integrity check, and `gentling verify` must find the progress
cache equal to a full recompute (a session and its cache update commit together).

SQLite only, by design: this is the local install's database (one file in
GENTLING_HOME, WAL mode), whose durability on a crash is the server's own
business. A PostgreSQL server is not killed with the app, so there is nothing of
the kind to test there; DATABASE_URL is removed from the servers' environment.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

GENTLING = Path(sys.executable).with_name("gentling")
CLIENTS = 4
MAX_REQUESTS = 400
STORM_SECONDS = 15  # hard limit for the whole storm
KILL_AFTER = 1.5  # seconds of storm before the SIGKILL
MIN_ACKED = 5  # wait (within STORM_SECONDS) for at least this many acknowledged writes before killing
REQUEST_TIMEOUT = 10
STARTUP_SECONDS = 60

TOKEN_SCRIPT = """
import json
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from gentling.models import Household
from gentling.services.api_tokens import create_token
from gentling.services.progress import local_today

demo = get_user_model().objects.get(username="demo")
household = Household.objects.get(memberships__keeper=demo, name="Demo")
_, token = create_token(keeper=demo, name="storm", now=timezone.now())
today = local_today(household, timezone.now())
animals = [a.public_id for a in household.animals.filter(status="active", arrival_date__lt=today)]
print(json.dumps({"token": token, "household": household.public_id, "animals": animals}))
"""


def _env(home: Path) -> dict[str, str]:
    # Only this test's settings: no DATABASE_URL, no test settings module, no deployment's GENTLING_*.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"} and not k.startswith("GENTLING_")
    }
    env.update(GENTLING_HOME=str(home), GENTLING_KEEPER="storm-keeper", COLUMNS="200")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`gentling serve` in its own process group (gunicorn's arbiter and its worker)."""

    def __init__(self, home: Path, env: dict[str, str], name: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = home / f"{name}.log"
        with self.log.open("wb") as log:  # a file, not a pipe: the access log must never block the server
            self.proc = subprocess.Popen(
                [str(GENTLING), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env,
                cwd=home,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_ready(self, token: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert self.proc.poll() is None, f"the server exited {self.proc.returncode}:\n{self.output()}"
            try:
                status, _ = _request(self.base + "/api/v1/households", token, timeout=5)
                assert status == 200, status
                return
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL to the whole group: no clean shutdown, no chance to flush or close anything."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self) -> None:
        """Whatever happened: no process of this group is left behind."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _request(url: str, token: str, body: dict | None = None, timeout: float = REQUEST_TIMEOUT) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _session_body(animal: str, note: str) -> dict:
    start = datetime.now(UTC) - timedelta(minutes=30)
    return {
        "animals": [animal],
        "started_at": start.isoformat(),
        "duration_seconds": 300,
        "activities": ["talked"],
        "notes": note,
    }


@pytest.mark.slow
def test_acknowledged_writes_survive_a_sigkill(tmp_path):
    assert GENTLING.exists(), f"the console script is not installed next to {sys.executable}"
    env = _env(tmp_path)
    setup = subprocess.run(
        [str(GENTLING), "start", "--no-serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    made = subprocess.run(
        [sys.executable, "-c", TOKEN_SCRIPT],
        env={**env, "DJANGO_SETTINGS_MODULE": "gentling.settings"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    demo = json.loads(made.stdout.strip().splitlines()[-1])
    token, hid, animals = demo["token"], demo["household"], demo["animals"]
    assert animals, "the demo household should have animals that arrived before today"
    db_file = tmp_path / "gentling.sqlite3"

    servers: list[Server] = []
    try:
        server = Server(tmp_path, env, "first")
        servers.append(server)
        server.wait_ready(token)

        # --- the storm -------------------------------------------------------------------
        url = f"{server.base}/api/v1/households/{hid}/sessions"
        numbers = itertools.count()
        lock = threading.Lock()
        attempted: set[str] = set()
        outcomes: dict[str, object] = {}  # note -> HTTP status, or the exception for no answer
        killed = threading.Event()
        deadline = time.monotonic() + STORM_SECONDS

        def client(index: int) -> None:
            while not killed.is_set() and time.monotonic() < deadline:
                with lock:
                    n = next(numbers)
                if n >= MAX_REQUESTS:
                    return
                note = f"storm-{n}"
                with lock:
                    attempted.add(note)
                try:
                    status, _ = _request(url, token, _session_body(animals[n % len(animals)], note))
                    outcome: object = status
                except (OSError, http.client.HTTPException) as exc:  # the server died under this request
                    outcome = exc
                with lock:
                    outcomes[note] = outcome
                if not isinstance(outcome, int) and not killed.is_set():
                    time.sleep(0.05)  # a refused connection before the kill: do not spin

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
        storm_began = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(KILL_AFTER)
        while time.monotonic() < deadline - REQUEST_TIMEOUT:
            with lock:
                acked_so_far = sum(1 for o in outcomes.values() if isinstance(o, int) and 200 <= o < 300)
            if acked_so_far >= MIN_ACKED:
                break
            time.sleep(0.1)
        with lock:
            in_flight = len(attempted) - len(outcomes)
        server.kill()
        killed.set()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT + 5)
        assert not any(t.is_alive() for t in threads), "a client thread did not stop"
        storm_seconds = time.monotonic() - storm_began

        acked = {note for note, o in outcomes.items() if isinstance(o, int) and 200 <= o < 300}
        refused = {note: o for note, o in outcomes.items() if isinstance(o, int) and not 200 <= o < 300}
        assert len(acked) >= MIN_ACKED, f"the storm wrote too little to test anything: {outcomes}"
        print(
            f"storm: {len(attempted)} requests in {storm_seconds:.1f} s, {len(acked)} acknowledged, "
            f"{in_flight} in flight at the kill, {len(refused)} refused"
        )

        # --- restart on the same database ---------------------------------------------------
        server = Server(tmp_path, env, "second")
        servers.append(server)
        server.wait_ready(token)
        status, body = _request(f"{server.base}/api/v1/households/{hid}/sessions?page_size=1", token)
        assert status == 200, body
        status, body = _request(
            f"{server.base}/api/v1/households/{hid}/sessions", token, _session_body(animals[0], "after-the-crash")
        )
        assert status == 201, f"the restarted server cannot write: {status} {body[:500]!r}"

        with sqlite3.connect(db_file, timeout=20) as db:
            rows = db.execute(
                "SELECT notes, COUNT(*) FROM gentling_session WHERE notes LIKE 'storm-%' "
                "OR notes = 'after-the-crash' GROUP BY notes"
            ).fetchall()
        db.close()
        stored = dict(rows)
        lost = sorted(acked - stored.keys(), key=lambda n: int(n.split("-")[1]))
        assert not lost, f"{len(lost)} acknowledged sessions were lost in the crash: {lost[:20]}"
        assert stored.pop("after-the-crash") == 1
        assert set(stored) <= attempted, "sessions nobody sent"
        assert all(count == 1 for count in stored.values()), "a session was stored twice"

        server.stop()
        assert server.proc.returncode is not None

        # --- the file and the cache -------------------------------------------------------
        db = sqlite3.connect(db_file, timeout=20)
        try:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        finally:
            db.close()
        verify = subprocess.run(
            [str(GENTLING), "verify"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert verify.returncode == 0, f"the progress cache differs from a recompute:\n{verify.stdout}{verify.stderr}"

        # Not about the crash, but the storm shows it: under 4 concurrent writers, every
        # answer before the kill should have been a success (no "database is locked").
        assert not refused, f"writes refused under concurrent load: {dict(list(refused.items())[:10])}"
    finally:
        for s in servers:
            s.close()
