"""Two households, A and B, each with an owner, a viewer, animals, a session and an introduction,
and API tokens for each keeper. Animals arrive relative to the real clock, as the API reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from gentling.models import Animal, Household, Introduction, Session
from gentling.services.arrivals import start_introduction
from gentling.services.households import add_member, create_household, local_keeper
from tests.factories import log, make_animal, make_token

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


def make_side(letter: str, household_name: str, rat_name: str, newcomer_name: str) -> Side:
    owner = local_keeper(f"{letter}-owner")
    carer = local_keeper(f"{letter}-carer")
    viewer = local_keeper(f"{letter}-viewer")
    h = create_household(keeper=owner, name=household_name, time_zone="UTC")
    add_member(by=owner, household=h, keeper=carer, role="carer")
    add_member(by=owner, household=h, keeper=viewer, role="viewer")
    now = timezone.now()
    rat = make_animal(h, today=today(), name=rat_name, days_ago=60, sex="female", cage=f"{rat_name}'s cage")
    newcomer = make_animal(h, today=today(), name=newcomer_name, days_ago=3, sex="female")
    session = log(owner, h, [rat], now=now, ago=timedelta(days=1))[0].session
    intro = start_introduction(
        keeper=owner, household=h, newcomers=[newcomer], residents=[rat], cage_name="Big Cage", day=today()
    )
    tokens = [make_token(keeper, now=now) for keeper in (owner, carer, viewer)]
    return Side(h, owner, carer, viewer, *tokens, rat, newcomer, session, intro)


@pytest.fixture
def a(db) -> Side:
    return make_side("a", "Maple Street", "Whiskerina", "Pipkin")


@pytest.fixture
def b(db) -> Side:
    return make_side("b", "Elsewhere", "Zanzibar", "Quill")


@pytest.fixture
def api() -> Api:
    return Api()
