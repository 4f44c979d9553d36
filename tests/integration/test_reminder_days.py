"""Reminders on awkward days (issue 15): at 23:30, and across daylight-saving changes, a run every
few minutes sends each local day's reminder exactly once: none twice, none skipped. The moments
are passed in, so this holds on any real date, and the shifted-clock run checks it again."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gentling.services.reminders import ReminderChoice, send_due, set_reminders


def _run_every(minutes: int, start: datetime, end: datetime, by) -> None:
    at = start
    while at <= end:
        send_due(at, by)
        at += timedelta(minutes=minutes)


@pytest.mark.parametrize(
    "zone, at, first, days",
    [
        # 23:30, half an hour before the day changes.
        ("Pacific/Kiritimati", "23:30", date(2026, 6, 1), 4),
        ("America/Adak", "23:30", date(2026, 6, 1), 4),
        # Spring forward: in London 01:00 becomes 02:00 on 29 March 2026; 01:30 never happens that day.
        ("Europe/London", "01:30", date(2026, 3, 27), 5),
        # Fall back: in London 01:00-02:00 happens twice on 25 October 2026.
        ("Europe/London", "01:30", date(2026, 10, 23), 5),
        # The same changes at 23:30, and in a zone that changes at midnight (Santiago, April and September).
        ("Europe/London", "23:30", date(2026, 3, 27), 5),
        ("America/Santiago", "00:15", date(2026, 4, 3), 5),
        ("America/Santiago", "00:15", date(2026, 9, 4), 5),
    ],
)
def test_each_local_day_once(owner, household, zone, at, first, days):
    set_reminders(
        keeper=owner, household=household, choice=ReminderChoice(remind_at=at, channel="push", time_zone=zone)
    )
    sent: list[date] = []

    def push(r, day, now):
        sent.append(day)

    def midnight(day: date) -> datetime:  # a local day may be 23 or 25 hours long
        return datetime.combine(day, datetime.min.time(), ZoneInfo(zone)).astimezone(UTC)

    _run_every(15, midnight(first), midnight(first + timedelta(days=days)) - timedelta(minutes=1), {"push": push})

    expected = [first + timedelta(days=n) for n in range(days)]
    assert Counter(sent) == Counter(expected), sorted(sent)


def test_a_server_down_at_the_time_sends_late_the_same_day_not_the_next(owner, household):
    set_reminders(keeper=owner, household=household, choice=ReminderChoice(remind_at="18:00", channel="push"))
    sent: list = []
    by = {"push": lambda r, day, now: sent.append((day, now))}

    send_due(datetime(2026, 6, 1, 17, 0, tzinfo=UTC), by)  # before
    send_due(datetime(2026, 6, 1, 22, 10, tzinfo=UTC), by)  # back up at 22:10

    assert sent == [(date(2026, 6, 1), datetime(2026, 6, 1, 22, 10, tzinfo=UTC))]
