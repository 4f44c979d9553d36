"""CSV exports of a household's sessions and introduction meetings, for spreadsheets.

Rows are generated one at a time from a database iterator, so a large
household is never held in memory; the web streams them and the CLI writes
them to a file. Files are UTF-8 with a header row. Lists inside a cell are
separated by semicolons. Times are ISO 8601 in the household's time zone.

sessions.csv, one row per session (one animal's part of a sitting):

| column                | meaning                                                          |
|-----------------------|------------------------------------------------------------------|
| session_id            | the session's public id                                          |
| animal_id             | the animal's public id                                           |
| animal_name           | the animal's name                                                |
| species               | rat or mouse                                                     |
| keeper                | who logged it (empty if that keeper was removed)                 |
| day                   | the household's calendar day, YYYY-MM-DD                         |
| started_at            | start time, ISO 8601 with the household's UTC offset             |
| duration_seconds      | length of the session                                            |
| activities            | activity names (see `gentling vocab`), semicolon-separated       |
| pickups               | number of pick-ups                                               |
| hold_seconds          | seconds of each pick-up in order, semicolon-separated            |
| longest_hold_seconds  | the longest pick-up (empty if none)                              |
| observations          | observation names, semicolon-separated                           |
| comfort_signs         | how many of the observations are comfort signs                   |
| fear_signs            | how many of the observations are fear signs                      |
| extended_hold_seconds | length of an extended hold (empty if none)                       |
| extended_hold_end     | how the extended hold ended (empty if none)                      |
| protocol              | the protocol it was logged under ("ladder": the handling ladder) |
| protocol_version      | that protocol's version                                          |
| measures              | the protocol's measures as name=number, semicolon-separated      |
| alerts                | codes of the guardrail alerts shown, semicolon-separated         |
| notes                 | the keeper's notes                                               |

meetings.csv, one row per introduction meeting:

| column           | meaning                                                       |
|------------------|---------------------------------------------------------------|
| meeting_id       | the meeting's public id                                       |
| introduction_id  | the introduction's public id                                  |
| newcomers        | the newcomers' names, semicolon-separated                     |
| residents        | the residents' names, semicolon-separated                     |
| day              | the household's calendar day, YYYY-MM-DD                      |
| started_at       | start time, ISO 8601 with the household's UTC offset          |
| duration_seconds | length of the meeting                                         |
| behaviours       | behaviour names (see `gentling vocab`), semicolon-separated   |
| danger           | yes if any behaviour was a danger sign, else no               |
| notes            | the keeper's notes                                            |

Formula injection: a spreadsheet runs a cell that starts with =, +, - or @
(and some also one starting with a tab or carriage return) as a formula. Every
text cell that starts with one of those is prefixed with a single quote, so
a name or note such as "=HYPERLINK(...)" is shown as text, never run. The ids
are no exception: new ids never start with '-', but one restored from an older
backup may, and a spreadsheet would read it as a formula. Strip the quote to
match such an id against a backup. Numbers (durations, counts) stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import TextIO

from ..domain.arrivals import arrivals_protocol
from ..domain.vocab import COMFORT_SIGNS, FEAR_SIGNS
from ..models import Household, IntroductionMeeting, Session
from .progress import local_time

SESSION_COLUMNS = (
    "session_id",
    "animal_id",
    "animal_name",
    "species",
    "keeper",
    "day",
    "started_at",
    "duration_seconds",
    "activities",
    "pickups",
    "hold_seconds",
    "longest_hold_seconds",
    "observations",
    "comfort_signs",
    "fear_signs",
    "extended_hold_seconds",
    "extended_hold_end",
    "protocol",
    "protocol_version",
    "measures",
    "alerts",
    "notes",
)
MEETING_COLUMNS = (
    "meeting_id",
    "introduction_id",
    "newcomers",
    "residents",
    "day",
    "started_at",
    "duration_seconds",
    "behaviours",
    "danger",
    "notes",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500

Row = tuple[object, ...]


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet will show as text; numbers and empties pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _joined(values: Iterable[object]) -> str:
    return ";".join(str(v) for v in values)


def _blank(value: object) -> object:
    return "" if value is None else value


def session_rows(household: Household) -> Iterator[Row]:
    """The header, then one row per session, oldest first."""
    yield SESSION_COLUMNS
    sessions = (
        Session.objects.filter(animal__household=household)
        .select_related("animal", "keeper")
        .order_by("started_at", "public_id")
    )
    for s in sessions.iterator(chunk_size=CHUNK):
        observations = set(s.observations)
        yield (
            s.public_id,
            s.animal.public_id,
            s.animal.name,
            s.animal.species,
            s.keeper.username if s.keeper else "",
            s.day.isoformat(),
            local_time(household, s.started_at).isoformat(timespec="seconds"),
            s.duration_seconds,
            _joined(s.activities),
            len(s.holds),
            _joined(s.holds),
            max(s.holds, default=""),
            _joined(s.observations),
            len(observations & COMFORT_SIGNS),
            len(observations & FEAR_SIGNS),
            _blank(s.extended_hold_seconds),
            s.extended_hold_end,
            s.protocol or "ladder",
            s.protocol_version,
            _joined(f"{k}={v}" for k, v in s.measures.items()),
            _joined(a.get("code", "") for a in s.alerts if isinstance(a, dict)),
            s.notes,
        )


def meeting_rows(household: Household) -> Iterator[Row]:
    """The header, then one row per introduction meeting, oldest first."""
    yield MEETING_COLUMNS
    danger = set(arrivals_protocol().behaviours.danger)
    meetings = (
        IntroductionMeeting.objects.filter(introduction__household=household)
        .select_related("introduction")
        .prefetch_related("introduction__newcomers", "introduction__residents")
        .order_by("started_at", "public_id")
    )
    for m in meetings.iterator(chunk_size=CHUNK):
        intro = m.introduction
        yield (
            m.public_id,
            intro.public_id,
            _joined(sorted(a.name for a in intro.newcomers.all())),
            _joined(sorted(a.name for a in intro.residents.all())),
            m.day.isoformat(),
            local_time(household, m.started_at).isoformat(timespec="seconds"),
            m.duration_seconds,
            _joined(m.behaviours),
            "yes" if danger & set(m.behaviours) else "no",
            m.notes,
        )


EXPORTS = {"sessions": session_rows, "meetings": meeting_rows}


def csv_lines(rows: Iterable[Row]) -> Iterator[str]:
    """Each row as one CSV line (quoted as needed, every cell through the injection guard), for streaming.

    The first row is the header."""
    line = _Line()
    writer = csv.writer(line)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        yield line.take()


def write_csv(rows: Iterable[Row], stream: TextIO) -> int:
    """Write rows to an open text stream; returns the number of data rows (the header excluded)."""
    written = 0
    for text in csv_lines(rows):
        stream.write(text)
        written += 1
    return max(written - 1, 0)


class _Line:
    """A write-only buffer holding the line the csv writer just wrote."""

    def __init__(self) -> None:
        self._text = ""

    def write(self, text: str) -> None:
        self._text += text

    def take(self) -> str:
        text, self._text = self._text, ""
        return text
