"""A rescue's Today: above 30 active animals it lists the cages first, and each cage opens on its own."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.models import Cage
from gentling.web.views.today import CAGES_FIRST_ABOVE
from tests.factories import log, make_animal

from .helpers import today


@pytest.fixture
def rescue(household):
    """31 active animals: 20 in Barn A (one paused for health), 11 in Barn B."""
    animals = [
        make_animal(household, today=today(), name=f"A{n:02d}", cage="Barn A", days_ago=10, sex="female")
        for n in range(20)
    ]
    animals += [
        make_animal(household, today=today(), name=f"B{n:02d}", cage="Barn B", days_ago=10, sex="female")
        for n in range(11)
    ]
    assert len(animals) == CAGES_FIRST_ABOVE + 1
    return animals


def shown(name: str, body: str) -> bool:
    return re.search(rf"\b{name}\b", body) is not None


def _today(client, household, **params):
    response = client.get(reverse("today", args=[household.public_id]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_many_animals_show_one_summary_per_cage_instead_of_every_card(client, owner, household, rescue):
    log(owner, household, [rescue[0]], now=timezone.now(), observations=["red_tears"])
    client.force_login(owner)
    body = _today(client, household)
    assert "31 animals in 2 cages" in body
    # No animal cards (as words: the page's random CSRF token once held "B00").
    assert not shown("A00", body) and not shown("B00", body)
    barn_a = Cage.objects.get(household=household, name="Barn A")
    assert f'href="?cage={barn_a.public_id}"' in body
    assert re.search(r"Barn A</a></h2>\s*<p>20 animals", body)
    assert "1 paused for health" in body


def test_a_cage_opens_with_its_animals_cards_and_a_session_start(client, owner, household, rescue):
    barn_b = Cage.objects.get(household=household, name="Barn B")
    client.force_login(owner)
    body = _today(client, household, cage=barn_b.public_id)
    assert body.count('<article class="card"') == 11
    assert shown("B00", body) and not shown("A00", body)
    assert "Start a session with" in body
    assert "All cages" in body
    assert f"cage={barn_b.public_id}" in body  # the date links keep the cage


def test_an_unknown_cage_says_so_and_lists_the_cages(client, owner, household, rescue):
    client.force_login(owner)
    body = _today(client, household, cage="no-such-cage")
    assert "No active animals in that cage" in body
    assert "31 animals in 2 cages" in body


def test_a_small_household_still_sees_every_card(client, owner, household):
    for n in range(CAGES_FIRST_ABOVE):
        make_animal(household, today=today(), name=f"R{n:02d}", cage="Only cage", days_ago=5, sex="female")
    client.force_login(owner)
    body = _today(client, household)
    assert body.count('<article class="card"') == CAGES_FIRST_ABOVE
