"""Roles and animal statuses are choices on the models, and each rule about them is written once:
who may write (`Membership.can_write`), who manages the household (`Membership.is_owner`),
which animals are still here (`Animal.objects.active()`, `Animal.has_left`)."""

from __future__ import annotations

from datetime import date

from gentling.domain import vocab
from gentling.models import Animal, Invite, Membership
from tests.factories import make_animal

TODAY = date(2026, 11, 25)


def test_owners_and_carers_may_write_and_viewers_may_not():
    assert {role: Membership(role=role).can_write for role in Membership.Role} == {
        "owner": True,
        "carer": True,
        "viewer": False,
    }


def test_owners_alone_manage_the_household():
    assert {role: Membership(role=role).is_owner for role in Membership.Role} == {
        "owner": True,
        "carer": False,
        "viewer": False,
    }


def test_the_stored_values_are_the_ones_already_in_the_database():
    assert Membership.Role.choices == [("owner", "Owner"), ("carer", "Carer"), ("viewer", "Viewer")]
    assert Invite._meta.get_field("role").choices == Membership.Role.choices
    assert dict(Animal.Status.choices) == vocab.STATUSES  # the vocabulary's list, for `gentling vocab` and the API
    assert Animal._meta.get_field("status").default == "active"


def test_an_animal_has_left_when_adopted_or_passed_away():
    assert [Animal(status=status).has_left for status in Animal.Status] == [False, True, True]


def test_active_animals_are_those_still_here(household):
    for name, status in [("Clover", "active"), ("Gonzo", "adopted"), ("Basil", "passed_away"), ("Anise", "active")]:
        make_animal(household, today=TODAY, name=name, status=status)
    assert [a.name for a in Animal.objects.active()] == ["Anise", "Clover"]
    assert [a.name for a in household.animals.active().filter(name__startswith="C")] == ["Clover"]
    assert [a.name for a in household.animals.filter(name__startswith="G").active()] == []
