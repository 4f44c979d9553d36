"""Fixtures for the web tests: a household with an owner, a carer and a viewer;
an outsider with a household of their own. Animals arrive relative to the real
clock, because the views use timezone.now()."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gentling.models import Photo
from gentling.services.arrivals import start_introduction
from gentling.services.households import create_household, create_invite
from gentling.services.sessions import open_session
from tests.factories import log, make_animal

from .helpers import World, png_bytes, today


@pytest.fixture
def other_household(outsider):
    h = create_household(keeper=outsider, name="Elsewhere", time_zone="UTC")
    make_animal(h, today=today(), name="Zanzibar", source="breeder", days_ago=5)
    return h


@pytest.fixture
def rat(household):
    """A rescue rat, 5 days home: past settling in, at 'Treats with your hand in the cage'."""
    return make_animal(household, today=today(), name="Whiskerina", cage="Top Deck", days_ago=5)


@pytest.fixture
def world(owner, household, other_household):
    """Something of every kind in the household, for the permission matrix and the one-time tokens."""
    rat = make_animal(household, today=today(), name="Whiskerina", cage="Top Deck", days_ago=5)
    mouse = make_animal(
        household, today=today(), name="Pipkin", species="mouse", source="breeder", cage="Mouse House", days_ago=5
    )
    Photo.objects.create(animal=rat, content_type="image/png", data=png_bytes())
    logged = log(owner, household, [rat], now=timezone.now(), ago=timedelta(days=1))
    timer = open_session(keeper=owner, household=household, animals=[rat], now=timezone.now() - timedelta(minutes=10))
    invite = create_invite(by=owner, household=household, role="carer")
    w = World(
        household.public_id,
        rat.public_id,
        mouse.public_id,
        logged[0].session.public_id,
        timer.public_id,
        invite.token,
        other_household.public_id,
    )
    veteran = make_animal(household, today=today(), name="Nutmeg", days_ago=60, sex="female", cage="Old Cage")
    w.resident_aid = veteran.public_id
    w.iid = start_introduction(
        keeper=owner,
        household=household,
        newcomers=[rat],
        residents=[veteran],
        cage_name="Meeting Pen",
        day=timezone.now().date(),
    ).public_id
    return w
