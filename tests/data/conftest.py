"""Fixtures for the data tests: a household with an owner, a carer and a viewer,
an outsider with a household of their own, and two animals home for a while.
Animals arrive relative to the real clock, because the views use timezone.now()."""

from __future__ import annotations

import pytest

from gentling.services.households import create_household, local_keeper
from tests.factories import make_animal
from tests.web.conftest import other_household  # noqa: F401  (the fixture, shared)
from tests.web.helpers import today

ROLES = ["owner", "carer", "viewer", "outsider", "anonymous"]


@pytest.fixture
def animals(household):
    """A rat and a mouse home for a while (past quarantine), each in its own cage."""
    return [
        make_animal(household, today=today(), name="Whiskers", days_ago=20, cage="Top Deck"),
        make_animal(
            household, today=today(), name="Pip", species="mouse", source="breeder", days_ago=20, cage="Mouse House"
        ),
    ]


@pytest.fixture
def restorer(client, db):
    """A keeper on a fresh install, logged in: their own empty household, nothing else."""
    keeper = local_keeper("rosa-restorer")
    home = create_household(keeper=keeper, name="Fresh start", time_zone="UTC")
    client.force_login(keeper)
    return home
