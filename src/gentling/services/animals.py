"""Adding and changing animals. Validation lives in domain.validation."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from ..domain import vocab
from ..domain.errors import InvalidInput
from ..domain.guardrails import Alert
from ..domain.validation import check_arrival, check_birth, check_choice, check_name, check_notes
from ..models import Animal, Cage, Household, Photo, Session
from .progress import refresh_snapshot

HOUSING_NOT_CHECKED = Alert(
    "housing_not_checked",
    "warning",
    "Gentling does not check quarantine and introductions yet. Never put a new animal straight in with "
    "residents: quarantine it (about 3 weeks) and introduce it step by step first.",
)


@dataclass
class AnimalDetails:
    """What a keeper can set on an animal; every field optional on edit."""

    name: str | None = None
    species: str | None = None
    sex: str | None = None
    source: str | None = None
    arrival_date: date | None = None
    birth_date: date | None = None
    birth_date_estimated: bool | None = None
    cage: str | None = None  # a cage name; "" takes it out of its cage
    status: str | None = None
    notes: str | None = None
    extended_hold_opt_in: bool | None = None
    clear_birth_date: bool = False


def _apply(animal: Animal, d: AnimalDetails, today: date) -> None:
    if d.name is not None:
        animal.name = check_name(d.name)
    if d.species is not None:
        animal.species = check_choice(d.species, vocab.SPECIES, "species", "species")
    if d.sex is not None:
        animal.sex = check_choice(d.sex, vocab.SEXES, "sex", "sex")
    if d.source is not None:
        animal.source = check_choice(d.source, vocab.SOURCES, "source", "source")
    if d.status is not None:
        animal.status = check_choice(d.status, vocab.STATUSES, "status", "status")
    if d.arrival_date is not None:
        animal.arrival_date = check_arrival(d.arrival_date, today)
    if d.clear_birth_date:
        animal.birth_date, animal.birth_date_estimated = None, False
    elif d.birth_date is not None:
        animal.birth_date = d.birth_date
        animal.birth_date_estimated = bool(d.birth_date_estimated)
    animal.birth_date = check_birth(animal.birth_date, animal.arrival_date, today)
    if d.notes is not None:
        animal.notes = check_notes(d.notes)
    if d.extended_hold_opt_in is not None:
        animal.extended_hold_opt_in = d.extended_hold_opt_in


def _house(animal: Animal, cage_name: str | None) -> list[Alert]:
    if cage_name is None:
        return []
    if cage_name.strip() == "":
        animal.cage = None
        return []
    name = check_name(cage_name, "cage", "Cage name")
    cage, _ = Cage.objects.get_or_create(household=animal.household, name=name)
    others = cage.animals.filter(status="active").exclude(pk=animal.pk).exists()
    moved = animal.cage_id != cage.pk
    animal.cage = cage
    return [HOUSING_NOT_CHECKED] if others and moved else []


@transaction.atomic
def add_animal(*, household: Household, details: AnimalDetails, today: date) -> tuple[Animal, list[Alert]]:
    missing = [f for f in ("name", "species", "source") if getattr(details, f) is None]
    if missing:
        raise InvalidInput(missing[0], f"An animal needs a {missing[0]}.")
    animal = Animal(household=household, arrival_date=details.arrival_date or today)
    _apply(animal, details, today)
    alerts = _house(animal, details.cage)
    animal.save()
    refresh_snapshot(animal, today)
    return animal, alerts


@transaction.atomic
def edit_animal(*, animal: Animal, details: AnimalDetails, today: date) -> tuple[Animal, list[Alert]]:
    _apply(animal, details, today)
    first = Session.objects.filter(animal=animal).order_by("day").values_list("day", flat=True).first()
    if first is not None and animal.arrival_date > first:
        raise InvalidInput(
            "arrival_date",
            f"Sessions were logged from {first.isoformat()}; the arrival date cannot be after that.",
        )
    alerts = _house(animal, details.cage)
    animal.save()
    refresh_snapshot(animal, today)
    return animal, alerts


PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@transaction.atomic
def set_photo(*, animal: Animal, upload) -> Photo:
    """Store a profile photo. The image is checked with Pillow, not trusted by its name."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > PHOTO_MAX_BYTES:
        raise InvalidInput("photo", f"The photo is {upload.size // (1024 * 1024)} MB; the limit is 5 MB.")
    data = upload.read()
    try:
        kind = Image.open(io.BytesIO(data)).format
    except (UnidentifiedImageError, OSError):
        kind = None
    if kind not in PHOTO_TYPES:
        raise InvalidInput("photo", "That file is not a JPEG, PNG or WebP picture.")
    photo, _ = Photo.objects.update_or_create(animal=animal, defaults={"content_type": PHOTO_TYPES[kind], "data": data})
    return photo
