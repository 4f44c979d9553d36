"""Keepers and households, and the one place that decides who may see what.

`household_for` and `animal_for` are the access helpers: every interface
fetches through them, so an outsider gets NotFound (never another
household's data) and a viewer gets NotAllowed on writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery

from ..domain.errors import InvalidInput, NotAllowed, NotFound
from ..domain.validation import check_name
from ..models import Animal, Household, Invite, Membership
from ..prepared import Prepared


def local_keeper(username: str):
    """The keeper the command line acts as. Created on first use, with no password:
    it can log in to the web app only after a password is set for it."""
    User = get_user_model()
    username = check_name(username, "keeper", "Keeper name")[:150]
    keeper, created = User.objects.get_or_create(username=username)
    if created:
        keeper.set_unusable_password()
        keeper.save(update_fields=["password"])
    return keeper


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            "time_zone", f"Time zone '{name}': not a time zone; use a name such as Europe/London."
        ) from None
    return name


@transaction.atomic
def create_household(*, keeper, name: str, time_zone: str | None = None) -> Household:
    name = check_name(name, "name", "Household name")
    tz = check_time_zone(time_zone or settings.GENTLING_DEFAULT_TIME_ZONE)
    if Household.objects.filter(memberships__keeper=keeper, name=name).exists():
        raise InvalidInput("name", f"You already have a household called '{name}'.")
    household = Household.objects.create(name=name, time_zone=tz)
    Membership.objects.create(household=household, keeper=keeper, role=Membership.Role.OWNER)
    return household


@transaction.atomic
def add_member(*, by, household: Household, keeper, role: str) -> Membership:
    if not is_owner(by, household):
        raise NotAllowed("Only an owner of the household can add members.")
    if role not in Membership.Role.values:
        raise InvalidInput("role", f"Unknown role '{role}': choose owner, carer or viewer.")
    membership, _ = Membership.objects.update_or_create(household=household, keeper=keeper, defaults={"role": role})
    return membership


def households_of(keeper):
    return Household.objects.filter(memberships__keeper=keeper).order_by("name", "id")


def households_listed(keeper):
    """The keeper's households by name, each with the keeper's `role` and its count of
    `active_animals`, in one query however many (the households list of web, API and CLI)."""
    mine = Membership.objects.filter(household=OuterRef("pk"), keeper=keeper)
    return households_of(keeper).annotate(
        role=Subquery(mine.values("role")[:1]),
        active_animals=Count("animals", filter=Q(animals__status=Animal.Status.ACTIVE), distinct=True),
    )


def is_owner(keeper, household: Household) -> bool:
    membership = membership_of(keeper, household)
    return membership is not None and membership.is_owner


def role_of(keeper, household: Household) -> str | None:
    return Membership.objects.filter(keeper=keeper, household=household).values_list("role", flat=True).first()


def membership_of(keeper, household: Household) -> Membership | None:
    """The keeper's membership of `household` (None: not a member).

    One query, unless this very object came from `household_by_id` for this keeper (a web or API
    request reads its household that way first, then calls a service: the membership it read then
    is the one checked again)."""
    seen = getattr(household, _MEMBERSHIP_SEEN, None)
    if seen is not None and seen.keeper_id == keeper.pk:
        return seen
    return Membership.objects.filter(keeper=keeper, household=household).only("role", "keeper").first()


def _check_role(
    keeper, household: Household, write: bool, not_found: str, membership: Membership | None = None
) -> None:
    membership = membership or membership_of(keeper, household)
    if membership is None:
        raise NotFound(not_found)
    if write and not membership.can_write:
        raise NotAllowed(f"You can view '{household.name}' but not change it: ask an owner for the carer role.")


_MEMBERSHIP_SEEN = "_gentling_membership_seen"  # on a Household that household_by_id returned: its reader's


def check_member(keeper, household: Household, *, write: bool = False) -> None:
    """Refuse a keeper who is not a member of `household` (not found) or, for a change, only a viewer."""
    _check_role(keeper, household, write, "No such household.")


# Every web and API request about a household asks: built once (gentling/prepared.py).
_MEMBERSHIP_BY_ID = Prepared(
    lambda keeper_id, public_id: (
        Membership.objects.select_related("household")
        .filter(keeper_id=keeper_id, household__public_id=public_id)
        .only("role", "keeper", "household")
        .order_by("pk")[:1]
    ),
    (1, "a"),
    (2, "b"),
)


def household_by_id(keeper, public_id: str, *, write: bool = False) -> Household:
    """The household with this id, if the keeper is a member (one query: the membership with its household)."""
    membership = next(iter(_MEMBERSHIP_BY_ID.rows(keeper.pk, public_id)), None)
    if membership is None:  # no such household, or not theirs: the same answer, so ids cannot be probed
        raise NotFound("No such household.")
    _check_role(keeper, membership.household, write, "No such household.", membership)
    setattr(membership.household, _MEMBERSHIP_SEEN, membership)
    return membership.household


def household_for(keeper, ref: str | None = None, *, write: bool = False) -> Household:
    """The keeper's household by name or id; with no ref, their only household."""
    mine = households_of(keeper)
    if ref:
        household = mine.filter(public_id=ref).first() or mine.filter(name__iexact=ref.strip()).first()
        if household is None:
            raise NotFound(f"No household '{ref}' among yours. `gentling household list` shows them.")
    else:
        count = mine.count()
        if count == 0:
            raise NotFound('You have no household yet. Create one: gentling household add "My rats"')
        if count > 1:
            names = ", ".join(h.name for h in mine)
            raise NotFound(f"You have several households ({names}); say which with --household.")
        household = mine.first()
    _check_role(keeper, household, write, f"No household '{ref}' among yours.")
    return household


# Every page and chart of an animal, and most sessions logged, read it: built once (gentling/prepared.py).
ANIMAL_BY_ID = Prepared(
    lambda household_id, public_id: Animal.objects.filter(household_id=household_id, public_id=public_id),
    (1, "a"),
    (2, "b"),
)


def animal_by_id(
    keeper, household: Household, public_id: str, *, write: bool = False, read: Prepared = ANIMAL_BY_ID
) -> Animal:
    """The household's animal with this id; `read`: a statement of ANIMAL_BY_ID's values that reads more with it."""
    _check_role(keeper, household, write, "No such animal.")
    animal = next(iter(read.rows(household.pk, public_id)), None)
    if animal is None:
        raise NotFound("No such animal.")
    return animal


def animal_for(keeper, household: Household, ref: str, *, write: bool = False) -> Animal:
    """An animal of the household, by id or by name (case-insensitive)."""
    _check_role(keeper, household, write, f"No animal '{ref}' here.")
    ref = (ref or "").strip()
    animals = Animal.objects.filter(household=household)
    by_id = animals.filter(public_id=ref).first()
    if by_id:
        return by_id
    named = list(animals.filter(name__iexact=ref))
    if not named:
        raise NotFound(f"No animal called '{ref}' in {household.name}. `gentling animal list` shows them.")
    if len(named) > 1:
        ids = ", ".join(f"{a.name} ({a.public_id}, {a.status})" for a in named)
        raise NotFound(f"Several animals are called '{ref}': {ids}. Use the id instead.")
    return named[0]


INVITE_DAYS = 14


def create_invite(*, by, household: Household, role: str) -> Invite:
    if not is_owner(by, household):
        raise NotAllowed("Only an owner of the household can invite people.")
    if role not in Membership.Role.values:
        raise InvalidInput("role", f"Unknown role '{role}': choose owner, carer or viewer.")
    return Invite.objects.create(household=household, role=role, created_by=by)


def open_invite(token: str, now: datetime) -> Invite:
    invite = Invite.objects.select_related("household").filter(token=token, used_at__isnull=True).first()
    if invite is None or invite.created_at < now - timedelta(days=INVITE_DAYS):
        raise NotFound(
            "This invitation link is not valid: it was used, revoked or is over 14 days old. Ask for a new one."
        )
    return invite


@transaction.atomic
def accept_invite(*, keeper, token: str, now: datetime) -> Household:
    invite = open_invite(token, now)
    household = invite.household
    current = role_of(keeper, household)
    if current is None:
        Membership.objects.create(household=household, keeper=keeper, role=invite.role)
    invite.used_by, invite.used_at = keeper, now
    invite.save(update_fields=["used_by", "used_at"])
    return household


def revoke_invite(*, by, household: Household, token: str) -> None:
    if not is_owner(by, household):
        raise NotAllowed("Only an owner of the household can revoke invitations.")
    Invite.objects.filter(household=household, token=token, used_at__isnull=True).delete()
