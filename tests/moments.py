"""Moments for tests that pass their own `now`: never the real clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def at(day: date, hour: int = 9) -> datetime:
    """A moment on `day`, in UTC (the test households keep UTC)."""
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)
