"""Full JSON backups: the export side (`restore.py` reads them back).

Format (version 2): {"format": "gentling-backup", "version": 2, "scope",
"exported_at", "keepers": [...], "households": [{..., "members", "cages",
"animals", "sessions"}]}. Ids are the public ids.

Two scopes:
- "households": what an owner downloads (web app, API, `gentling export`).
  Keepers appear by username only: no password hash, no email, no API token.
  Restoring one makes the restoring keeper its owner (see restore.py).
- "instance": every household and every account, with password hashes and
  emails, for disaster recovery of a whole server (`gentling export --full`,
  on the server's command line only). It is secret: keep it as you keep the
  database itself.

Version 1 files (before scopes) carried every member's password hash; they
still restore, and a household restore ignores those fields. Cached progress
is not exported; it is recomputed on import.

A rescue's backup holds a million sessions and runs to hundreds of MB, so the
export writes the text as it reads the sessions, a chunk at a time.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import chain
from pathlib import Path
from typing import TextIO

from django.contrib.auth import get_user_model

from ..domain.errors import InvalidInput, NotAllowed
from ..models import Animal, Cohort, Household, HouseholdProtocol, Introduction, Litter, Membership, Photo, Session
from .backup_schema import json_chunks, materialised
from .households import is_owner

FORMAT, VERSION = "gentling-backup", 2
HOUSEHOLDS, INSTANCE = "households", "instance"  # a backup's scope
MAX_BYTES = 50 * 1024 * 1024  # uploads only: the web app and the API hold an upload in memory
BATCH = 500  # sessions read from the database, or checked and inserted, at a time
_BLOCK = 64 * 1024  # characters handed to a file or a response at a time


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


# --- export -------------------------------------------------------------------


def backup_text_for(keeper, households: list[Household], *, now: datetime) -> Iterator[str]:
    """The households' backup as JSON text in blocks, for a streamed download. The
    owner check runs now; the queries run as the text is read."""
    _check_owner(keeper, households)
    return _text(_document(households, HOUSEHOLDS, now=now, tally=(tally := _tally())), tally)


def write_backup_for(keeper, households: list[Household], stream: TextIO, *, now: datetime) -> dict:
    """Write the households' backup to a text stream; returns how many households and sessions it holds."""
    _check_owner(keeper, households)
    tally = _tally()
    for block in _text(_document(households, HOUSEHOLDS, now=now, tally=tally), tally):
        stream.write(block)
    return tally


def export_backup_file(keeper, households: list[Household], path: Path, *, now: datetime) -> dict:
    """Write the households' backup to `path` (see `_write_file`)."""
    _check_owner(keeper, households)
    tally = _tally()
    _write_file(path, _document(households, HOUSEHOLDS, now=now, tally=tally), tally)
    return tally


def export_instance_file(path: Path, *, now: datetime) -> dict:
    """Every household and every account, with password hashes: the server's own disaster
    recovery (`gentling export --full`, the command line only). The file is made readable
    by its owner only."""
    tally = _tally()
    households = list(Household.objects.order_by("public_id"))
    _write_file(path, _document(households, INSTANCE, now=now, tally=tally), tally)
    return tally


def _write_file(path: Path, document: dict, tally: dict) -> None:
    """Write through a file beside `path`, renamed when complete, so that a failed
    export never leaves a cut-short backup (or replaces a good one)."""
    part = path.with_name(path.name + ".part")
    try:
        f = _writing(path, part.open, "w", encoding="utf-8")
        with f:
            _writing(path, os.chmod, part, 0o600)
            for block in _text(document, tally):
                _writing(path, f.write, block)
            _writing(path, f.close)
        _writing(path, os.replace, part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _writing(path: Path, op, *args, **kwargs):
    """op(*args, **kwargs), a failure of the file system told as the keeper's error
    (and only that: a database error while writing stays what it is)."""
    try:
        return op(*args, **kwargs)
    except OSError as exc:
        raise InvalidInput("file", f"Cannot write {path}: {exc.strerror or exc}.") from None


def export_households(households: list[Household], *, now: datetime, scope: str = HOUSEHOLDS) -> dict:
    """The whole backup as one dict: for small data (tests)."""
    return materialised(_document(households, scope, now=now, tally=_tally()))


def _check_owner(keeper, households: list[Household]) -> None:
    """Owners only: a backup holds the household's whole record and can be restored elsewhere."""
    for h in households:
        if not is_owner(keeper, h):
            raise NotAllowed(f"Only an owner of '{h.name}' can back it up.")


def _tally() -> dict:
    return {"households": 0, "sessions": 0}


def _text(document: dict, tally: dict) -> Iterator[str]:
    """The backup's JSON text, as json.dumps(..., indent=2) writes it, in blocks of
    about _BLOCK characters (fewer, larger writes)."""
    block, size = [], 0
    for chunk in chain(json_chunks(document), ["\n"]):
        block.append(chunk)
        size += len(chunk)
        if size >= _BLOCK:
            yield "".join(block)
            block, size = [], 0
    if block:
        yield "".join(block)


def _document(households: list[Household], scope: str, *, now: datetime, tally: dict) -> dict:
    """The backup, with its households and their sessions as lazy iterators (see json_chunks).

    A households backup names its keepers and nothing more about them; an instance
    backup carries every account whole."""
    members = {h.pk: list(h.memberships.select_related("keeper").order_by("keeper__username")) for h in households}
    if scope == INSTANCE:
        keepers = {k.username: _account(k) for k in get_user_model().objects.all()}
    else:
        keepers = {m.keeper.username: {"username": m.keeper.username} for ms in members.values() for m in ms}
    return {
        "format": FORMAT,
        "version": VERSION,
        "scope": scope,
        "exported_at": _iso(now),
        "keepers": [keepers[name] for name in sorted(keepers)],
        "households": (_household(h, members[h.pk], tally) for h in households),
    }


def _account(k) -> dict:
    return {
        "username": k.username,
        "first_name": k.first_name,
        "last_name": k.last_name,
        "email": k.email,
        "password": k.password,
        "is_active": k.is_active,
        "date_joined": _iso(k.date_joined),
    }


def _household(h: Household, members: list[Membership], tally: dict) -> dict:
    """A household; its animals (with their health checks), sessions and
    introductions are lazy, so only one animal or session is in memory at a time."""
    tally["households"] += 1
    animals = h.animals.select_related("cage", "litter", "household_protocol").order_by("public_id")
    introductions = h.introductions.select_related("cage", "created_by").order_by("public_id")
    return {
        "id": h.public_id,
        "name": h.name,
        "time_zone": h.time_zone,
        "created_at": _iso(h.created_at),
        "members": [{"keeper": m.keeper.username, "role": m.role, "joined_at": _iso(m.joined_at)} for m in members],
        "cages": [
            {"id": c.public_id, "name": c.name, "created_at": _iso(c.created_at)} for c in h.cages.order_by("public_id")
        ],
        "litters": [_litter(lt) for lt in h.litters.select_related("mother").order_by("public_id")],
        "animals": (_animal(a) for a in animals),
        "sessions": _sessions(h, tally),
        "introductions": (_introduction(i) for i in introductions),
        "cohorts": [_cohort(c) for c in h.cohorts.prefetch_related("animals").order_by("public_id")],
        "protocols": [_protocol(p) for p in h.protocols.select_related("uploaded_by")],
    }


def _protocol(p: HouseholdProtocol) -> dict:
    return {
        "id": p.protocol_id,
        "version": p.version,
        "text": p.text,
        "uploaded_by": _who(p.uploaded_by),
        "uploaded_at": _iso(p.uploaded_at),
    }


# A session's keys in the file, and the columns they come from.
_SESSION_COLUMNS = {
    "id": "public_id",
    "animal": "animal__public_id",
    "keeper": "keeper__username",
    "sitting": "sitting",
    "started_at": "started_at",
    "ended_at": "ended_at",
    "day": "day",
    "activities": "activities",
    "holds": "holds",
    "observations": "observations",
    "extended_hold_seconds": "extended_hold_seconds",
    "extended_hold_end": "extended_hold_end",
    "measures": "measures",
    "protocol": "protocol",
    "protocol_version": "protocol_version",
    "notes": "notes",
    "alerts": "alerts",
    "created_at": "created_at",
}


def _sessions(h: Household, tally: dict) -> Iterator[dict]:
    """The household's sessions, read from the database a batch at a time."""
    rows = (
        Session.objects.filter(animal__household=h)
        .order_by("public_id")
        .values_list(*_SESSION_COLUMNS.values())
        .iterator(chunk_size=BATCH)
    )
    for row in rows:
        s = dict(zip(_SESSION_COLUMNS, row, strict=False))
        for moment in ("started_at", "ended_at", "created_at"):
            s[moment] = _iso(s[moment])
        s["day"] = s["day"].isoformat()
        tally["sessions"] += 1
        yield s


def _animal(a: Animal) -> dict:
    return {
        "id": a.public_id,
        "name": a.name,
        "species": a.species,
        "sex": a.sex,
        "birth_date": a.birth_date.isoformat() if a.birth_date else None,
        "birth_date_estimated": a.birth_date_estimated,
        "source": a.source,
        "arrival_date": a.arrival_date.isoformat(),
        "cage": a.cage.public_id if a.cage else None,
        "status": a.status,
        "extended_hold_opt_in": a.extended_hold_opt_in,
        "notes": a.notes,
        "created_at": _iso(a.created_at),
        "photo": _photo(a),
        "neutered_on": _day(a.neutered_on),
        "litter": a.litter.public_id if a.litter else None,
        "protocol": a.protocol,
        "protocol_version": a.household_protocol.version if a.household_protocol else 0,
        "protocol_since": _day(a.protocol_since),
        "protocol_start_step": a.protocol_start_step,
        "protocol_moves": [
            {
                "id": m.public_id,
                "moved_at": _iso(m.moved_at),
                "from_protocol": m.from_protocol,
                "from_version": m.from_version,
                "from_step": m.from_step,
                "to_protocol": m.to_protocol,
                "to_version": m.to_version,
                "to_step": m.to_step,
                "how": m.how,
                "moved_by": _who(m.moved_by),
            }
            for m in a.protocol_moves.select_related("moved_by")
        ],
        "quarantines": [
            {"started_on": q.started_on.isoformat(), "air_space": q.air_space, "created_at": _iso(q.created_at)}
            for q in a.quarantines.order_by("started_on", "id")
        ],
        "health_checks": [
            {
                "day": c.day.isoformat(),
                "signs": c.signs,
                "notes": c.notes,
                "keeper": _who(c.keeper),
                "created_at": _iso(c.created_at),
            }
            for c in a.health_checks.select_related("keeper").order_by("day", "id")
        ],
        "cage_stays": [
            {
                "cage": st.cage.public_id,
                "moved_in_on": st.moved_in_on.isoformat(),
                "moved_out_on": _day(st.moved_out_on),
                "moved_by": _who(st.moved_by),
                "override_reason": st.override_reason,
                "overridden": st.overridden,
            }
            for st in a.cage_stays.select_related("cage", "moved_by").order_by("moved_in_on", "id")
        ],
    }


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _who(user) -> str | None:
    return user.username if user else None


def _cohort(c: Cohort) -> dict:
    return {
        "id": c.public_id,
        "name": c.name,
        "animals": sorted(a.public_id for a in c.animals.all()),
        "created_at": _iso(c.created_at),
    }


def _litter(lt: Litter) -> dict:
    return {
        "id": lt.public_id,
        "name": lt.name,
        "species": lt.species,
        "birth_date": lt.birth_date.isoformat(),
        "mother": lt.mother.public_id if lt.mother else None,
        "separated_on": _day(lt.separated_on),
        "notes": lt.notes,
    }


def _introduction(i: Introduction) -> dict:
    return {
        "id": i.public_id,
        "newcomers": sorted(a.public_id for a in i.newcomers.all()),
        "residents": sorted(a.public_id for a in i.residents.all()),
        "cage": i.cage.public_id if i.cage else None,
        "started_on": i.started_on.isoformat(),
        "cage_cleaned_on": _day(i.cage_cleaned_on),
        "finished_on": _day(i.finished_on),
        "created_by": _who(i.created_by),
        "meetings": [
            {
                "id": m.public_id,
                "keeper": _who(m.keeper),
                "started_at": _iso(m.started_at),
                "day": m.day.isoformat(),
                "duration_seconds": m.duration_seconds,
                "behaviours": m.behaviours,
                "notes": m.notes,
            }
            for m in i.meetings.select_related("keeper").order_by("started_at", "public_id")
        ],
    }


def _photo(a: Animal) -> dict | None:
    photo = Photo.objects.filter(animal=a).first()
    if photo is None:
        return None
    return {
        "content_type": photo.content_type,
        "data": base64.b64encode(bytes(photo.data)).decode("ascii"),
        "uploaded_at": _iso(photo.uploaded_at),
    }
