"""Litters born at home."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ..domain import vocab
from ..domain.errors import InvalidInput, NotFound
from ..domain.validation import check_choice, check_name, check_notes
from ..models import Animal, Household, Litter
from .households import check_member


@transaction.atomic
def add_litter(
    *,
    keeper,
    household: Household,
    name: str,
    species: str,
    birth_date: date,
    today: date,
    mother: Animal | None = None,
    notes: str = "",
) -> Litter:
    check_member(keeper, household, write=True)
    if birth_date > today:
        raise InvalidInput("birth_date", "The litter's birth date is in the future.")
    if (today - birth_date).days > 365:
        raise InvalidInput("birth_date", "A litter over a year old is grown up: add its animals one by one instead.")
    if mother is not None and mother.household_id != household.pk:
        raise NotFound(f"No animal '{mother.name}' in {household.name}.")
    return Litter.objects.create(
        household=household,
        name=check_name(name, "name", "Litter name"),
        species=check_choice(species, vocab.SPECIES, "species", "species"),
        birth_date=birth_date,
        mother=mother,
        notes=check_notes(notes),
    )


def litter_for(*, keeper, household: Household, ref: str, write: bool = False) -> Litter:
    check_member(keeper, household, write=write)
    litter = (
        Litter.objects.filter(household=household, public_id=ref).first()
        or Litter.objects.filter(household=household, name__iexact=(ref or "").strip()).first()
    )
    if litter is None:
        raise NotFound(f"No litter '{ref}' in {household.name}. `gentling litter list` shows them.")
    return litter


@transaction.atomic
def mark_separated(*, keeper, litter: Litter, day: date, today: date) -> Litter:
    check_member(keeper, litter.household, write=True)
    if day > today or day < litter.birth_date:
        raise InvalidInput("date", "The separation date must be between the birth and today.")
    litter.separated_on = day
    litter.save(update_fields=["separated_on"])
    return litter
