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
from ..models import Animal, Household, Photo, Session
from .arrivals import follow_arrival_date, move_animal, needs_quarantine, quarantine_of, start_quarantine
from .households import check_member
from .progress import protocol_for, records_changed
from .protocols import LADDER, protocol_choice


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
    neutered_on: date | None = None
    clear_birth_date: bool = False
    clear_neutered_on: bool = False
    air_space: str | None = None  # where a newcomer spends its quarantine
    protocol: str | None = None  # on adding only: "ladder" (the default), a lab protocol or the household's own
    override_reason: str = ""  # an owner's reason to override the housing guardrail


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
    if d.clear_neutered_on:
        animal.neutered_on = None
    elif d.neutered_on is not None:
        if animal.sex != "male":
            raise InvalidInput("neutered_on", "Only a male is neutered; set the sex to male first.")
        if d.neutered_on > today:
            raise InvalidInput("neutered_on", "The neutering date is in the future.")
        animal.neutered_on = d.neutered_on


@transaction.atomic
def add_animal(*, keeper=None, household: Household, details: AnimalDetails, today: date) -> tuple[Animal, list[Alert]]:
    """Add an animal; a newcomer to a household that keeps its species starts in quarantine,
    and its cage goes through the housing guardrail (refused: nothing is saved).

    `keeper` is who acts: checked for write access and recorded on the cage move.
    Every interface passes it; None is for code that already acts for the household
    (fixtures, importers), and can never override the housing guardrail."""
    if keeper is not None:
        check_member(keeper, household, write=True)
    missing = [f for f in ("name", "species", "source") if getattr(details, f) is None]
    if missing:
        raise InvalidInput(missing[0], f"An animal needs a {missing[0]}.")
    animal = Animal(household=household, arrival_date=details.arrival_date or today)
    _apply(animal, details, today)
    if details.protocol:
        choice = protocol_choice(household, details.protocol, animal.species)
        animal.protocol = "" if choice.kind == LADDER else choice.ref
        animal.household_protocol = choice.row
    quarantined = needs_quarantine(household, animal.species, animal.source, animal.arrival_date)
    animal.save()
    alerts: list[Alert] = []
    if quarantined:
        start_quarantine(animal=animal, air_space=details.air_space or "another_room", started_on=animal.arrival_date)
        status = quarantine_of(animal, today)
        assert status is not None  # it starts on the arrival day, which is never after today
        alerts.append(
            Alert(
                "quarantine_started",
                "caution",
                f"{animal.name} starts in quarantine until {status.ends_on.isoformat()}. {status.air_space_note}",
            )
        )
    if details.cage:
        alerts += move_animal(
            keeper=keeper, animal=animal, cage_name=details.cage, day=today, override_reason=details.override_reason
        ).alerts
    records_changed(animal, animal.arrival_date)
    return animal, alerts


@transaction.atomic
def edit_animal(*, keeper=None, animal: Animal, details: AnimalDetails, today: date) -> tuple[Animal, list[Alert]]:
    if keeper is not None:
        check_member(keeper, animal.household, write=True)
    old_arrival = animal.arrival_date
    _apply(animal, details, today)
    followed = protocol_for(animal)
    if animal.species not in followed.species:
        raise InvalidInput(
            "species",
            f"{animal.name} follows {followed.title}, which is for {', '.join(followed.species)}: "
            "move them to another protocol before changing the species.",
        )
    first = Session.objects.filter(animal=animal).order_by("day").values_list("day", flat=True).first()
    if first is not None and animal.arrival_date > first:
        raise InvalidInput(
            "arrival_date",
            f"Sessions were logged from {first.isoformat()}; the arrival date cannot be after that.",
        )
    animal.save()
    if animal.arrival_date != old_arrival:
        follow_arrival_date(animal, old_arrival)
    alerts: list[Alert] = []
    if details.cage is not None:
        alerts = move_animal(
            keeper=keeper, animal=animal, cage_name=details.cage, day=today, override_reason=details.override_reason
        ).alerts
    records_changed(animal, min(animal.arrival_date, old_arrival))  # facts may have changed: replay from the start
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
