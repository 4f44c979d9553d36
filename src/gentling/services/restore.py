"""Restoring a backup: who may, whose accounts it touches, and all of it or nothing.

The rule, for every interface (the web app, the API and the command line call
these functions and nothing else):

- A households restore (`import_backup`, `import_backup_file`) needs a
  logged-in keeper, and creates households owned by that keeper, and only
  them. A household whose id is already here is restored over only by one of
  its owners, and only when asked to (`replace`); a carer, a viewer or an
  outsider is refused.
- Other keepers named in a backup are never attached to existing accounts,
  and no account is made for them. The restoring keeper is re-attached to
  their own account, by their own username only. The other members of a
  replaced household stay members, as they were. Anyone else the backup lists
  as a member is left out, and the summary's note names them: the owner
  invites them again. Their sessions are kept, with no keeper named.
- An instance restore (`import_instance_file`, `gentling import --full` on
  the server's command line) brings back every account of an instance backup,
  password hashes included, for disaster recovery. It refuses an account that
  already exists, except an empty one the command line has just made.

Reading happens in two passes (restore_checks.py checks the first): the
frame, checked whole, then, in one transaction, that frame is written and each
household's sessions are read, checked and inserted in batches. The first bad
session raises, and the transaction rolls back: a broken or hostile file
changes nothing.

Uploads through the web app and the API are refused over MAX_BYTES; a file
given on the command line may be any size.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.contrib.auth import get_user_model
from django.db import transaction
from pydantic import ValidationError

from ..domain.errors import InvalidInput, NotAllowed
from ..models import (
    Animal,
    Cage,
    CageStay,
    Cohort,
    HealthCheck,
    Household,
    HouseholdProtocol,
    Introduction,
    IntroductionMeeting,
    Litter,
    Membership,
    Photo,
    ProtocolMove,
    Quarantine,
    Session,
)
from .backup import BATCH, INSTANCE, MAX_BYTES
from .backup_schema import AnimalIn, BackupIn, HouseholdIn, SessionIn, UnreadableBackup, read_sessions
from .households import membership_of
from .progress import records_changed
from .restore_checks import (
    check_ids_are_free,
    check_session,
    checked_frame,
    household_protocols_in,
    invalid,
    latest_day,
    nothing_imported,
    session_words,
    unreadable,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- entry points ---------------------------------------------------------------------------------


def import_backup(raw: bytes | str, *, keeper, now: datetime, replace: bool = False) -> dict:
    """Restore an uploaded backup (the web app, the API), which is in memory already: at most MAX_BYTES."""
    if len(raw) > MAX_BYTES:
        raise InvalidInput("file", "A backup larger than 50 MB is refused.")
    if isinstance(raw, str):
        try:
            raw = raw.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(
                "file", "The backup is not valid at the file: it is not UTF-8 text. Nothing was imported."
            ) from None
    return read_backup(io.BytesIO(raw), keeper=keeper, now=now, replace=replace)


def import_backup_file(path: Path, *, keeper, now: datetime, replace: bool = False) -> dict:
    """Restore a backup file of any size (the command line), read as a stream."""
    with _opened(path) as stream:
        return read_backup(stream, keeper=keeper, now=now, replace=replace)


def import_instance_file(path: Path, *, keeper, now: datetime) -> dict:
    """Restore an instance backup, accounts and all (`gentling import --full`)."""
    with _opened(path) as stream:
        return _restore(stream, _InstanceRestore(keeper), now)


def read_backup(stream: BinaryIO, *, keeper, now: datetime, replace: bool = False) -> dict:
    """Restore households from a binary stream that can be read twice (seek(0)): all of it, or nothing."""
    if keeper is None or not getattr(keeper, "is_authenticated", False):
        raise NotAllowed("Log in to restore a backup: the households it restores will be yours.")
    return _restore(stream, _HouseholdsRestore(keeper, replace), now)


def _opened(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InvalidInput("file", f"Cannot read {path}: {exc.strerror or exc}.") from None


def _restore(stream: BinaryIO, how: _HouseholdsRestore | _InstanceRestore, now: datetime) -> dict:
    backup, session_counts = checked_frame(stream, now)
    how.check(backup)
    stream.seek(0)
    try:
        return _write(backup, session_counts, read_sessions(stream), how, now)
    except InvalidInput as exc:
        raise nothing_imported(exc) from None
    except UnreadableBackup as exc:
        raise unreadable(exc) from None


# --- whose accounts ---------------------------------------------------------------------------------


@dataclass
class _HouseholdsRestore:
    """A keeper restores households as their owner (the module's docstring has the rule)."""

    keeper: User
    replace: bool
    members: dict[str, list[Membership]] = field(default_factory=dict)  # of each replaced household, by id
    left_out: dict[str, str] = field(default_factory=dict)  # username: role, of members not restored

    def check(self, b: BackupIn) -> None:
        for h in b.households:
            existing = Household.objects.filter(public_id=h.id).first()
            if existing is None:
                continue
            membership = membership_of(self.keeper, existing)
            if membership is None:
                raise NotAllowed(
                    f"The household '{h.id}' in this backup is already in this database, and it is "
                    "not yours. Nothing was imported."
                )
            if not membership.is_owner:
                raise NotAllowed(
                    f"You are a {membership.role} of '{existing.name}': only an owner can restore over it. "
                    "Nothing was imported."
                )
            if not self.replace:
                raise InvalidInput(
                    "file",
                    f"'{existing.name}' is already in this database. Restoring over it "
                    "replaces its animals and sessions with the backup's: ask for that "
                    "(replace) to go on. Nothing was imported.",
                )

    def prepare(self, b: BackupIn) -> None:
        """Inside the transaction: clear the households the keeper chose to replace, keeping their members."""
        replaced = list(Household.objects.select_for_update().filter(public_id__in=[h.id for h in b.households]))
        if replaced:
            self.check(b)  # again, under the lock: a role may have changed since the first look
        for household in replaced:
            self.members[household.public_id] = list(household.memberships.select_related("keeper"))
            household.delete()

    def users(self, h: HouseholdIn) -> dict[str, User]:
        """Accounts the household's records may name: the restorer, and members it already had."""
        found = {m.keeper.username: m.keeper for m in self.members.get(h.id, [])}
        found[self.keeper.username] = self.keeper
        return found

    def add_members(self, household: Household, h: HouseholdIn, now: datetime) -> None:
        mine = next((m for m in h.members if m.keeper == self.keeper.username), None)
        kept = [m for m in self.members.get(h.id, []) if m.keeper != self.keeper]
        Membership.objects.bulk_create(
            [
                Membership(
                    household=household,
                    keeper=self.keeper,
                    role=Membership.Role.OWNER,
                    joined_at=mine.joined_at if mine else now,
                ),
                *(Membership(household=household, keeper=m.keeper, role=m.role, joined_at=m.joined_at) for m in kept),
            ]
        )
        members = {self.keeper.username} | {m.keeper.username for m in kept}
        self.left_out.update({m.keeper: m.role for m in h.members if m.keeper not in members})

    def note(self) -> str | None:
        if not self.left_out:
            return None
        names = ", ".join(f"{name} ({role})" for name, role in sorted(self.left_out.items()))
        return (
            f"Not restored as members: {names}. A backup never gives anyone access: invite them again "
            "from People. The sessions they logged are kept, without their name."
        )


@dataclass
class _InstanceRestore:
    """The server's own disaster recovery: every account and membership as the backup has them."""

    keeper: object  # who runs the command line: an empty account of theirs may be filled in
    accounts: dict[str, User] = field(default_factory=dict)

    def check(self, b: BackupIn) -> None:
        if b.version != 1 and b.scope != INSTANCE:
            raise InvalidInput(
                "file",
                "This is a households backup, not an instance backup: restore it with "
                "'gentling import FILE' (without --full).",
            )
        taken = get_user_model().objects.filter(username__in=[k.username for k in b.keepers])
        for user in taken:
            if not (user == self.keeper and _is_empty(user)):
                raise InvalidInput(
                    "file",
                    f"The account '{user.username}' already exists: an instance backup "
                    "restores onto an empty server only. Nothing was imported.",
                )

    def prepare(self, b: BackupIn) -> None:
        self.check(b)
        User = get_user_model()
        for k in b.keepers:
            fields = {
                "first_name": k.first_name,
                "last_name": k.last_name,
                "email": k.email,
                "password": k.password or "!",
                "is_active": k.is_active,
            }
            if k.date_joined is not None:
                fields["date_joined"] = k.date_joined
            self.accounts[k.username], _ = User.objects.update_or_create(username=k.username, defaults=fields)

    def users(self, h: HouseholdIn) -> dict[str, User]:
        return self.accounts

    def add_members(self, household: Household, h: HouseholdIn, now: datetime) -> None:
        Membership.objects.bulk_create(
            [
                Membership(household=household, keeper=self.accounts[m.keeper], role=m.role, joined_at=m.joined_at)
                for m in h.members
            ]
        )

    def note(self) -> str | None:
        return None


def _is_empty(user) -> bool:
    """An account the command line made a moment ago: no password and no household."""
    return not user.has_usable_password() and not Membership.objects.filter(keeper=user).exists()


def _pk(user) -> int | None:
    return user.pk if user is not None else None


# --- writing ---------------------------------------------------------------------------------------


@transaction.atomic
def _write(b: BackupIn, session_counts: list[int], sessions: Iterator, how, now: datetime) -> dict:
    """The second pass: the checked frame, then each household's sessions as they are read."""
    how.prepare(b)
    check_ids_are_free(b)
    counts: dict = {"households": 0, "animals": 0, "sessions": 0}
    ours: set[int] = set()  # the households this import made: a session id found in one is a duplicate
    today, known = latest_day(now), {k.username for k in b.keepers}
    for index, (h, expected) in enumerate(zip(b.households, session_counts, strict=False)):
        users = how.users(h)
        household, animals = _write_household(h, users)
        how.add_members(household, h, now)
        ours.add(household.pk)
        at = ("households", index, "sessions")
        written = _write_sessions(islice(sessions, expected), at, h, animals, users, known, ours, today)
        if written != expected:
            raise UnreadableBackup("the file changed while it was read")
        for animal in animals.values():
            records_changed(animal, animal.arrival_date)
        counts["households"] += 1
        counts["animals"] += len(h.animals)
        counts["sessions"] += written
    if next(sessions, _END) is not _END:
        raise UnreadableBackup("the file changed while it was read")
    if note := how.note():
        counts["note"] = note
    return counts


_END = object()


def _write_animal_records(animal: Animal, a: AnimalIn, cages: dict, users: dict) -> None:
    for q in a.quarantines:
        Quarantine.objects.create(
            animal=animal, started_on=q.started_on, air_space=q.air_space, created_at=q.created_at
        )
    HealthCheck.objects.bulk_create(  # a rescue animal can have hundreds
        [
            HealthCheck(
                animal=animal,
                day=c.day,
                signs=c.signs,
                notes=c.notes,
                keeper=users.get(c.keeper),
                created_at=c.created_at,
            )
            for c in a.health_checks
        ],
        batch_size=BATCH,
    )
    for st in a.cage_stays:
        CageStay.objects.create(
            animal=animal,
            cage=cages[st.cage],
            moved_in_on=st.moved_in_on,
            moved_out_on=st.moved_out_on,
            moved_by=users.get(st.moved_by),
            override_reason=st.override_reason,
            overridden=st.overridden,
        )


def _write_introductions(household: Household, h: HouseholdIn, animals: dict, cages: dict, users: dict) -> None:
    for i in h.introductions:
        intro = Introduction.objects.create(
            public_id=i.id,
            household=household,
            cage=cages.get(i.cage),
            started_on=i.started_on,
            cage_cleaned_on=i.cage_cleaned_on,
            finished_on=i.finished_on,
            created_by=users.get(i.created_by),
        )
        intro.newcomers.set([animals[x] for x in i.newcomers])
        intro.residents.set([animals[x] for x in i.residents])
        for m in i.meetings:
            IntroductionMeeting.objects.create(
                public_id=m.id,
                introduction=intro,
                keeper=users.get(m.keeper),
                started_at=m.started_at,
                day=m.day,
                duration_seconds=m.duration_seconds,
                behaviours=m.behaviours,
                notes=m.notes,
            )


def _write_household(h: HouseholdIn, users: dict[str, object]) -> tuple[Household, dict[str, Animal]]:
    """Everything of the household but its sessions."""
    household = Household.objects.create(public_id=h.id, name=h.name, time_zone=h.time_zone, created_at=h.created_at)
    cages = {
        c.id: Cage.objects.create(public_id=c.id, household=household, name=c.name, created_at=c.created_at)
        for c in h.cages
    }
    litters = {
        lt.id: Litter.objects.create(
            public_id=lt.id,
            household=household,
            name=lt.name,
            species=lt.species,
            birth_date=lt.birth_date,
            separated_on=lt.separated_on,
            notes=lt.notes,
        )
        for lt in h.litters
    }
    parsed = household_protocols_in(h)  # checked in the first pass; parsed once more here for the titles
    protocols = {
        (p.id, p.version): HouseholdProtocol.objects.create(
            household=household,
            protocol_id=p.id,
            version=p.version,
            title=parsed[(p.id, p.version)].title,
            text=p.text,
            uploaded_by_id=_pk(users.get(p.uploaded_by or "")),
            uploaded_at=p.uploaded_at,
        )
        for p in h.protocols
    }
    animals = {}
    for a in h.animals:
        animals[a.id] = animal = Animal.objects.create(
            public_id=a.id,
            household=household,
            species=a.species,
            name=a.name,
            sex=a.sex,
            birth_date=a.birth_date,
            birth_date_estimated=a.birth_date_estimated,
            source=a.source,
            arrival_date=a.arrival_date,
            cage=cages.get(a.cage) if a.cage is not None else None,
            status=a.status,
            extended_hold_opt_in=a.extended_hold_opt_in,
            notes=a.notes,
            created_at=a.created_at,
            neutered_on=a.neutered_on,
            litter=litters.get(a.litter) if a.litter is not None else None,
            protocol=a.protocol,
            household_protocol=protocols.get((a.protocol, a.protocol_version)),
            protocol_since=a.protocol_since,
            protocol_start_step=a.protocol_start_step,
        )
        for m in a.protocol_moves:
            ProtocolMove.objects.create(
                public_id=m.id,
                animal=animal,
                **m.model_dump(exclude={"id", "moved_by"}),
                moved_by_id=_pk(users.get(m.moved_by or "")),
            )
        if a.photo is not None:
            Photo.objects.create(
                animal=animal,
                content_type=a.photo.content_type,
                data=base64.b64decode(a.photo.data),
                uploaded_at=a.photo.uploaded_at,
            )
        _write_animal_records(animal, a, cages, users)
    for lt in h.litters:
        if lt.mother:
            Litter.objects.filter(pk=litters[lt.id].pk).update(mother=animals[lt.mother])
    _write_introductions(household, h, animals, cages, users)
    for c in h.cohorts:
        cohort = Cohort.objects.create(public_id=c.id, household=household, name=c.name, created_at=c.created_at)
        cohort.animals.set([animals[x] for x in c.animals])
    return household, animals


def _write_sessions(
    items: Iterator,
    at: tuple,
    h: HouseholdIn,
    animals: dict[str, Animal],
    users: dict,
    known: set[str],
    ours: set[int],
    today: date,
) -> int:
    """Check each session and insert them in batches; returns how many were read."""
    arrivals = {a.id: a.arrival_date for a in h.animals}
    words = session_words(h)
    batch: list[Session] = []
    read = 0
    for read, item in enumerate(items, 1):
        try:
            s = SessionIn.model_validate(item)
        except ValidationError as exc:
            raise invalid(exc, at=(*at, read - 1)) from None
        check_session(s, arrivals, known, today, words)
        batch.append(
            Session(
                public_id=s.id,
                animal_id=animals[s.animal].pk,
                sitting=s.sitting,  # ids: cheaper than objects
                keeper_id=_pk(users.get(s.keeper)),
                started_at=s.started_at,
                ended_at=s.ended_at,
                day=s.day,
                activities=s.activities,
                holds=s.holds,
                observations=s.observations,
                extended_hold_seconds=s.extended_hold_seconds,
                extended_hold_end=s.extended_hold_end,
                measures=s.measures,
                protocol=s.protocol,
                protocol_version=s.protocol_version,
                notes=s.notes,
                alerts=[a.model_dump() for a in s.alerts],
                created_at=s.created_at,
            )
        )
        if len(batch) == BATCH:
            _insert_sessions(batch, ours)
            batch = []
    _insert_sessions(batch, ours)
    return read


def _insert_sessions(batch: list[Session], ours: set[int]) -> None:
    """Insert a batch, first refusing an id given twice or already in the database.

    Earlier batches of this import are in the database by now, so an id that
    clashes with one of the households this import made is a duplicate in the file."""
    ids = [s.public_id for s in batch]
    twice = next((i for i, n in Counter(ids).items() if n > 1), None)
    clash = Session.objects.filter(public_id__in=ids).values_list("public_id", "animal__household").first()
    if twice is None and clash is not None and clash[1] in ours:
        twice = clash[0]
    if twice is not None:
        raise InvalidInput("file", f"Duplicate session id '{twice}' in the backup. Nothing was imported.")
    if clash is not None:
        raise InvalidInput(
            "file",
            f"The session '{clash[0]}' is already in this database: this backup was "
            "imported before, or overlaps it. Nothing was imported.",
        )
    Session.objects.bulk_create(batch)
