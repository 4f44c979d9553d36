"""Fixtures for the new-arrivals tests: the integration fixtures (owner, carer,
viewer, outsider, household) plus two residents, and a walk through an introduction.
Everything here goes through the services, as the CLI and web do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import make_animal
from tests.integration.conftest import (  # noqa: F401  (fixtures re-exported for pytest)
    NOW,
    TODAY,
    now,
    other_household,
)
from tests.moments import at  # noqa: F401 (the arrivals tests import it from here)


def d(n: int) -> date:
    """TODAY + n days."""
    return TODAY + timedelta(days=n)


@pytest.fixture
def residents(household):
    """Two female rats that arrived together 60 days ago and live in 'Big cage'."""
    return tuple(
        make_animal(
            household,
            today=TODAY,
            name=name,
            source="pet_store",
            days_ago=60,
            sex="female",
            birth_date=d(-150),
            cage="Big cage",
        )
        for name in ("Biscuit", "Pepper")
    )


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
