"""Every check of what a keeper typed names the field in the keeper's words, and quotes what was
typed: the same sentence reaches the command line, the web and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gentling.domain.errors import InvalidInput
from gentling.domain.validation import SessionInput, check_session, parse_age, parse_date, parse_duration

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def refused(call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    "text, what, unit, message",
    [
        ("-3", "Hold", "s", "Hold '-3': a hold must be more than zero seconds."),
        ("0", "Hold", "s", "Hold '0': a hold must be more than zero seconds."),
        ("-5m", "Length", "m", "Length '-5m': a length must be more than zero seconds."),
        ("- 5", "Length", "m", "Length '- 5': a length must be more than zero seconds."),
        ("0m0s", "Length", "m", "Length '0m0s': a length must be more than zero seconds."),
        ("ten", "Length", "m", "Length 'ten': not a length of time. Write e.g. 90s, 10m or 1h5m."),
        ("", "Length", "m", "Length '': not a length of time. Write e.g. 90s, 10m or 1h5m."),
        ("-", "Hold", "s", "Hold '-': not a length of time. Write e.g. 90s, 10m or 1h5m."),
        ("-25m", "Extended hold", "m", "Extended hold '-25m': an extended hold must be more than zero seconds."),
    ],
)
def test_a_bad_duration_names_its_field(text, what, unit, message):
    exc = refused(parse_duration, text, "the_field", what, default_unit=unit)
    assert (exc.field, exc.message) == ("the_field", message)


@pytest.mark.parametrize("text, seconds", [("3", 3), ("10", 600), ("1h5m", 3900), ("2m30s", 150), (" 90s ", 90)])
def test_a_good_duration_is_read_as_before(text, seconds):
    assert parse_duration(text, "length", "Length", default_unit="m" if text == "10" else "s") == seconds


@pytest.mark.parametrize(
    "text, what, message",
    [
        ("2026-13-01", "Date", "Date '2026-13-01': not a date. Write it as YYYY-MM-DD, e.g. 2026-11-25."),
        (
            "2026-02-30",
            "Arrival date",
            "Arrival date '2026-02-30': not a date. Write it as YYYY-MM-DD, e.g. 2026-11-25.",
        ),
        ("1900-01-01", "Date", "Date '1900-01-01': too far from today to be right; check the year."),
    ],
)
def test_a_bad_date_names_its_field(text, what, message):
    assert refused(parse_date, text, "date", TODAY, what).message == message


def test_a_bad_age_names_the_age():
    assert refused(parse_age, "-3w", TODAY).message.startswith("Age '-3w': not an age.")


def _session(**change) -> SessionInput:
    start = NOW - timedelta(hours=1)
    values = {"started_at": start, "ended_at": start + timedelta(minutes=10), "activities": ["talked"]} | change
    return SessionInput(**values)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"holds": [-3]}, "holds", "Hold '-3': a hold must be more than zero seconds."),
        ({"holds": [0]}, "holds", "Hold '0': a hold must be more than zero seconds."),
        ({"holds": [900]}, "holds", "Hold '900': 900 s is longer than the session (600 s) or than 2 hours"),
        ({"holds": [400, 400]}, "holds", "Holds: they add up to 800 s, longer than the session (600 s)."),
        ({"ended_at": NOW - timedelta(hours=1)}, "ended_at", "Length: the session ends before it starts"),
        ({"ended_at": NOW + timedelta(hours=9)}, "ended_at", "Length: a session of 10:00:00 is not plausible"),
        ({"started_at": NOW + timedelta(hours=1)}, "started_at", "Start: the session starts in the future"),
        (
            {"extended_hold_seconds": -60, "extended_hold_end": "completed"},
            "extended_hold_seconds",
            "Extended hold '-60': an extended hold must be more than zero seconds.",
        ),
    ],
)
def test_a_session_check_names_its_field(change, field, message):
    exc = refused(check_session, _session(**change), NOW)
    assert exc.field == field and exc.message.startswith(message), exc.message
