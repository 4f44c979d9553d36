"""Shared by the tests that run a real server against the test database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gentling.services.animals import AnimalDetails, add_animal
from gentling.services.households import create_household, local_keeper


@pytest.fixture
def clover_at_home(file_db):
    """An owner, their household and one rat, Clover, arrived three days ago; on a database other
    processes reach (file_db)."""
    owner = local_keeper("clover-owner")
    household = create_household(keeper=owner, name="Clover Street", time_zone="Europe/London")
    today = timezone.now().date()
    clover, _ = add_animal(
        keeper=owner,
        household=household,
        today=today,
        details=AnimalDetails(name="Clover", species="rat", source="breeder", arrival_date=today - timedelta(days=3)),
    )
    return owner, household, clover
