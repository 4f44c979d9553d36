"""The backup file format (versions 1 and 2): pydantic models that refuse anything
else, and the JSON stream that a backup is written as and read from.

Every field is typed and bounded, ids and usernames match the patterns used
everywhere else, and unknown fields are refused, so a broken or hostile file
fails validation. The reader checks a backup in pieces (all but the sessions,
then each session), so it never holds a whole file in memory, and it refuses
nesting deeper than a backup ever has as soon as it meets it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, BinaryIO, Literal

import ijson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..domain.arrivals import AirSpace

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,16}")
USERNAME_PATTERN = re.compile(r"[\w.@+-]{1,150}")  # Django's own rule for usernames
MAX_DEPTH = 12  # a backup nests 8 deep at most (households > animals > health checks > signs)
# The parser hands over the events of one read at a time, each with its full prefix: a read of
# 64 KB of "[[[[..." builds 64K prefixes up to 300 KB long before the depth check sees the
# first. Reads of 4 KB keep that bounded (a 200 KB-deep file is refused in milliseconds).
_READ_SIZE = 4096


def _id(value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise ValueError(f"the id '{value[:40]}' is not a Gentling id (1 to 16 letters, digits, - or _)")
    return value


def _username(value: str) -> str:
    if not USERNAME_PATTERN.fullmatch(value):
        raise ValueError(f"the keeper name '{value[:40]}' is not a username (letters, digits and @ . + - _)")
    return value


Id = Annotated[str, AfterValidator(_id)]
Username = Annotated[str, AfterValidator(_username)]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeeperIn(_M):
    """A keeper named in the backup. Only an instance backup (or a version 1 file)
    carries the account's details; a households backup gives the username alone."""

    username: Username
    first_name: Annotated[str, Field(max_length=150)] = ""
    last_name: Annotated[str, Field(max_length=150)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    password: Annotated[str, Field(max_length=128)] = ""
    is_active: bool = True
    date_joined: datetime | None = None


class MemberIn(_M):
    keeper: Username
    role: Literal["owner", "carer", "viewer"]
    joined_at: datetime


class CageIn(_M):
    id: Id
    name: str
    created_at: datetime


class PhotoIn(_M):
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    data: Annotated[str, Field(max_length=7 * 1024 * 1024)]
    uploaded_at: datetime


class QuarantineIn(_M):
    started_on: date
    air_space: AirSpace
    created_at: datetime


class HealthCheckIn(_M):
    day: date
    signs: list[str] = Field(max_length=40)
    notes: str
    keeper: Username | None
    created_at: datetime


class CageStayIn(_M):
    cage: Id
    moved_in_on: date
    moved_out_on: date | None
    moved_by: Username | None
    override_reason: str
    overridden: list[Annotated[str, Field(max_length=64)]] = Field(max_length=20)


class LitterIn(_M):
    id: Id
    name: str
    species: str
    birth_date: date
    mother: Id | None
    separated_on: date | None
    notes: str


class CohortIn(_M):
    id: Id
    name: str
    animals: list[Id] = Field(max_length=100_000)
    created_at: datetime


class MeetingIn(_M):
    id: Id
    keeper: Username | None
    started_at: datetime
    day: date
    duration_seconds: Annotated[int, Field(gt=0, le=12 * 3600)]
    behaviours: list[Annotated[str, Field(max_length=64)]] = Field(max_length=40)
    notes: str


class IntroductionIn(_M):
    id: Id
    newcomers: list[Id]
    residents: list[Id]
    cage: Id | None
    started_on: date
    cage_cleaned_on: date | None
    finished_on: date | None
    created_by: Username | None
    meetings: list[MeetingIn]


class ProtocolIn(_M):
    """A household protocol's version: its TOML text is checked in full on restore, like an upload."""

    id: Annotated[str, Field(max_length=64)]
    version: Annotated[int, Field(ge=1, le=1_000_000)]
    text: Annotated[str, Field(max_length=64 * 1024)]
    uploaded_by: Username | None = None
    uploaded_at: datetime


class ProtocolMoveIn(_M):
    id: Id
    moved_at: datetime
    from_protocol: Annotated[str, Field(max_length=64)]
    from_version: Annotated[int, Field(ge=0)]
    from_step: Annotated[str, Field(max_length=48)]
    to_protocol: Annotated[str, Field(max_length=64)]
    to_version: Annotated[int, Field(ge=0)]
    to_step: Annotated[str, Field(max_length=48)]
    how: Literal["mapped", "restarted"]
    moved_by: Username | None = None


class AnimalIn(_M):
    id: Id
    name: str
    species: str
    sex: str
    birth_date: date | None
    birth_date_estimated: bool
    source: str
    arrival_date: date
    cage: Id | None
    status: str
    extended_hold_opt_in: bool
    notes: str
    created_at: datetime
    photo: PhotoIn | None = None
    neutered_on: date | None = None
    litter: Id | None = None
    quarantines: list[QuarantineIn] = []
    health_checks: list[HealthCheckIn] = []
    cage_stays: list[CageStayIn] = []
    protocol: Annotated[str, Field(max_length=64)] = ""  # "": the handling ladder of its species
    protocol_version: Annotated[int, Field(ge=0)] = 0  # of a household protocol; 0 for a shipped one
    protocol_since: date | None = None
    protocol_start_step: Annotated[str, Field(max_length=48)] = ""
    protocol_moves: list[ProtocolMoveIn] = Field([], max_length=1000)


class AlertIn(_M):
    code: Annotated[str, Field(max_length=64)]
    level: Literal["stop", "warning", "caution"]
    message: Annotated[str, Field(max_length=2000)]


class SessionIn(_M):
    id: Id
    animal: Id
    keeper: Username | None
    sitting: Id
    started_at: datetime
    ended_at: datetime
    day: date
    activities: list[str]
    holds: list[Annotated[int, Field(gt=0, le=7200)]] = Field(max_length=50)
    observations: list[str]
    extended_hold_seconds: Annotated[int, Field(gt=0, le=6 * 3600)] | None
    extended_hold_end: str
    measures: dict[Annotated[str, Field(max_length=64)], float] = Field({}, max_length=50)
    protocol: Annotated[str, Field(max_length=64)] = ""
    protocol_version: Annotated[int, Field(ge=0)] = 0
    notes: str
    alerts: list[AlertIn] = Field(max_length=50)
    created_at: datetime


class HouseholdIn(_M):
    id: Id
    name: str
    time_zone: Annotated[str, Field(max_length=64)]
    created_at: datetime
    members: list[MemberIn]
    cages: list[CageIn]
    animals: list[AnimalIn]
    sessions: list[SessionIn]
    litters: list[LitterIn] = []
    introductions: list[IntroductionIn] = []
    cohorts: list[CohortIn] = []
    protocols: list[ProtocolIn] = Field([], max_length=1000)


class BackupIn(_M):
    format: Literal["gentling-backup"]
    version: int
    scope: Literal["households", "instance"] | None = None  # version 2 on; a version 1 file has none
    exported_at: datetime
    keepers: list[KeeperIn]
    households: list[HouseholdIn]


# --- the file as a stream -------------------------------------------------------------------
# A backup can hold a million sessions, so neither side holds the whole file:
# the writer takes lazy lists, and the reader reads the file twice, first
# everything but the sessions, then the sessions one at a time.

SESSIONS = "households.item.sessions"  # where each household's sessions are, in ijson's terms
_INSIDE_SESSIONS = SESSIONS + "."
_SESSION = SESSIONS + ".item"
_HOUSEHOLD = "households.item"
_OPENS, _CLOSES = frozenset({"start_map", "start_array"}), frozenset({"end_map", "end_array"})
_VALUE_STARTS = frozenset({"start_map", "start_array", "null", "boolean", "integer", "double", "number", "string"})


class UnreadableBackup(ValueError):
    """The file is not JSON, or not JSON this reader can place (say, a key given twice)."""


def json_chunks(value, level: int = 0) -> Iterator[str]:
    """`value` as json.dumps(value, indent=2, ensure_ascii=False) writes it, in pieces.

    An iterator is written as a list, one item at a time, and so is a dict that
    holds one; everything else is written whole."""
    pad, close = "\n" + "  " * (level + 1), "\n" + "  " * level
    if isinstance(value, Iterator):
        empty = True
        for item in value:
            yield ("[" if empty else ",") + pad
            empty = False
            yield from json_chunks(item, level + 1)
        yield "[]" if empty else close + "]"
    elif isinstance(value, dict) and any(isinstance(v, Iterator) for v in value.values()):
        for i, (key, item) in enumerate(value.items()):
            yield ("{" if i == 0 else ",") + pad + json.dumps(key, ensure_ascii=False) + ": "
            yield from json_chunks(item, level + 1)
        yield close + "}"
    else:
        yield json.dumps(value, indent=2, ensure_ascii=False).replace("\n", close)


def materialised(value):
    """`value` with every iterator in it (see json_chunks) read into a list."""
    if isinstance(value, Iterator):
        return [materialised(item) for item in value]
    if isinstance(value, dict):
        return {key: materialised(item) for key, item in value.items()}
    return value


class _OnceOnly(dict):
    def __setitem__(self, key, value):
        if key in self:
            raise UnreadableBackup(f"the key '{key}' appears twice in one object")
        super().__setitem__(key, value)


def read_frame(stream: BinaryIO) -> tuple[object, list[int]]:
    """The first pass: the whole backup but its sessions (each household's
    "sessions" reads as []), and how many sessions each household lists.

    Memory grows with the animals and keepers, not with the sessions, which are
    only counted here; read_sessions reads them."""
    builder = ijson.ObjectBuilder(map_type=_OnceOnly)
    counts: list[int] = []
    depth = 0
    try:
        for prefix, event, value in ijson.parse(stream, buf_size=_READ_SIZE, use_float=True):
            if event in _OPENS:
                depth += 1
                if depth > MAX_DEPTH:  # before the parser's prefixes grow with it
                    raise UnreadableBackup(
                        f"it nests lists or objects more than {MAX_DEPTH} deep, which a Gentling backup never does"
                    )
            elif event in _CLOSES:
                depth -= 1
            if prefix.startswith(_INSIDE_SESSIONS):
                if prefix == _SESSION and event in _VALUE_STARTS:
                    counts[-1] += 1
                continue
            if event == "map_key" and "." in value:  # would read as a path: "sessions.item" is not "sessions"
                raise UnreadableBackup(f"the key '{value[:40]}' is not part of a Gentling backup")
            if prefix == _HOUSEHOLD and event in _VALUE_STARTS:
                counts.append(0)
            builder.event(event, value)
    except ijson.JSONError as exc:
        raise UnreadableBackup(_first_line(exc)) from None
    return builder.value, counts


def read_sessions(stream: BinaryIO) -> Iterator[object]:
    """The second pass: every household's sessions, in the file's order, one at a time."""
    try:
        yield from ijson.items(stream, _SESSION, use_float=True)
    except ijson.JSONError as exc:
        raise UnreadableBackup(_first_line(exc)) from None


def _first_line(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else ""
    if isinstance(detail, bytes):  # the C parser's messages come as bytes
        detail = detail.decode("utf-8", "replace")
    lines = str(detail).strip().splitlines()
    return "Invalid JSON: " + (lines[0] if lines else "the file is empty or cut short")
