"""Checking what a keeper typed, in one place for every interface.

Each check raises `InvalidInput` with the field and a sentence a keeper
understands. The CLI, the web forms and the API all call these (through the
services), so the same input gets the same answer everywhere.

Every message names the field in the keeper's words (`what`), because not
every interface shows it beside the field: "Hold '-3': a hold must be more
than zero seconds." A parse error quotes what was typed, as it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from . import vocab
from .errors import InvalidInput
from .protocol import Measure, Protocol

NAME_MAX = 100
NOTES_MAX = 2000
SESSION_MAX = timedelta(hours=6)
HOLD_MAX_SECONDS = 2 * 3600
HOLDS_MAX = 50
FUTURE_TOLERANCE = timedelta(minutes=2)
OLDEST_AGE_DAYS = 6 * 365  # no rat or mouse lives this long


def check_name(value: str, field_name: str = "name", what: str = "Name") -> str:
    name = (value or "").strip()
    if not name:
        raise InvalidInput(field_name, f"{what} is empty: give it a name.")
    if len(name) > NAME_MAX:
        raise InvalidInput(field_name, f"{what} is {len(name)} characters long; the limit is {NAME_MAX}.")
    if any(ord(c) < 32 for c in name):
        raise InvalidInput(field_name, f"{what} contains control characters.")
    return name


def check_notes(value: str | None, field_name: str = "notes") -> str:
    text = (value or "").strip()
    if len(text) > NOTES_MAX:
        raise InvalidInput(field_name, f"Notes are {len(text)} characters long; the limit is {NOTES_MAX}.")
    return text


def check_choice(value: str, choices: dict[str, str], field_name: str, what: str) -> str:
    key = (value or "").strip().lower().replace("-", "_").replace(" ", "_")
    if key not in choices:
        raise InvalidInput(field_name, f"Unknown {what} '{value}'. Choose one of: {', '.join(choices)}.")
    return key


def check_names(values: Iterable[str], known: Mapping[str, object], field_name: str, what: str) -> list[str]:
    """Known vocabulary names, in vocabulary order, without duplicates."""
    wanted = {v.strip().lower().replace("-", "_") for v in values if v and v.strip()}
    unknown = sorted(wanted - set(known))
    if unknown:
        # Every interface reaches here (the API and backups too), so the names are given, not a command.
        shown = ", ".join(f"'{name[:40]}'" for name in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise InvalidInput(field_name, f"Unknown {what}: {shown}. The known names are: {', '.join(known)}.")
    return [name for name in known if name in wanted]


def _a(what: str) -> str:
    """'Hold' -> 'a hold', 'Extended hold' -> 'an extended hold'."""
    noun = what.lower()
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def parse_date(text: str, field_name: str, today: date, what: str = "Date") -> date:
    """ISO dates (2026-11-25), or 'today' / 'yesterday'."""
    raw = (text or "").strip().lower()
    if raw == "today":
        return today
    if raw == "yesterday":
        return today - timedelta(days=1)
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            field_name, f"{what} '{text}': not a date. Write it as YYYY-MM-DD, e.g. {today.isoformat()}."
        ) from None
    if abs(value.year - today.year) > 50:
        raise InvalidInput(field_name, f"{what} '{text}': too far from today to be right; check the year.")
    return value


def parse_moment(text: str, field_name: str, now: datetime, what: str = "Start") -> datetime:
    """'now', 'HH:MM' (today), 'YYYY-MM-DD HH:MM', or 'YYYY-MM-DD' (noon), in `now`'s time zone."""
    raw = (text or "").strip().lower()
    if raw in ("", "now"):
        return now
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}", raw):
            hh, mm = (int(x) for x in raw.split(":"))
            return now.replace(hour=hh, minute=mm, second=0, microsecond=0)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return datetime.fromisoformat(raw).replace(hour=12, tzinfo=now.tzinfo)
        moment = datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        raise InvalidInput(
            field_name, f"{what} '{text}': not a date and time. Write e.g. 18:30 (today) or {now:%Y-%m-%d} 18:30."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?\s*$")


def parse_duration(text: str, field_name: str, what: str, default_unit: str = "s") -> int:
    """'90', '90s', '10m', '1h5m', '2m30s' -> seconds. A bare number uses `default_unit`.

    `what` names the field for the keeper: "Hold '-3': a hold must be more than zero seconds."."""
    raw = (text or "").strip().lower()
    negative = raw.startswith("-")
    number = raw[1:].strip() if negative else raw
    if re.fullmatch(r"\d+", number):
        seconds = int(number) * {"s": 1, "m": 60}[default_unit]
    else:
        m = _DURATION.match(number)
        if not number or not m or not any(m.groups()):
            raise InvalidInput(field_name, f"{what} '{text}': not a length of time. Write e.g. 90s, 10m or 1h5m.")
        h, mi, s = (int(g or 0) for g in m.groups())
        seconds = h * 3600 + mi * 60 + s
    if negative or seconds <= 0:
        raise InvalidInput(field_name, f"{what} '{text}': {_a(what)} must be more than zero seconds.")
    return seconds


def duration_text(seconds: int) -> str:
    """Seconds as `parse_duration` reads them back exactly: 10 -> '10s', 300 -> '5m', 3930 -> '1h5m30s'."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((h, "h"), (m, "m"), (s, "s")) if n) or "0s"


def check_arrival(arrival: date, today: date) -> date:
    if arrival > today:
        raise InvalidInput(
            "arrival_date",
            f"Arrival date {arrival.isoformat()} is in the future; add the animal on the day it comes home.",
        )
    if (today - arrival).days > OLDEST_AGE_DAYS:
        raise InvalidInput(
            "arrival_date", f"Arrival date {arrival.isoformat()} is more than 6 years ago; check the year."
        )
    return arrival


def check_birth(birth: date | None, arrival: date, today: date) -> date | None:
    if birth is None:
        return None
    if birth > today:
        raise InvalidInput("birth_date", f"Birth date {birth.isoformat()} is in the future.")
    if birth > arrival:
        raise InvalidInput(
            "birth_date", f"Birth date {birth.isoformat()} is after the arrival date {arrival.isoformat()}."
        )
    if (today - birth).days > OLDEST_AGE_DAYS:
        raise InvalidInput(
            "birth_date", f"Birth date {birth.isoformat()} would make them over 6 years old; check the year."
        )
    return birth


def parse_age(text: str, today: date) -> date:
    """An estimated age ('8w', '3m', '1y', '10 weeks') -> an estimated birth date."""
    m = re.fullmatch(r"\s*(\d+)\s*(d|days?|w|weeks?|m|months?|y|years?)\s*", (text or "").lower())
    if not m:
        raise InvalidInput("age", f"Age '{text}': not an age. Write e.g. 10w (weeks), 4m (months) or 1y.")
    n, unit = int(m.group(1)), m.group(2)[0]
    days = n * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]
    if days > OLDEST_AGE_DAYS:
        raise InvalidInput("age", f"Age '{text}': older than any rat or mouse lives.")
    return today - timedelta(days=days)


@dataclass(frozen=True)
class Words:
    """The names a session may use: its animals' protocol's activities, observations and measures."""

    activities: Mapping[str, object]
    observations: Mapping[str, object]
    measures: Mapping[str, Measure]

    @classmethod
    def of(cls, protocols: Iterable[Protocol]) -> Words:
        """The words every one of `protocols` knows (a sitting with several animals uses only those)."""
        ps = list({id(p): p for p in protocols}.values())
        if not ps:
            return STANDARD_WORDS
        if len(ps) == 1 and id(ps[0]) in _ONE_PROTOCOL and _ONE_PROTOCOL[id(ps[0])][0] is ps[0]:
            return _ONE_PROTOCOL[id(ps[0])][1]

        def shared(pick: Callable[[Protocol], Mapping[str, Any]]) -> dict:
            first, *rest = (pick(p) for p in ps)
            return {k: v for k, v in first.items() if all(k in other for other in rest)}

        words = cls(
            shared(lambda p: p.activity_terms),
            shared(lambda p: p.observation_terms),
            shared(lambda p: p.measure_specs),
        )
        if len(ps) == 1:  # most sittings: one protocol, worked out once per process
            if len(_ONE_PROTOCOL) > 256:
                _ONE_PROTOCOL.clear()
            _ONE_PROTOCOL[id(ps[0])] = (ps[0], words)
        return words

    @classmethod
    def any_of(cls, protocols: Iterable[Protocol]) -> Words:
        """The words any one of `protocols` knows: what a form offers before its animals are chosen."""
        activities: dict = dict(vocab.ACTIVITIES)
        observations: dict = dict(vocab.OBSERVATIONS)
        measures: dict = {}
        for p in protocols:
            activities.update(p.activity_terms)
            observations.update(p.observation_terms)
            measures.update(p.measure_specs)
        return cls(activities, observations, measures)


STANDARD_WORDS = Words(vocab.ACTIVITIES, vocab.OBSERVATIONS, {})
# A protocol's words, by the protocol object (kept with it, so a reused id is never mistaken).
_ONE_PROTOCOL: dict[int, tuple[Protocol, Words]] = {}


@dataclass(frozen=True)
class SessionInput:
    """A session as typed, before checking. Times are timezone-aware."""

    started_at: datetime
    ended_at: datetime
    activities: list[str] = field(default_factory=list)
    holds: list[int] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    extended_hold_seconds: int | None = None
    extended_hold_end: str | None = None
    notes: str = ""
    measures: Mapping[str, object] = field(default_factory=dict)  # name -> number (or its text)


def check_session(s: SessionInput, now: datetime, words: Words = STANDARD_WORDS) -> SessionInput:
    """The checked, normalised session: known names, plausible times and holds, measures in range."""
    if s.started_at > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            "started_at",
            f"Start: the session starts in the future ({s.started_at:%Y-%m-%d %H:%M}); log sessions that happened.",
        )
    # The end is the start plus the length everywhere but the API, which may send the end itself.
    if s.ended_at <= s.started_at:
        raise InvalidInput(
            "ended_at",
            "Length: the session ends before it starts; it must last more than zero "
            "seconds. Check the start time and the length.",
        )
    length = s.ended_at - s.started_at
    if length > SESSION_MAX:
        raise InvalidInput(
            "ended_at",
            f"Length: a session of {length} is not plausible: sessions last minutes, "
            f"at most {SESSION_MAX.seconds // 3600} hours.",
        )
    activities = check_names(s.activities, words.activities, "activities", "activity")
    observations = check_names(s.observations, words.observations, "observations", "observation")
    holds = _check_holds(s.holds, int(length.total_seconds()))
    if holds and "picked_up" not in activities:
        activities = check_names([*activities, "picked_up"], words.activities, "activities", "activity")
    ext_seconds, ext_end = _check_extended_hold(s, int(length.total_seconds()))
    if ext_seconds is not None and "extended_hold" not in activities:
        activities = check_names([*activities, "extended_hold"], words.activities, "activities", "activity")
    if "extended_hold" in activities and ext_seconds is None:
        raise InvalidInput("extended_hold_seconds", "An extended hold needs its length (e.g. 25m) and how it ended.")
    measures = check_measures(s.measures, words.measures)
    if not activities and not observations and not measures:
        raise InvalidInput("activities", "Nothing to record: name at least one activity (e.g. talked) or observation.")
    return SessionInput(
        s.started_at,
        s.ended_at,
        activities,
        holds,
        observations,
        ext_seconds,
        ext_end,
        check_notes(s.notes),
        measures,
    )


MEASURES_MAX = 50


def check_measures(values: Mapping[str, object], known: Mapping[str, Measure]) -> dict[str, float | int]:
    """Each measure known to the protocol, a number in its range (whole for a count), in protocol order.
    An empty value is left out: not measured."""
    if not isinstance(values, Mapping):
        raise InvalidInput("measures", "Measures: give them as name and number pairs, e.g. calls_50khz=12.")
    if len(values) > MEASURES_MAX:
        raise InvalidInput("measures", f"Measures: {len(values)} is too many; the limit is {MEASURES_MAX}.")
    given = {str(k).strip().lower(): v for k, v in values.items() if v is not None and str(v).strip() != ""}
    unknown = sorted(set(given) - set(known))
    if unknown:
        shown = ", ".join(f"'{name[:40]}'" for name in unknown[:5])
        names = ", ".join(known) or "none: this protocol records no measures"
        raise InvalidInput("measures", f"Unknown measure: {shown}. The known measures are: {names}.")
    checked: dict[str, float | int] = {}
    for name, m in known.items():
        if name in given:
            checked[name] = _measure_value(given[name], m)
    return checked


def _measure_value(raw: object, m: Measure) -> float | int:
    unit = f" {m.unit}" if m.unit else ""
    text = str(raw).strip().replace(",", ".") if not isinstance(raw, (int, float)) else raw
    if isinstance(raw, bool):
        text = "not a number"
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InvalidInput("measures", f"{m.label} '{raw}': not a number.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput("measures", f"{m.label} '{raw}': not a number.")
    if m.whole and not value.is_integer():
        raise InvalidInput("measures", f"{m.label} '{raw}': a count is a whole number.")
    if not m.min <= value <= m.max:
        raise InvalidInput("measures", f"{m.label} '{raw}': must be between {m.min:g} and {m.max:g}{unit}.")
    return int(value) if m.whole else value


def _check_holds(holds: list[int], session_seconds: int) -> list[int]:
    if len(holds) > HOLDS_MAX:
        raise InvalidInput(
            "holds", f"Holds: {len(holds)} pick-ups in one session is too many to be real; the limit is {HOLDS_MAX}."
        )
    for h in holds:
        if not isinstance(h, int) or isinstance(h, bool):
            raise InvalidInput("holds", f"Hold '{h}': each hold is a whole number of seconds.")
        if h <= 0:
            raise InvalidInput("holds", f"Hold '{h}': a hold must be more than zero seconds.")
        if h > HOLD_MAX_SECONDS or h > session_seconds:
            raise InvalidInput(
                "holds",
                f"Hold '{h}': {h} s is longer than the session ({session_seconds} s) "
                "or than 2 hours; check the number.",
            )
    if sum(holds) > session_seconds:
        raise InvalidInput(
            "holds", f"Holds: they add up to {sum(holds)} s, longer than the session ({session_seconds} s)."
        )
    return list(holds)


def _check_extended_hold(s: SessionInput, session_seconds: int) -> tuple[int | None, str | None]:
    if s.extended_hold_seconds is None:
        if s.extended_hold_end:
            raise InvalidInput("extended_hold_seconds", "An extended hold ending was given without its length.")
        return None, None
    secs = s.extended_hold_seconds
    if not isinstance(secs, int) or isinstance(secs, bool) or secs <= 0:
        raise InvalidInput(
            "extended_hold_seconds", f"Extended hold '{secs}': an extended hold must be more than zero seconds."
        )
    if secs > session_seconds:
        raise InvalidInput(
            "extended_hold_seconds", f"The extended hold ({secs} s) is longer than the session ({session_seconds} s)."
        )
    if not s.extended_hold_end:
        raise InvalidInput(
            "extended_hold_end", f"Say how the extended hold ended: {', '.join(vocab.EXTENDED_HOLD_ENDINGS)}."
        )
    end = check_choice(s.extended_hold_end, vocab.EXTENDED_HOLD_ENDINGS, "extended_hold_end", "extended hold ending")
    return secs, end
