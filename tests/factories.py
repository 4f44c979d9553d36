"""Test data builders: each makes its record through the service a keeper's action uses,
with keyword options and plain defaults.

None of them reads the clock. The caller passes the day (`today`) or the moment (`now`):
a fixed one (tests/integration's NOW and TODAY) where the code under test takes it as an
argument, or the one the views and the API will read (`timezone.now()`) where they do.

Pure domain records (AnimalFacts, SessionRecord, no database) are built elsewhere:
tests/domain/builders.py and tests/charts/builders.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from gentling.domain.validation import SessionInput
from gentling.models import Animal, Household
from gentling.services.animals import AnimalDetails, add_animal
from gentling.services.api_tokens import create_token
from gentling.services.arrivals import start_introduction
from gentling.services.sessions import Logged, log_session


def make_animal(
    household: Household,
    *,
    today: date,
    name: str = "Whiskers",
    species: str = "rat",
    source: str = "rescue",
    days_ago: int = 0,
    keeper=None,
    **details,
) -> Animal:
    """An animal added on `today` that arrived `days_ago` days before it (0: arrived today,
    still settling in). `details` are AnimalDetails' other fields (sex, cage, status, ...);
    `keeper`, when given, is the member who adds it (checked for write access)."""
    animal, _ = add_animal(
        keeper=keeper,
        household=household,
        today=today,
        details=AnimalDetails(
            name=name, species=species, source=source, arrival_date=today - timedelta(days=days_ago), **details
        ),
    )
    return animal


def log(
    keeper,
    household: Household,
    animals: Iterable[Animal],
    *,
    now: datetime,
    ago: timedelta = timedelta(hours=1),
    minutes: int = 5,
    activities: Iterable[str] = ("talked",),
    holds: Iterable[int] = (),
    observations: Iterable[str] = (),
    notes: str = "",
) -> list[Logged]:
    """One sitting with `animals`, logged at `now` through the service a keeper's Save uses:
    it started `ago` before `now` and lasted `minutes`. One Logged per animal."""
    start = now - ago
    entry = SessionInput(
        start, start + timedelta(minutes=minutes), list(activities), list(holds), list(observations), notes=notes
    )
    return log_session(keeper=keeper, household=household, animals=list(animals), entry=entry, now=now)


def bring_to_step(keeper, household: Household, step_id: str, *, now: datetime, **details) -> Animal:
    """An animal (`details` as make_animal's) whose keeper has followed the plan every day since it
    arrived, calmly, so that on `now`'s day it stands at `step_id`. The plan is the domain
    builders' follow_plan, replayed through the service a keeper's Save uses."""
    from gentling.domain.protocol import shipped_protocol
    from gentling.domain.records import AnimalFacts
    from tests.domain.builders import follow_plan

    species, source = details.pop("species", "rat"), details.pop("source", "breeder")
    probe = AnimalFacts(species=species, source=source, arrival_date=date(2024, 3, 1))
    records, reached = follow_plan(shipped_protocol(species), probe, until_step=step_id)
    today = now.date()
    animal = make_animal(
        household, today=today, species=species, source=source, days_ago=(reached - probe.arrival_date).days, **details
    )
    for n, r in enumerate(records):
        start = datetime.combine(today - (reached - r.day), datetime.min.time(), now.tzinfo) + timedelta(
            hours=8 + n % 2 * 6
        )
        entry = SessionInput(
            start,
            start + timedelta(seconds=r.duration_seconds),
            sorted(r.activities),
            list(r.holds),
            sorted(r.observations),
            extended_hold_seconds=r.extended_hold_seconds,
            extended_hold_end=r.extended_hold_end or "",
        )
        log_session(keeper=keeper, household=household, animals=[animal], entry=entry, now=entry.ended_at)
    return animal


def make_token(keeper, *, now: datetime, name: str = "script") -> str:
    """A new API token for `keeper`, made at `now`: the full token, as the keeper copies it."""
    return create_token(keeper=keeper, name=name, now=now)[1]


def make_introductions(keeper, household: Household, count: int, *, today: date) -> None:
    """`count` introductions under way, each of a newcomer (home 40 days) to a resident in its own cage."""
    for i in range(count):
        resident = make_animal(
            household, today=today, name=f"Resident {i:02}", days_ago=60, sex="female", cage=f"Home {i:02}"
        )
        newcomer = make_animal(household, today=today, name=f"Newcomer {i:02}", days_ago=40, sex="female")
        start_introduction(
            keeper=keeper,
            household=household,
            newcomers=[newcomer],
            residents=[resident],
            cage_name=f"Home {i:02}",
            day=today,
        )
