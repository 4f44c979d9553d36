"""Full JSON backups of households: export, and an import that changes nothing unless all of it is good.

Format (version 1): {"format": "gentling-backup", "version": 1, "exported_at",
"keepers": [...], "households": [{..., "members", "cages", "animals",
"sessions"}]}. Ids are the public ids. Keepers carry their password hash, so
a restore lets them log in as before: keep backup files private. Cached
progress is not exported; it is recomputed on import.

The round trip is lossless: export, import into an empty database, export
again, and the two files differ only in `exported_at`.

A rescue's backup holds a million sessions and runs to hundreds of MB, so
neither side holds it whole. The export writes the text as it reads the
sessions, a chunk at a time. The import reads the file twice:

1. everything but the sessions (keepers, households, animals and their
   records), checked as a whole, as before, and the sessions only counted;
2. in one transaction, that frame is written, then each household's
   sessions are read, checked and inserted in batches. The first bad session
   raises, and the transaction rolls back: a broken or hostile file changes
   nothing, as before.

Uploads through the web app and the API are refused over MAX_BYTES; a file
given on the command line may be any size.
"""

from __future__ import annotations

import base64
import io
import os
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone as dt_timezone
from itertools import chain, islice
from pathlib import Path
from typing import BinaryIO, TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from ..domain import vocab
from ..domain.errors import InvalidInput, NotAllowed
from ..domain.validation import check_arrival, check_birth, check_name, check_names, check_notes
from ..domain.arrivals import arrivals_protocol
from ..models import (
    Animal, Cage, CageStay, HealthCheck, Household, Introduction, IntroductionMeeting, Litter, Membership, Photo,
    Quarantine, Session,
)
from .backup_schema import (
    AnimalIn, BackupIn, HouseholdIn, SessionIn, UnreadableBackup, json_chunks, materialised, read_frame,
    read_sessions,
)
from .households import check_time_zone, role_of
from .progress import records_changed

FORMAT, VERSION = "gentling-backup", 1
MAX_BYTES = 50 * 1024 * 1024  # uploads only: the web app and the API hold an upload in memory
BATCH = 500  # sessions read from the database, or checked and inserted, at a time
_BLOCK = 64 * 1024  # characters handed to a file or a response at a time


def _iso(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).isoformat()


# --- export -------------------------------------------------------------------

def backup_text_for(keeper, households: list[Household], *, now: datetime) -> Iterator[str]:
    """The same backup as JSON text in blocks, for a streamed download. The owner
    check runs now; the queries run as the text is read."""
    _check_owner(keeper, households)
    return _text(households, now=now, tally=_tally())


def write_backup_for(keeper, households: list[Household], stream: TextIO, *, now: datetime) -> dict:
    """Write the backup to a text stream; returns how many households and sessions it holds."""
    _check_owner(keeper, households)
    tally = _tally()
    for block in _text(households, now=now, tally=tally):
        stream.write(block)
    return tally


def export_backup_file(keeper, households: list[Household], path: Path, *, now: datetime) -> dict:
    """Write the backup to `path` through a file beside it, renamed when complete,
    so that a failed export never leaves a cut-short backup (or replaces a good one)."""
    _check_owner(keeper, households)
    part = path.with_name(path.name + ".part")
    tally = _tally()
    try:
        f = _writing(path, part.open, "w", encoding="utf-8")
        with f:
            for block in _text(households, now=now, tally=tally):
                _writing(path, f.write, block)
            _writing(path, f.close)
        _writing(path, os.replace, part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return tally


def _writing(path: Path, op, *args, **kwargs):
    """op(*args, **kwargs), a failure of the file system told as the keeper's error
    (and only that: a database error while writing stays what it is)."""
    try:
        return op(*args, **kwargs)
    except OSError as exc:
        raise InvalidInput("file", f"Cannot write {path}: {exc.strerror or exc}.") from None


def export_households(households: list[Household], *, now: datetime) -> dict:
    """The whole backup as one dict: for small data (tests)."""
    return materialised(_document(households, now=now, tally=_tally()))


def _check_owner(keeper, households: list[Household]) -> None:
    """Owners only, since a backup holds every member's password hash."""
    for h in households:
        if role_of(keeper, h) != Membership.OWNER:
            raise NotAllowed(f"Only an owner of '{h.name}' can back it up: a backup holds every member's login.")


def _tally() -> dict:
    return {"households": 0, "sessions": 0}


def _text(households: list[Household], *, now: datetime, tally: dict) -> Iterator[str]:
    """The backup's JSON text, as json.dumps(..., indent=2) writes it, in blocks of
    about _BLOCK characters (fewer, larger writes)."""
    block, size = [], 0
    for chunk in chain(json_chunks(_document(households, now=now, tally=tally)), ["\n"]):
        block.append(chunk)
        size += len(chunk)
        if size >= _BLOCK:
            yield "".join(block)
            block, size = [], 0
    if block:
        yield "".join(block)


def _document(households: list[Household], *, now: datetime, tally: dict) -> dict:
    """The backup, with its households and their sessions as lazy iterators (see json_chunks)."""
    members = {h.pk: list(h.memberships.select_related("keeper").order_by("keeper__username")) for h in households}
    keepers = {m.keeper.username: _keeper(m.keeper) for ms in members.values() for m in ms}
    return {"format": FORMAT, "version": VERSION, "exported_at": _iso(now),
            "keepers": [keepers[name] for name in sorted(keepers)],
            "households": (_household(h, members[h.pk], tally) for h in households)}


def _keeper(k) -> dict:
    return {"username": k.username, "first_name": k.first_name, "last_name": k.last_name, "email": k.email,
            "password": k.password, "is_active": k.is_active, "date_joined": _iso(k.date_joined)}


def _household(h: Household, members: list[Membership], tally: dict) -> dict:
    """A household; its animals (with their health checks), sessions and
    introductions are lazy, so only one animal or session is in memory at a time."""
    tally["households"] += 1
    animals = h.animals.select_related("cage", "litter").order_by("public_id")
    introductions = h.introductions.select_related("cage", "created_by").order_by("public_id")
    return {
        "id": h.public_id, "name": h.name, "time_zone": h.time_zone, "created_at": _iso(h.created_at),
        "members": [{"keeper": m.keeper.username, "role": m.role, "joined_at": _iso(m.joined_at)} for m in members],
        "cages": [{"id": c.public_id, "name": c.name, "created_at": _iso(c.created_at)}
                  for c in h.cages.order_by("public_id")],
        "litters": [_litter(lt) for lt in h.litters.select_related("mother").order_by("public_id")],
        "animals": (_animal(a) for a in animals),
        "sessions": _sessions(h, tally),
        "introductions": (_introduction(i) for i in introductions),
    }


# A session's keys in the file, and the columns they come from.
_SESSION_COLUMNS = {
    "id": "public_id", "animal": "animal__public_id", "keeper": "keeper__username", "sitting": "sitting",
    "started_at": "started_at", "ended_at": "ended_at", "day": "day", "activities": "activities", "holds": "holds",
    "observations": "observations", "extended_hold_seconds": "extended_hold_seconds",
    "extended_hold_end": "extended_hold_end", "notes": "notes", "alerts": "alerts", "created_at": "created_at",
}


def _sessions(h: Household, tally: dict) -> Iterator[dict]:
    """The household's sessions, read from the database a batch at a time."""
    rows = (Session.objects.filter(animal__household=h).order_by("public_id")
            .values_list(*_SESSION_COLUMNS.values()).iterator(chunk_size=BATCH))
    for row in rows:
        s = dict(zip(_SESSION_COLUMNS, row))
        for moment in ("started_at", "ended_at", "created_at"):
            s[moment] = _iso(s[moment])
        s["day"] = s["day"].isoformat()
        tally["sessions"] += 1
        yield s


def _animal(a: Animal) -> dict:
    return {"id": a.public_id, "name": a.name, "species": a.species, "sex": a.sex,
            "birth_date": a.birth_date.isoformat() if a.birth_date else None,
            "birth_date_estimated": a.birth_date_estimated, "source": a.source,
            "arrival_date": a.arrival_date.isoformat(), "cage": a.cage.public_id if a.cage else None,
            "status": a.status, "extended_hold_opt_in": a.extended_hold_opt_in, "notes": a.notes,
            "created_at": _iso(a.created_at), "photo": _photo(a),
            "neutered_on": _day(a.neutered_on), "litter": a.litter.public_id if a.litter else None,
            "quarantines": [{"started_on": q.started_on.isoformat(), "air_space": q.air_space,
                             "created_at": _iso(q.created_at)} for q in a.quarantines.order_by("started_on", "id")],
            "health_checks": [{"day": c.day.isoformat(), "signs": c.signs, "notes": c.notes, "keeper": _who(c.keeper),
                               "created_at": _iso(c.created_at)}
                              for c in a.health_checks.select_related("keeper").order_by("day", "id")],
            "cage_stays": [{"cage": st.cage.public_id, "moved_in_on": st.moved_in_on.isoformat(),
                            "moved_out_on": _day(st.moved_out_on), "moved_by": _who(st.moved_by),
                            "override_reason": st.override_reason, "overridden": st.overridden}
                           for st in a.cage_stays.select_related("cage", "moved_by").order_by("moved_in_on", "id")]}


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _who(user) -> str | None:
    return user.username if user else None


def _litter(lt: Litter) -> dict:
    return {"id": lt.public_id, "name": lt.name, "species": lt.species, "birth_date": lt.birth_date.isoformat(),
            "mother": lt.mother.public_id if lt.mother else None, "separated_on": _day(lt.separated_on),
            "notes": lt.notes}


def _introduction(i: Introduction) -> dict:
    return {"id": i.public_id, "newcomers": sorted(a.public_id for a in i.newcomers.all()),
            "residents": sorted(a.public_id for a in i.residents.all()),
            "cage": i.cage.public_id if i.cage else None, "started_on": i.started_on.isoformat(),
            "cage_cleaned_on": _day(i.cage_cleaned_on), "finished_on": _day(i.finished_on),
            "created_by": _who(i.created_by),
            "meetings": [{"id": m.public_id, "keeper": _who(m.keeper), "started_at": _iso(m.started_at),
                          "day": m.day.isoformat(), "duration_seconds": m.duration_seconds,
                          "behaviours": m.behaviours, "notes": m.notes}
                         for m in i.meetings.select_related("keeper").order_by("started_at", "public_id")]}


def _photo(a: Animal) -> dict | None:
    photo = Photo.objects.filter(animal=a).first()
    if photo is None:
        return None
    return {"content_type": photo.content_type, "data": base64.b64encode(bytes(photo.data)).decode("ascii"),
            "uploaded_at": _iso(photo.uploaded_at)}


# --- import -------------------------------------------------------------------

def import_backup(raw: bytes | str, *, keeper) -> dict:
    """Restore an uploaded backup (the web app, the API), which is in memory already: at most MAX_BYTES."""
    if len(raw) > MAX_BYTES:
        raise InvalidInput("file", "A backup larger than 50 MB is refused.")
    if isinstance(raw, str):
        try:
            raw = raw.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("file", "The backup is not valid at the file: it is not UTF-8 text. "
                                       "Nothing was imported.") from None
    return read_backup(io.BytesIO(raw), keeper=keeper)


def import_backup_file(path: Path, *, keeper) -> dict:
    """Restore a backup file of any size (the command line), read as a stream."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise InvalidInput("file", f"Cannot read {path}: {exc.strerror or exc}.") from None
    with stream:
        return read_backup(stream, keeper=keeper)


def read_backup(stream: BinaryIO, *, keeper) -> dict:
    """Restore a backup from a binary stream that can be read twice (seek(0)):
    all of it, or nothing. See the module's docstring for the two passes."""
    backup, session_counts = _read_frame(stream)
    stream.seek(0)
    try:
        return _write(backup, session_counts, read_sessions(stream), keeper)
    except InvalidInput as exc:
        raise _nothing_imported(exc) from None
    except UnreadableBackup as exc:
        raise _unreadable(exc) from None


def _read_frame(stream: BinaryIO) -> tuple[BackupIn, list[int]]:
    """The first pass: everything but the sessions, read and checked."""
    try:
        frame, session_counts = read_frame(stream)
        backup = BackupIn.model_validate(frame)
    except UnreadableBackup as exc:
        raise _unreadable(exc) from None
    except ValidationError as exc:
        raise _invalid(exc) from None
    if backup.version != VERSION:
        raise InvalidInput("file", f"Backup version {backup.version} is not supported (this Gentling reads version {VERSION}).")
    if len(session_counts) != len(backup.households):  # read_frame counts per household: cannot differ
        raise InvalidInput("file", "The backup's households could not be told apart. Nothing was imported.")
    try:
        _check_records(backup)
    except InvalidInput as exc:
        raise _nothing_imported(exc) from None
    return backup, session_counts


def _invalid(exc: ValidationError, at: tuple = ()) -> InvalidInput:
    """The first error pydantic found, named by its place in the file (`at` is where the checked part sits)."""
    err = exc.errors()[0]
    loc = (*at, *err["loc"])
    if loc[:1] in (("version",), ("format",)):
        return InvalidInput("file", "This is not a Gentling backup (format or version missing).")
    where = ".".join(str(p) for p in loc) or "the file"
    return InvalidInput("file", f"The backup is not valid at {where}: {err['msg']}. Nothing was imported.")


def _unreadable(exc: UnreadableBackup) -> InvalidInput:
    return InvalidInput("file", f"The backup is not valid at the file: {str(exc).rstrip('.')}. Nothing was imported.")


def _nothing_imported(exc: InvalidInput) -> InvalidInput:
    if exc.field == "file":
        return exc
    return InvalidInput("file", f"{exc.message} Nothing was imported.")


def _latest_day() -> date:
    return timezone.now().date() + timedelta(days=1)  # any time zone's today


def _check_records(b: BackupIn) -> None:
    today = _latest_day()
    usernames = {k.username for k in b.keepers}
    ids: set[str] = set()

    def unique(kind: str, value: str) -> None:
        if (kind, value) in ids:
            raise InvalidInput("file", f"Duplicate {kind} id '{value}' in the backup. Nothing was imported.")
        ids.add((kind, value))

    def known_keeper(name: str | None) -> None:
        if name is not None and name not in usernames:
            raise InvalidInput("file", f"'{name}' is named in the backup but is not among its keepers.")

    for h in b.households:
        unique("household", h.id)
        check_name(h.name, "household", "Household name")
        check_time_zone(h.time_zone)
        cages = {c.id for c in h.cages}
        for c in h.cages:
            unique("cage", c.id)
            check_name(c.name, "cage", "Cage name")
        if len({c.name for c in h.cages}) < len(h.cages):
            raise InvalidInput("file", f"Household '{h.name}' has two cages with the same name.")
        if len({m.keeper for m in h.members}) < len(h.members):
            raise InvalidInput("file", f"Household '{h.name}' lists the same keeper twice.")
        animals = {a.id for a in h.animals}
        for a in h.animals:
            unique("animal", a.id)
            check_name(a.name, "file", f"Animal name '{a.name[:20]}'")
            check_notes(a.notes, "file")
            check_arrival(a.arrival_date, today)
            check_birth(a.birth_date, a.arrival_date, today)
            for value, choices, what in ((a.species, vocab.SPECIES, "species"), (a.sex, vocab.SEXES, "sex"),
                                         (a.source, vocab.SOURCES, "source"), (a.status, vocab.STATUSES, "status")):
                if value not in choices:
                    raise InvalidInput("file", f"Animal '{a.name}' has an unknown {what} '{value}'.")
            if a.photo is not None:
                try:
                    base64.b64decode(a.photo.data, validate=True)
                except ValueError:
                    raise InvalidInput("file", f"Animal '{a.name}' has a photo that is not valid base64.") from None
            if a.cage is not None and a.cage not in cages:
                raise InvalidInput("file", f"Animal '{a.name}' lives in cage '{a.cage}', which is not in the backup.")
            if a.litter is not None and a.litter not in {lt.id for lt in h.litters}:
                raise InvalidInput("file", f"Animal '{a.name}' belongs to litter '{a.litter}', which is not in the backup.")
            for st in a.cage_stays:
                if st.cage not in cages:
                    raise InvalidInput("file", f"Animal '{a.name}' stayed in cage '{st.cage}', which is not in the backup.")
                known_keeper(st.moved_by)
            for c in a.health_checks:
                check_names(c.signs, vocab.OBSERVATIONS, "file", f"health sign of '{a.name}'")
                check_notes(c.notes, "file")
                known_keeper(c.keeper)
        for m in h.members:
            if m.keeper not in usernames:
                raise InvalidInput("file", f"Member '{m.keeper}' is not among the backup's keepers.")
        _check_arrivals(h, animals, cages, unique, known_keeper)
    # Sessions are checked against the database as they are written (_insert_sessions).
    for model, kind in ((Household, "household"), (Cage, "cage"), (Animal, "animal"), (Litter, "litter"),
                        (Introduction, "introduction"), (IntroductionMeeting, "meeting")):
        wanted = [v for k, v in ids if k == kind]
        clash = model.objects.filter(public_id__in=wanted).values_list("public_id", flat=True).first()
        if clash:
            raise InvalidInput("file", f"The {kind} '{clash}' is already in this database: this backup was "
                                       "imported before, or overlaps it. Nothing was imported.")


def _check_arrivals(h: HouseholdIn, animals: set[str], cages: set[str], unique, known_keeper) -> None:
    behaviours = {**arrivals_protocol().behaviours.normal, **arrivals_protocol().behaviours.danger}
    for lt in h.litters:
        unique("litter", lt.id)
        check_name(lt.name, "file", "Litter name")
        if lt.species not in vocab.SPECIES or (lt.mother is not None and lt.mother not in animals):
            raise InvalidInput("file", f"Litter '{lt.name}' has an unknown species or mother.")
    for i in h.introductions:
        unique("introduction", i.id)
        if not set(i.newcomers) | set(i.residents) <= animals or (i.cage is not None and i.cage not in cages):
            raise InvalidInput("file", f"Introduction '{i.id}' names animals or a cage that are not in the backup.")
        known_keeper(i.created_by)
        for m in i.meetings:
            unique("meeting", m.id)
            known_keeper(m.keeper)
            check_names(m.behaviours, behaviours, "file", f"behaviour in meeting '{m.id}'")
            check_notes(m.notes, "file")


def _check_session(s: SessionIn, arrivals: dict[str, date], users: dict, today: date) -> None:
    if s.animal not in arrivals:
        raise InvalidInput("file", f"Session '{s.id}' is for animal '{s.animal}', which is not in its household.")
    if not arrivals[s.animal] <= s.day <= today:
        raise InvalidInput("file", f"Session '{s.id}' is dated {s.day.isoformat()}, outside its animal's time at home.")
    if s.keeper is not None and s.keeper not in users:
        raise InvalidInput("file", f"Session '{s.id}' was logged by '{s.keeper}', who is not among the keepers.")
    if s.ended_at <= s.started_at:
        raise InvalidInput("file", f"Session '{s.id}' ends before it starts.")
    check_names(s.activities, vocab.ACTIVITIES, "file", f"activity in session '{s.id}'")
    check_names(s.observations, vocab.OBSERVATIONS, "file", f"observation in session '{s.id}'")
    if s.extended_hold_end and s.extended_hold_end not in vocab.EXTENDED_HOLD_ENDINGS:
        raise InvalidInput("file", f"Session '{s.id}' has an unknown extended hold ending.")
    check_notes(s.notes, "file")


def _is_placeholder(user) -> bool:
    return not user.has_usable_password() and not Membership.objects.filter(keeper=user).exists()


def _write_animal_records(animal: Animal, a: AnimalIn, cages: dict, users: dict) -> None:
    for q in a.quarantines:
        Quarantine.objects.create(animal=animal, started_on=q.started_on, air_space=q.air_space, created_at=q.created_at)
    HealthCheck.objects.bulk_create(  # a rescue animal can have hundreds
        [HealthCheck(animal=animal, day=c.day, signs=c.signs, notes=c.notes, keeper=users.get(c.keeper),
                     created_at=c.created_at) for c in a.health_checks], batch_size=BATCH)
    for st in a.cage_stays:
        CageStay.objects.create(animal=animal, cage=cages[st.cage], moved_in_on=st.moved_in_on,
                                moved_out_on=st.moved_out_on, moved_by=users.get(st.moved_by),
                                override_reason=st.override_reason, overridden=st.overridden)


def _write_introductions(household: Household, h: HouseholdIn, animals: dict, cages: dict, users: dict) -> None:
    for i in h.introductions:
        intro = Introduction.objects.create(
            public_id=i.id, household=household, cage=cages.get(i.cage), started_on=i.started_on,
            cage_cleaned_on=i.cage_cleaned_on, finished_on=i.finished_on, created_by=users.get(i.created_by))
        intro.newcomers.set([animals[x] for x in i.newcomers])
        intro.residents.set([animals[x] for x in i.residents])
        for m in i.meetings:
            IntroductionMeeting.objects.create(
                public_id=m.id, introduction=intro, keeper=users.get(m.keeper), started_at=m.started_at, day=m.day,
                duration_seconds=m.duration_seconds, behaviours=m.behaviours, notes=m.notes)


@transaction.atomic
def _write(b: BackupIn, session_counts: list[int], sessions: Iterator, keeper) -> dict:
    """The second pass: the checked frame, then each household's sessions as they are read."""
    users = _write_keepers(b, keeper)
    counts = {"households": 0, "animals": 0, "sessions": 0}
    ours: set[int] = set()  # the households this import made: a session id found in one is a duplicate
    for index, (h, expected) in enumerate(zip(b.households, session_counts)):
        household, animals = _write_household(h, users)
        ours.add(household.pk)
        at = ("households", index, "sessions")
        written = _write_sessions(islice(sessions, expected), at, h, animals, users, ours)
        if written != expected:
            raise UnreadableBackup("the file changed while it was read")
        for animal in animals.values():
            records_changed(animal, animal.arrival_date)
        counts["households"] += 1
        counts["animals"] += len(h.animals)
        counts["sessions"] += written
    if next(sessions, _END) is not _END:
        raise UnreadableBackup("the file changed while it was read")
    if not any(m.keeper == getattr(keeper, "username", None) for h in b.households for m in h.members):
        counts["note"] = "You are not a member of the imported households; their owners can see them."
    return counts


_END = object()


def _write_keepers(b: BackupIn, keeper) -> dict:
    User = get_user_model()
    users = {}
    for k in b.keepers:
        user = User.objects.filter(username=k.username).first()
        fields = {"first_name": k.first_name, "last_name": k.last_name, "email": k.email,
                  "password": k.password or "!", "is_active": k.is_active, "date_joined": k.date_joined}
        if user is None:
            user = User.objects.create(username=k.username, **fields)
        elif user == keeper and _is_placeholder(user):
            # The command line made you a moment ago (no password, no household):
            # restoring your own backup brings back who you were. Never anyone else.
            for name, value in fields.items():
                setattr(user, name, value)
            user.save()
        users[k.username] = user
    return users


def _write_household(h: HouseholdIn, users: dict) -> tuple[Household, dict[str, Animal]]:
    """Everything of the household but its sessions."""
    household = Household.objects.create(public_id=h.id, name=h.name, time_zone=h.time_zone, created_at=h.created_at)
    for m in h.members:
        Membership.objects.create(household=household, keeper=users[m.keeper], role=m.role, joined_at=m.joined_at)
    cages = {c.id: Cage.objects.create(public_id=c.id, household=household, name=c.name, created_at=c.created_at)
             for c in h.cages}
    litters = {lt.id: Litter.objects.create(public_id=lt.id, household=household, name=lt.name, species=lt.species,
                                            birth_date=lt.birth_date, separated_on=lt.separated_on, notes=lt.notes)
               for lt in h.litters}
    animals = {}
    for a in h.animals:
        animals[a.id] = animal = Animal.objects.create(
            public_id=a.id, household=household, species=a.species, name=a.name, sex=a.sex,
            birth_date=a.birth_date, birth_date_estimated=a.birth_date_estimated, source=a.source,
            arrival_date=a.arrival_date, cage=cages.get(a.cage), status=a.status,
            extended_hold_opt_in=a.extended_hold_opt_in, notes=a.notes, created_at=a.created_at,
            neutered_on=a.neutered_on, litter=litters.get(a.litter))
        if a.photo is not None:
            Photo.objects.create(animal=animal, content_type=a.photo.content_type,
                                 data=base64.b64decode(a.photo.data), uploaded_at=a.photo.uploaded_at)
        _write_animal_records(animal, a, cages, users)
    for lt in h.litters:
        if lt.mother:
            Litter.objects.filter(pk=litters[lt.id].pk).update(mother=animals[lt.mother])
    _write_introductions(household, h, animals, cages, users)
    return household, animals


def _write_sessions(items: Iterator, at: tuple, h: HouseholdIn, animals: dict[str, Animal], users: dict,
                    ours: set[int]) -> int:
    """Check each session and insert them in batches; returns how many were read."""
    arrivals, today = {a.id: a.arrival_date for a in h.animals}, _latest_day()
    batch: list[Session] = []
    read = 0
    for read, item in enumerate(items, 1):
        try:
            s = SessionIn.model_validate(item)
        except ValidationError as exc:
            raise _invalid(exc, at=(*at, read - 1)) from None
        _check_session(s, arrivals, users, today)
        batch.append(Session(
            public_id=s.id, animal_id=animals[s.animal].pk, sitting=s.sitting,  # ids: cheaper than objects
            keeper_id=users[s.keeper].pk if s.keeper is not None else None,
            started_at=s.started_at, ended_at=s.ended_at, day=s.day, activities=s.activities, holds=s.holds,
            observations=s.observations, extended_hold_seconds=s.extended_hold_seconds,
            extended_hold_end=s.extended_hold_end, notes=s.notes, alerts=[a.model_dump() for a in s.alerts],
            created_at=s.created_at))
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
        raise InvalidInput("file", f"The session '{clash[0]}' is already in this database: this backup was "
                                   "imported before, or overlaps it. Nothing was imported.")
    Session.objects.bulk_create(batch)
