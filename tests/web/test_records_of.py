"""Records read as plain columns (what the charts and the engine use) are the records read from the models."""

from datetime import UTC, datetime, time, timedelta

import pytest

from gentling.models import HealthCheck, Session
from gentling.services.progress import health_record, record, records_of
from tests.factories import make_animal

from .helpers import today


def at(days_ago: int, hour: int) -> datetime:
    return datetime.combine(today() - timedelta(days=days_ago), time(hour), tzinfo=UTC)


def add_session(animal, days_ago, hour, **fields):
    start = at(days_ago, hour)
    return Session.objects.create(
        animal=animal, started_at=start, ended_at=start + timedelta(minutes=7, seconds=5), day=start.date(), **fields
    )


@pytest.fixture
def two_animals(household):
    pip, dot = (
        make_animal(household, today=today(), name="Pip", days_ago=10),
        make_animal(household, today=today(), name="Dot", days_ago=10),
    )
    add_session(pip, 9, 8, activities=["talked", "treat_in_cage"], observations=["took_treat"])
    add_session(pip, 9, 18, activities=["talked", "treat_in_cage"], observations=["took_treat"])
    add_session(pip, 5, 9, activities=["picked_up", "talked"], holds=[3, 12, 7], observations=["relaxed", "froze"])
    add_session(
        pip,
        2,
        9,
        activities=["extended_hold"],
        extended_hold_seconds=1260,
        extended_hold_end="completed",
        notes="Dozed off — très calme",
    )
    add_session(pip, 1, 9, activities=["talked"], extended_hold_end="")
    add_session(dot, 4, 10, activities=["talked"], observations=["fled"])
    HealthCheck.objects.create(animal=pip, day=today() - timedelta(days=5), signs=["sneezing"])
    HealthCheck.objects.create(animal=dot, day=today() - timedelta(days=3), signs=[])
    return pip, dot


def from_models(animal, after=None, until=None):
    sessions = [record(s) for s in Session.objects.filter(animal=animal)]
    checks = [health_record(c) for c in HealthCheck.objects.filter(animal=animal)]
    return sorted(
        (r for r in sessions + checks if (after is None or r.day > after) and (until is None or r.day <= until)),
        key=lambda r: r.order,
    )


def test_every_field_of_every_record_is_the_same_as_read_from_the_models(two_animals):
    found = records_of(list(two_animals))

    for animal in two_animals:
        assert found[animal.pk] == from_models(animal)
    assert [r.duration_seconds for r in found[two_animals[0].pk] if r.is_session] == [425] * 5


def test_it_reads_only_the_days_asked_for(two_animals):
    after, until = today() - timedelta(days=6), today() - timedelta(days=2)

    found = records_of(list(two_animals), until=until, after=after)

    for animal in two_animals:
        assert found[animal.pk] == from_models(animal, after, until)
    assert {r.day for r in found[two_animals[0].pk]} == {today() - timedelta(days=5), today() - timedelta(days=2)}


def test_an_animal_without_records_has_an_empty_list(household):
    quiet = make_animal(household, today=today(), name="Quiet", days_ago=5)

    assert records_of([quiet]) == {quiet.pk: []}
