"""Fixtures for the web tests: a household with an owner, a carer and a viewer;
an outsider with a household of their own. Animals arrive relative to the real
clock, because the views use timezone.now()."""

from __future__ import annotations

import pytest

from gentling.services.households import create_household

from .helpers import make_animal


@pytest.fixture
def other_household(outsider):
    h = create_household(keeper=outsider, name="Elsewhere", time_zone="UTC")
    make_animal(h, name="Zanzibar", source="breeder")
    return h


@pytest.fixture
def rat(household):
    """A rescue rat, 5 days home: past settling in, at 'Treats with your hand in the cage'."""
    return make_animal(household, name="Whiskerina", cage="Top Deck")


