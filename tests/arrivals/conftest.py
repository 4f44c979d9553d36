"""Fixtures for the new-arrivals tests: the integration fixtures (owner, carer,
viewer, outsider, household) plus small builders for animals, introductions and
meetings. Everything here goes through the services, as the CLI and web do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gentling.services.animals import AnimalDetails, add_animal
from tests.integration.conftest import (  # noqa: F401  (fixtures re-exported for pytest)
    NOW,
    TODAY,
    make_animal,
    now,
    other_household,
)
from tests.moments import at  # noqa: F401 (the arrivals tests import it from here)


def d(n: int) -> date:
    """TODAY + n days."""
    return TODAY + timedelta(days=n)


def add(home, name, *, species="rat", source="rescue", arrived=TODAY, today=None, keeper=None, **extra):
    """add_animal through the service into household `home`, returning the animal (alerts dropped)."""
    animal, _ = add_animal(
        keeper=keeper,
        household=home,
        today=today or max(arrived, TODAY),
        details=AnimalDetails(name=name, species=species, source=source, arrival_date=arrived, **extra),
    )
    return animal


@pytest.fixture
def residents(household):
    """Two female rats that arrived together 60 days ago and live in 'Big cage'."""
    a = add(household, "Biscuit", source="pet_store", arrived=d(-60), sex="female", birth_date=d(-150), cage="Big cage")
    b = add(household, "Pepper", source="pet_store", arrived=d(-60), sex="female", birth_date=d(-150), cage="Big cage")
    return a, b


def run_introduction(keeper, intro, begins):
    """Walk a service-level introduction that begins on `begins` (quarantine over) to
    move-in: 3 + 2 days, three good meetings on days 5-7, the cage cleaned on day 8
    (the day after the meetings: see the same-day test in test_introductions).
    Returns the day it reaches move-in."""
    from gentling.services.arrivals import introduction_of, log_meeting, mark_cage_cleaned

    for n, minutes in ((5, 30), (6, 45), (7, 60)):
        day = begins + timedelta(days=n)
        log_meeting(
            keeper=keeper,
            intro=intro,
            started_at=at(day),
            duration_seconds=minutes * 60,
            behaviours=["sniffing"],
            notes="",
            now=at(day, 20),
        )
    done = begins + timedelta(days=8)
    mark_cage_cleaned(keeper=keeper, intro=intro, day=done, today=done)
    assert introduction_of(intro, done).at_move_in
    return done
