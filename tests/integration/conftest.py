"""Shared fixtures: a household with an owner, a carer, a viewer, and an outsider
with a household of their own, so permission tests are cheap to write."""

from datetime import UTC, date, datetime

import pytest

from gentling.services.households import create_household
from tests.factories import make_animal

# A fixed "now" keeps every test independent of the wall clock.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def other_household(outsider):
    return create_household(keeper=outsider, name="Elsewhere", time_zone="UTC")


@pytest.fixture
def rat(household):
    return make_animal(household, today=TODAY)
