"""The quarantine list, written once (services/arrivals.in_quarantine): the API's
/quarantines and `gentling quarantine list` both read it, at a cost that does not grow
with the number of animals."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gentling.services.animals import AnimalDetails, edit_animal
from gentling.services.arrivals import in_quarantine
from tests.factories import make_animal

from .conftest import TODAY


def test_it_lists_the_animals_still_in_quarantine_by_name_with_the_days_left(household, residents):
    make_animal(household, today=TODAY, name="Nova")
    make_animal(household, today=TODAY, name="Aster", days_ago=5)
    make_animal(household, today=TODAY, name="Old Timer", days_ago=40)  # a quarantine long over
    rows = in_quarantine(household, TODAY)
    assert [(a.name, q.days_left) for a, q in rows] == [("Aster", 16), ("Nova", 21)]


def test_an_animal_that_has_left_is_not_listed(household, owner, residents):
    nova = make_animal(household, today=TODAY, name="Nova")
    edit_animal(keeper=owner, animal=nova, details=AnimalDetails(status="adopted"), today=TODAY)
    assert in_quarantine(household, TODAY) == []


def test_twenty_newcomers_cost_the_same_queries_as_one(household, residents):
    make_animal(household, today=TODAY, name="Newcomer 0")
    with CaptureQueriesContext(connection) as one:
        assert len(in_quarantine(household, TODAY)) == 1
    for n in range(1, 20):
        make_animal(household, today=TODAY, name=f"Newcomer {n}")
    with CaptureQueriesContext(connection) as twenty:
        assert len(in_quarantine(household, TODAY)) == 20
    assert len(twenty) == len(one) <= 4
