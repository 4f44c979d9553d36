"""Two households, A and B, each with an owner, a viewer, animals, a session and an introduction,
and API tokens for each keeper. Animals arrive relative to the real clock, as the API reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from gentling.domain.validation import SessionInput
from gentling.models import Animal, Household, Introduction, Session
from gentling.services.animals import AnimalDetails, add_animal
from gentling.services.api_tokens import create_token
from gentling.services.arrivals import start_introduction
from gentling.services.households import add_member, create_household, local_keeper
from gentling.services.sessions import log_session

from .helpers import Api, today


@dataclass
class Side:
    household: Household
    owner: object
    carer: object
    viewer: object
    owner_token: str
    carer_token: str
    viewer_token: str
    rat: Animal  # home for 60 days, past quarantine, in a cage
    newcomer: Animal  # a rescue rat home for 3 days: in quarantine
    session: Session
    intro: Introduction

    @property
    def hid(self) -> str:
        return self.household.public_id


def make_animal(household, name, *, days_ago, species="rat", source="rescue", **extra) -> Animal:
    animal, _ = add_animal(
        household=household,
        today=today(),
        details=AnimalDetails(
            name=name, species=species, source=source, arrival_date=today() - timedelta(days=days_ago), **extra
        ),
    )
    return animal


def log(keeper, household, animals, *, ago=timedelta(days=1), minutes=5, activities=("talked",)) -> list:
    now = timezone.now()
    start = now - ago
    entry = SessionInput(start, start + timedelta(minutes=minutes), list(activities))
    return log_session(keeper=keeper, household=household, animals=list(animals), entry=entry, now=now)


def token_for(keeper, name="script") -> str:
    return create_token(keeper=keeper, name=name, now=timezone.now())[1]


def make_side(letter: str, household_name: str, rat_name: str, newcomer_name: str) -> Side:
    owner = local_keeper(f"{letter}-owner")
    carer = local_keeper(f"{letter}-carer")
    viewer = local_keeper(f"{letter}-viewer")
    h = create_household(keeper=owner, name=household_name, time_zone="UTC")
    add_member(by=owner, household=h, keeper=carer, role="carer")
    add_member(by=owner, household=h, keeper=viewer, role="viewer")
    rat = make_animal(h, rat_name, days_ago=60, sex="female", cage=f"{rat_name}'s cage")
    newcomer = make_animal(h, newcomer_name, days_ago=3, sex="female")
    session = log(owner, h, [rat])[0].session
    intro = start_introduction(
        keeper=owner, household=h, newcomers=[newcomer], residents=[rat], cage_name="Big Cage", day=today()
    )
    return Side(
        h, owner, carer, viewer, token_for(owner), token_for(carer), token_for(viewer), rat, newcomer, session, intro
    )


@pytest.fixture
def a(db) -> Side:
    return make_side("a", "Maple Street", "Whiskerina", "Pipkin")


@pytest.fixture
def b(db) -> Side:
    return make_side("b", "Elsewhere", "Zanzibar", "Quill")


@pytest.fixture
def api() -> Api:
    return Api()
