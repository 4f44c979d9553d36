"""The backup file format (version 1), as pydantic models that refuse anything else.

Every field is typed and bounded, and unknown fields are refused, so a broken or
hostile file fails validation before anything is written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1, max_length=16)]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeeperIn(_M):
    username: Annotated[str, Field(min_length=1, max_length=150)]
    first_name: Annotated[str, Field(max_length=150)] = ""
    last_name: Annotated[str, Field(max_length=150)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    password: Annotated[str, Field(max_length=128)] = ""
    is_active: bool = True
    date_joined: datetime


class MemberIn(_M):
    keeper: str
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
    air_space: Literal["separate_building", "another_room", "same_room"]
    created_at: datetime


class HealthCheckIn(_M):
    day: date
    signs: list[str] = Field(max_length=40)
    notes: str
    keeper: str | None
    created_at: datetime


class CageStayIn(_M):
    cage: Id
    moved_in_on: date
    moved_out_on: date | None
    moved_by: str | None
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


class MeetingIn(_M):
    id: Id
    keeper: str | None
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
    created_by: str | None
    meetings: list[MeetingIn]


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


class AlertIn(_M):
    code: Annotated[str, Field(max_length=64)]
    level: Literal["stop", "warning", "caution"]
    message: Annotated[str, Field(max_length=2000)]


class SessionIn(_M):
    id: Id
    animal: Id
    keeper: str | None
    sitting: Id
    started_at: datetime
    ended_at: datetime
    day: date
    activities: list[str]
    holds: list[Annotated[int, Field(gt=0, le=7200)]] = Field(max_length=50)
    observations: list[str]
    extended_hold_seconds: Annotated[int, Field(gt=0, le=6 * 3600)] | None
    extended_hold_end: str
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


class BackupIn(_M):
    format: Literal["gentling-backup"]
    version: int
    exported_at: datetime
    keepers: list[KeeperIn]
    households: list[HouseholdIn]
