"""Reads for the interfaces: what a page, an API list or a command shows, fetched here so that
web/, api/ and cli/ build no query of their own (tests/integration/test_layers.py). Each takes
objects the access helpers already checked (a household, an animal, a timer), and reads what
its rows need in a number of queries that does not grow with the rows.

Reads that are part of a rule live with the rule (progress.standings, arrivals.in_quarantine,
households.households_listed); these are plain lists."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Count, Max

from ..domain import vocab
from ..domain.errors import InvalidInput
from ..domain.validation import check_choice
from ..models import Animal, Cage, CageStay, Household, Introduction, IntroductionMeeting, Litter, OpenSession, Session
from .households import ANIMAL_BY_ID


def animals_listed(household: Household, *, status: str | None = None):
    """The household's animals by name, with their cages; only those of `status` when given."""
    animals = Animal.objects.filter(household=household).select_related("cage").order_by("name", "id")
    if status is not None:
        animals = animals.filter(status=check_choice(status, vocab.STATUSES, "status", "status"))
    return animals


IDS_MAX = 100  # animals named at once: more than one sitting can hold


def animals_with_ids(household: Household, ids: list[str]) -> dict[str, Animal]:
    """The household's animals among `ids`, by id, in one query (an unknown id is simply missing).
    One id, as most sessions logged through the API name, is a prepared read."""
    if len(ids) == 1:
        return {a.public_id: a for a in ANIMAL_BY_ID.rows(household.pk, ids[0])}
    return {a.public_id: a for a in Animal.objects.filter(household=household, public_id__in=ids)}


def sessions_listed(
    household: Household, *, animal: Animal | None = None, date_from: date | None = None, date_to: date | None = None
):
    """The household's sessions, newest first; of one animal, and between two days (inclusive), when given."""
    if date_from and date_to and date_to < date_from:
        raise InvalidInput("date_to", "date_to is before date_from.")
    sessions = Session.objects.filter(animal__household=household).select_related("animal", "keeper")
    if animal is not None:
        sessions = sessions.filter(animal=animal)
    if date_from:
        sessions = sessions.filter(day__gte=date_from)
    if date_to:
        sessions = sessions.filter(day__lte=date_to)
    return sessions.order_by("-started_at", "public_id")


def latest_sessions(animal: Animal, count: int) -> list[Session]:
    return list(animal.sessions.select_related("keeper").order_by("-started_at")[:count])


def sessions_per_keeper(household: Household, since: date) -> Counter[str]:
    """Sessions logged since `since`, by keeper's username ("" for a keeper since removed): counted by
    the database, since a rescue logs thousands a week."""
    rows = (
        Session.objects.filter(animal__household=household, day__gte=since)
        .order_by()
        .values_list("keeper__username")
        .annotate(n=Count("id"))
    )
    found: Counter[str] = Counter()
    for name, n in rows:
        found[name or ""] += n
    return found


def last_session_days(household: Household) -> dict[int, date]:
    """Each animal's (by pk) latest day with a session."""
    return _last_days(Session.objects.filter(animal__household=household))


def last_session_days_of(animal_ids: list[int], *, since: date) -> dict[int, date]:
    """These animals' latest days with a session on `since` or later (one index range each on
    (animal, day), so a long history costs nothing); those with none then are left out."""
    return _last_days(Session.objects.filter(animal_id__in=animal_ids, day__gte=since))


def _last_days(sessions) -> dict[int, date]:
    return dict(sessions.values("animal_id").annotate(last=Max("day")).values_list("animal_id", "last"))


def animals_of_timer(timer: OpenSession) -> list[Animal]:
    return list(timer.animals.order_by("name"))


def cage_history(animal: Animal):
    return animal.cage_stays.select_related("cage").order_by("-moved_in_on")


def cage_named(household: Household, ref: str) -> Cage | None:
    """A cage by its name (any case) or its id."""
    return household.cages.filter(name__iexact=ref).first() or household.cages.filter(public_id=ref).first()


def cage_names(household: Household) -> list[str]:
    """The household's cages by name, for choosing one from a list."""
    return list(household.cages.order_by("name").values_list("name", flat=True))


def stays_in(cage: Cage):
    return CageStay.objects.filter(cage=cage).select_related("animal").order_by("moved_in_on", "id")


def meetings_of(intro: Introduction, *, newest_first: bool = False):
    order = ("-started_at", "-id") if newest_first else ("started_at", "id")
    return IntroductionMeeting.objects.filter(introduction=intro).order_by(*order)


def litters_of(household: Household):
    return Litter.objects.filter(household=household).order_by("-birth_date")


def open_invites(household: Household):
    return household.invites.filter(used_at__isnull=True).order_by("-created_at")


def members_of(household: Household):
    return household.memberships.select_related("keeper").order_by("keeper__username")


def timers_running(keeper, household: Household) -> list[OpenSession]:
    """The keeper's sessions in progress in `household`, oldest first: every page offers to resume them."""
    return list(OpenSession.objects.filter(keeper=keeper, household=household).order_by("started_at"))
