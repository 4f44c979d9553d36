"""SQLite, with a bound on how many requests of a process wait for its write lock at once.

SQLite has one writer. A write transaction (BEGIN IMMEDIATE, settings.py) that
finds the lock taken waits for it. When an outside process holds it for long (a
backup or an import run at the command line, `sqlite3` left open at a prompt),
every request that writes waits, and four waiting writers leave none of the
server's four threads for the reads, which need no lock in WAL mode: a keeper's
Today page took 23.5 s behind a 25-s lock.

So a write first waits QUICK_WAIT_MS, ample for other requests' writes, which
take milliseconds. If the lock is still taken, it waits up to LONG_WAIT_MS more,
but only when fewer than WAITERS of this process's requests are waiting so
already; otherwise it gives up at once. And while WAITERS are waiting so, the
lock is plainly held for long: a new write takes it if it is free and else
gives up at once, without the quick wait, so a flood of retries cannot fill the
threads either. Giving up is SQLite's "database is locked": nothing was
written, and the app answers 503 with Retry-After (failures.py), which the
phone's outbox and any client may retry. Writes outside a transaction wait
QUICK_WAIT_MS only.
"""

from __future__ import annotations

import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

from . import write_lock_taken

QUICK_WAIT_MS = 250
LONG_WAIT_MS = 5000
# Of the server's 4 threads (server.py): one is always left for reads. With 3, the process's own
# writers never refuse each other (at most 3 wait while the 4th writes); only a lock held from
# outside the process fills the waiters, and then every other write gives up at once.
WAITERS = 3


class _LongWaiters:
    def __init__(self, limit: int):
        self.limit, self.count, self.lock = limit, 0, threading.Lock()

    def full(self) -> bool:
        return self.count >= self.limit

    def enter(self) -> bool:
        with self.lock:
            if self.count >= self.limit:
                return False
            self.count += 1
            return True

    def leave(self) -> None:
        with self.lock:
            self.count -= 1


_long_waiters = _LongWaiters(WAITERS)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        _set_wait(conn, QUICK_WAIT_MS)
        return conn

    def _start_transaction_under_autocommit(self):
        begin = self._begin
        try:
            _waiting(self.connection, 0 if _long_waiters.full() else QUICK_WAIT_MS, begin)
        except OperationalError as exc:
            if not write_lock_taken(exc) or not _long_waiters.enter():
                raise
            try:
                _waiting(self.connection, LONG_WAIT_MS, begin)
            finally:
                _long_waiters.leave()

    def _begin(self) -> None:
        """Django's BEGIN, on a cursor closed here, in this thread, even when the BEGIN fails.

        Left to the garbage collector, the failed statement is reset later, in whichever thread
        collects it, and resetting it needs its connection's mutex, which SQLite holds all through
        a wait for the lock. One thread then stood still for as long as another one's wait: the
        server's last free thread froze for 5 to 10 s, and reads queued behind it.
        """
        mode = self.transaction_mode
        with self.cursor() as cursor:
            cursor.execute(f"BEGIN {mode}" if mode else "BEGIN")


def _waiting(conn, ms: int, begin) -> None:
    """`begin()`, waiting up to `ms` for the write lock; after it, writes wait QUICK_WAIT_MS again."""
    if ms != QUICK_WAIT_MS:
        _set_wait(conn, ms)
    try:
        begin()
    finally:
        if ms != QUICK_WAIT_MS:
            _set_wait(conn, QUICK_WAIT_MS)


def _set_wait(conn, ms: int) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(ms)}")
