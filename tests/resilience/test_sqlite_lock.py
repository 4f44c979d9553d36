"""An outside process holding SQLite's write lock (gentling/sqlite/base.py).

Only WAITERS requests of a process may wait long for the lock; the others give
up after a short wait with "database is locked", which the app answers with a
503 and Retry-After. So reads, which need no lock in WAL mode, are still
answered while the lock is held, and a write refused meanwhile counts once when
it is sent again. How long Today takes then is a figure of the benchmark
(`gentling bench run --only outside-lock`), not a timed assertion here.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from gentling.bench.api_load import free_port, running_server, server_environment
from gentling.bench.hostile import OutsideWriter, answer_times
from gentling.models import Animal, Session
from gentling.services.api_tokens import create_token
from gentling.sqlite import base as sqlite_backend

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")

PATIENCE_SECONDS = 10.0


def _database_file() -> str:
    return str(connection.settings_dict["NAME"])


def _rename_in_a_transaction(animal_pk: int, name: str, outcomes: list, started: threading.Barrier) -> None:
    try:
        started.wait()
        with transaction.atomic():
            Animal.objects.filter(pk=animal_pk).update(name=name)
        outcomes.append("saved")
    except OperationalError as exc:
        outcomes.append("locked" if "database is locked" in str(exc) else repr(exc))
    finally:
        connections.close_all()


def test_only_the_allowed_number_of_writers_wait_for_a_lock_held_outside(clover_at_home, monkeypatch):
    _, _, animal = clover_at_home
    monkeypatch.setattr(sqlite_backend, "QUICK_WAIT_MS", 200)
    monkeypatch.setattr(sqlite_backend, "LONG_WAIT_MS", 20_000)
    writers = sqlite_backend.WAITERS + 3
    outcomes: list[str] = []
    started = threading.Barrier(writers)
    outside = OutsideWriter(_database_file())
    try:
        threads = [
            threading.Thread(target=_rename_in_a_transaction, args=(animal.pk, f"Clover {n}", outcomes, started))
            for n in range(writers)
        ]
        for thread in threads:
            thread.start()
        # The writers beyond WAITERS give up after the short wait, while the lock is still held.
        deadline = timezone.now() + timedelta(seconds=PATIENCE_SECONDS)
        while outcomes.count("locked") < writers - sqlite_backend.WAITERS and timezone.now() < deadline:
            threading.Event().wait(0.05)
        assert sorted(outcomes) == ["locked"] * (writers - sqlite_backend.WAITERS)
    finally:
        outside.release()
    for thread in threads:
        thread.join(timeout=30)
    # The ones allowed to wait got the lock once it was let go.
    assert sorted(outcomes) == ["locked"] * (writers - sqlite_backend.WAITERS) + ["saved"] * sqlite_backend.WAITERS


def test_a_refused_write_leaves_nothing_another_thread_must_wait_to_clean_up(clover_at_home, monkeypatch):
    """A refused BEGIN's statement is reset in its own thread. Left to whichever thread drops it last
    (or to the garbage collector), resetting it needed its connection's mutex, which SQLite holds
    all through that connection's next wait: the dropping thread stood still as long."""
    monkeypatch.setattr(sqlite_backend, "LONG_WAIT_MS", int(PATIENCE_SECONDS * 1000))
    monkeypatch.setattr(sqlite_backend, "_long_waiters", sqlite_backend._LongWaiters(0))
    refused: list[BaseException] = []
    may_wait = threading.Event()

    def refused_then_waiting() -> None:
        for _ in range(2):
            try:
                with transaction.atomic():
                    pass
            except OperationalError as exc:
                refused.append(exc)  # kept, with its traceback, for the main thread to drop
            if not may_wait.is_set():
                may_wait.wait(PATIENCE_SECONDS)
        connections.close_all()

    outside = OutsideWriter(_database_file())
    writer = threading.Thread(target=refused_then_waiting)
    try:
        writer.start()
        deadline = timezone.now() + timedelta(seconds=PATIENCE_SECONDS)
        while not refused and timezone.now() < deadline:
            threading.Event().wait(0.01)
        assert refused, "the write was not refused"
        waiters = sqlite_backend._LongWaiters(1)
        monkeypatch.setattr(sqlite_backend, "_long_waiters", waiters)
        may_wait.set()
        while waiters.count == 0 and timezone.now() < deadline:
            threading.Event().wait(0.01)
        assert waiters.count == 1, "the writer never started its long wait"
        refused.clear()
        gc.collect()
        assert waiters.count == 1, "dropping the refused write waited for the other thread's wait to end"
    finally:
        outside.release()
        writer.join(timeout=PATIENCE_SECONDS * 2)


def test_a_write_refused_while_the_lock_is_held_is_one_log_line_not_a_traceback(
    clover_at_home, client, monkeypatch, caplog
):
    owner, household, animal = clover_at_home
    monkeypatch.setattr(sqlite_backend, "_long_waiters", sqlite_backend._LongWaiters(0))
    client.force_login(owner)
    outside = OutsideWriter(_database_file())
    try:
        with caplog.at_level(logging.INFO, logger="gentling"):
            response = client.post(
                f"/api/v1/households/{household.public_id}/sessions",
                {
                    "animals": [animal.public_id],
                    "started_at": timezone.now().isoformat(),
                    "duration_seconds": 60,
                    "activities": ["talked"],
                },
                content_type="application/json",
                HTTP_X_REQUEST_ID="locked-req-0001",
            )
    finally:
        outside.release()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    [line] = [r for r in caplog.records if r.name == "gentling"]
    assert line.levelno == logging.WARNING and line.exc_info is None and line.request_id == "locked-req-0001"
    assert "locked by another process" in line.getMessage()


def test_a_read_that_would_store_a_checkpoint_answers_without_it_while_the_lock_is_held(clover_at_home):
    from gentling.services.progress import standings

    _, _, animal = clover_at_home
    today = timezone.now().date()
    outside = OutsideWriter(_database_file())
    try:
        assert standings([animal], today + timedelta(days=2))[animal.pk].progress.step_id
    finally:
        outside.release()


@pytest.mark.slow
def test_the_server_answers_reads_and_refuses_writes_with_a_503_while_the_lock_is_held(clover_at_home):
    owner, household, animal = clover_at_home
    _, token = create_token(keeper=owner, name="lock", now=timezone.now())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sessions = f"{base}/api/v1/households/{household.public_id}/sessions"
    started = timezone.now() - timedelta(minutes=10)
    body = json.dumps(
        {
            "animals": [animal.public_id],
            "started_at": started.isoformat(),
            "duration_seconds": 180,
            "activities": ["talked"],
        }
    ).encode()

    def post(key: str) -> tuple[int, dict, dict]:
        request = urllib.request.Request(
            sessions,
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": key},
        )
        try:
            with urllib.request.urlopen(request, timeout=PATIENCE_SECONDS * 2) as answer:
                return answer.status, dict(answer.headers), json.loads(answer.read())
        except urllib.error.HTTPError as refused:
            return refused.code, dict(refused.headers), json.loads(refused.read())

    with running_server(server_environment(owner.username), port, workers=1):
        outside = OutsideWriter(_database_file())
        try:
            answers: dict[str, tuple] = {}
            keys = [f"lock-retry-{n}" for n in range(6)]
            writers = [threading.Thread(target=lambda k=k: answers.__setitem__(k, post(k))) for k in keys]
            for writer in writers:
                writer.start()
            today = f"/api/v1/households/{household.public_id}/today"
            _, failures = answer_times("127.0.0.1", port, today, token=token, requests=5, timeout=PATIENCE_SECONDS)
            assert failures == [], "a read waited behind the writers"
            for writer in writers:
                writer.join(timeout=60)
        finally:
            outside.release()
        assert {status for status, _, _ in answers.values()} == {503}
        for _, headers, answer in answers.values():
            assert headers["Retry-After"] == "5" and "nothing was saved" in answer["detail"]
        assert Session.objects.count() == 0
        # Sent again once the lock is let go, each write counts once.
        assert [post(key)[0] for key in keys[:2]] == [201, 201]
        assert [post(key)[0] for key in keys[:2]] == [201, 201]
    assert Session.objects.count() == 2
