"""Shared by the tests that run a real server against the test database."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gentling.services.households import create_household, local_keeper
from gentling.services.progress import local_today
from tests.factories import make_animal


@pytest.fixture
def clover_at_home(file_db):
    """An owner, their household and one rat, Clover, arrived three days ago; on a database other
    processes reach (file_db)."""
    owner = local_keeper("clover-owner")
    household = create_household(keeper=owner, name="Clover Street", time_zone="Europe/London")
    today = local_today(household, timezone.now())
    clover = make_animal(household, today=today, name="Clover", source="breeder", days_ago=3, keeper=owner)
    return owner, household, clover
