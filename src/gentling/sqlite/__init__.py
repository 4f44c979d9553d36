"""Gentling's SQLite database backend (settings ENGINE "gentling.sqlite", see base.py), and what
the services need to know of its one write lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection


def write_lock_taken(exc: BaseException) -> bool:
    """SQLite's answer when its one write lock stayed with someone else past our wait."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


@contextmanager
def unless_write_lock_taken() -> Iterator[None]:
    """For a write that only saves time or keeps a note (a progress checkpoint, a token's last
    use), made outside a transaction: while another process holds SQLite's write lock, the
    request goes on without it rather than wait or fail. Any other error is raised."""
    try:
        yield
    except OperationalError as exc:
        if connection.in_atomic_block or not write_lock_taken(exc):
            raise
