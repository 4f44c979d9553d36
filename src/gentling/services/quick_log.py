"""Today's quick log: one tap on a task logs it, with the step's usual defaults (domain
plan.quick_entry), for the animal or for everyone in its cage; and a moment to undo it.

A quick-logged session is a short one that ends at the tap: QUICK_MINUTES long, never
reaching back into yesterday. It records what the task says was done and nothing seen;
a keeper who saw something adds it on the session's page, where it counts towards the
next step. The one-time token of the Today form makes a double tap count once; undoing
twice finds nothing the second time and says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from ..domain.errors import GentlingError, InvalidInput
from ..domain.plan import quick_entry
from ..domain.validation import SessionInput
from ..models import Animal, Household, Session
from .households import animal_for, check_member
from .progress import local_time, local_today, progress_of, protocol_for, records_changed
from .sessions import Logged, log_session

QUICK_MINUTES = 5
UNDO_SECONDS = 60  # the toast shows for a few seconds; a slow network still gets its undo


def quick_log(
    *, keeper, household: Household, animal_ref: str, activity: str, whole_cage: bool, now: datetime
) -> list[Logged]:
    """Log `activity`, a task of the animal's plan today, for it (and its cage-mates)."""
    animal = animal_for(keeper, household, animal_ref, write=True)
    entry = quick_entry(protocol_for(animal), progress_of(animal, local_today(household, now)), activity)
    if entry is None:
        label = protocol_for(animal).label_of(activity)
        raise InvalidInput(
            "activity",
            f"'{label[:60]}' is not one of {animal.name}'s tasks today that a tap can log: start a session for it.",
        )
    animals = [animal]
    if whole_cage and animal.cage_id:
        animals += [a for a in Animal.objects.active().filter(cage_id=animal.cage_id).order_by("name") if a != animal]
    midnight = local_time(household, now).replace(hour=0, minute=0, second=0, microsecond=0)
    length = max(min(timedelta(minutes=QUICK_MINUTES), now - midnight), timedelta(seconds=sum(entry.holds) + 1))
    session = SessionInput(now - length, now, list(entry.activities), list(entry.holds), [], notes="")
    return log_session(keeper=keeper, household=household, animals=animals, entry=session, now=now)


class NothingToUndo(GentlingError):
    """Undone already, too late, or not this keeper's: a second tap on Undo is told so."""


@transaction.atomic
def undo_quick_log(*, keeper, household: Household, sitting: str, now: datetime) -> list[str]:
    """Delete a sitting this keeper logged moments ago; the names of the animals it was with."""
    check_member(keeper, household, write=True)
    sessions = list(
        Session.objects.select_related("animal")
        .select_for_update()
        .filter(
            animal__household=household,
            sitting=sitting,
            keeper=keeper,
            created_at__gte=now - timedelta(seconds=UNDO_SECONDS),
        )
    )
    if not sessions:
        raise NothingToUndo(
            "Nothing to undo: it was undone already, or saved over a minute ago "
            "(a session can be deleted from its animal's page)."
        )
    for s in sessions:
        s.delete()
        records_changed(s.animal, s.day)
    return sorted(s.animal.name for s in sessions)
