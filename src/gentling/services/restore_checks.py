"""Checking a backup before anything of it is stored: the frame (all but the
sessions) as a whole, then each session as it is read. A broken or hostile file
is refused with the place of the first problem, and nothing is imported."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta
from typing import BinaryIO

from pydantic import ValidationError

from ..domain import vocab
from ..domain.arrivals import arrivals_protocol
from ..domain.errors import InvalidInput
from ..domain.protocol import LAB, Protocol, lab_protocol
from ..domain.validation import (
    STANDARD_WORDS,
    Words,
    check_arrival,
    check_birth,
    check_measures,
    check_name,
    check_names,
    check_notes,
)
from ..models import Animal, Cage, Cohort, Household, Introduction, IntroductionMeeting, Litter, ProtocolMove
from .backup_schema import BackupIn, HouseholdIn, SessionIn, UnreadableBackup, read_frame
from .households import check_time_zone
from .protocols import check_protocol_text

VERSIONS = (1, 2)  # what this Gentling reads; it writes the last


def checked_frame(stream: BinaryIO, now: datetime) -> tuple[BackupIn, list[int]]:
    """The first pass: everything but the sessions, read and checked."""
    try:
        frame, session_counts = read_frame(stream)
        backup = BackupIn.model_validate(frame)
    except UnreadableBackup as exc:
        raise unreadable(exc) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    if backup.version not in VERSIONS:
        raise InvalidInput(
            "file",
            f"Backup version {backup.version} is not supported "
            f"(this Gentling reads versions {', '.join(map(str, VERSIONS))}).",
        )
    if len(session_counts) != len(backup.households):  # read_frame counts per household: cannot differ
        raise InvalidInput("file", "The backup's households could not be told apart. Nothing was imported.")
    try:
        _check_records(backup, latest_day(now))
    except InvalidInput as exc:
        raise nothing_imported(exc) from None
    return backup, session_counts


def invalid(exc: ValidationError, at: tuple = ()) -> InvalidInput:
    """The first error pydantic found, named by its place in the file (`at` is where the checked part sits)."""
    err = exc.errors()[0]
    loc = (*at, *err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if loc[:1] in (("version",), ("format",)):
        return InvalidInput("file", "This is not a Gentling backup (format or version missing).")
    where = ".".join(str(p) for p in loc) or "the file"
    return InvalidInput("file", f"The backup is not valid at {where}: {msg}. Nothing was imported.")


def unreadable(exc: UnreadableBackup) -> InvalidInput:
    return InvalidInput("file", f"The backup is not valid at the file: {str(exc).rstrip('.')}. Nothing was imported.")


def nothing_imported(exc: InvalidInput) -> InvalidInput:
    if exc.field == "file":
        return exc
    return InvalidInput("file", f"{exc.message} Nothing was imported.")


def latest_day(now: datetime) -> date:
    """The latest day a record may carry: today somewhere on Earth (UTC+14 is a day ahead)."""
    return now.date() + timedelta(days=1)


def _check_records(b: BackupIn, today: date) -> None:
    usernames = {k.username for k in b.keepers}
    ids: set[tuple[str, str]] = set()  # (kind, id)

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
        own = household_protocols_in(h)
        for a in h.animals:
            unique("animal", a.id)
            _check_protocol_of(a, own, unique, known_keeper)
            check_name(a.name, "file", f"Animal name '{a.name[:20]}'")
            check_notes(a.notes, "file")
            check_arrival(a.arrival_date, today)
            check_birth(a.birth_date, a.arrival_date, today)
            for value, choices, what in (
                (a.species, vocab.SPECIES, "species"),
                (a.sex, vocab.SEXES, "sex"),
                (a.source, vocab.SOURCES, "source"),
                (a.status, vocab.STATUSES, "status"),
            ):
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
                raise InvalidInput(
                    "file", f"Animal '{a.name}' belongs to litter '{a.litter}', which is not in the backup."
                )
            for st in a.cage_stays:
                if st.cage not in cages:
                    raise InvalidInput(
                        "file", f"Animal '{a.name}' stayed in cage '{st.cage}', which is not in the backup."
                    )
                known_keeper(st.moved_by)
            for hc in a.health_checks:
                check_names(hc.signs, vocab.OBSERVATIONS, "file", f"health sign of '{a.name}'")
                check_notes(hc.notes, "file")
                known_keeper(hc.keeper)
        for m in h.members:
            if m.keeper not in usernames:
                raise InvalidInput("file", f"Member '{m.keeper}' is not among the backup's keepers.")
        _check_arrivals(h, animals, cages, unique, known_keeper)


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
    for c in h.cohorts:
        unique("cohort", c.id)
        check_name(c.name, "file", "Cohort name")
        if not set(c.animals) <= animals:
            raise InvalidInput("file", f"Cohort '{c.name[:40]}' names animals that are not in the backup.")
    if len({c.name for c in h.cohorts}) < len(h.cohorts):
        raise InvalidInput("file", f"Household '{h.name}' has two cohorts with the same name.")


def household_protocols_in(h: HouseholdIn) -> dict[tuple[str, int], Protocol]:
    """The household's own protocols in the backup, each checked in full as an upload is."""
    found: dict[tuple[str, int], Protocol] = {}
    for p in h.protocols:
        protocol = check_protocol_text(p.text, f"protocol '{p.id[:64]}' (version {p.version}) in the backup")
        if (protocol.id, protocol.version) != (p.id, p.version) or (p.id, p.version) in found:
            raise InvalidInput(
                "file", f"Protocol '{p.id[:64]}' version {p.version} does not match its text, or is there twice."
            )
        if p.id in LAB or p.id in ("rat-handling", "mouse-handling"):
            raise InvalidInput("file", f"Protocol '{p.id}' is one Gentling ships; a household cannot replace it.")
        found[(p.id, p.version)] = protocol
    return found


def protocol_named(ref: str, version: int, own: dict[tuple[str, int], Protocol], where: str) -> Protocol | None:
    """The protocol a backup names (None: the handling ladder of the animal's species)."""
    if not ref:
        return None
    if ref in LAB:
        return lab_protocol(ref)
    if (ref, version) in own:
        return own[(ref, version)]
    raise InvalidInput("file", f"{where} names protocol '{ref[:64]}' version {version}, which is not in the backup.")


def _check_protocol_of(a, own: dict[tuple[str, int], Protocol], unique, known_keeper) -> None:
    protocol = protocol_named(a.protocol, a.protocol_version, own, f"Animal '{a.name[:40]}'")
    if protocol is not None and a.species not in protocol.species:
        raise InvalidInput(
            "file", f"Animal '{a.name[:40]}' is a {a.species} on '{protocol.title}', which is not for it."
        )
    if bool(a.protocol_start_step) != bool(a.protocol_since):
        raise InvalidInput("file", f"Animal '{a.name[:40]}' has a protocol start step without its day, or the reverse.")
    if a.protocol_start_step:
        steps = [st.id for st in protocol.steps] if protocol is not None else None
        if steps is not None and a.protocol_start_step not in steps:
            raise InvalidInput("file", f"Animal '{a.name[:40]}' starts at a step its protocol does not have.")
    for m in a.protocol_moves:
        unique("protocol move", m.id)
        known_keeper(m.moved_by)


def session_words(h: HouseholdIn) -> dict[tuple[str, int], Words]:
    """The words of each version of the household's own protocols a session may be logged under."""
    return {key: Words.of([protocol]) for key, protocol in household_protocols_in(h).items()}


def check_session(
    s: SessionIn,
    arrivals: dict[str, date],
    keepers: set[str],
    today: date,
    words: dict[tuple[str, int], Words] | None = None,
) -> None:
    if s.animal not in arrivals:
        raise InvalidInput("file", f"Session '{s.id}' is for animal '{s.animal}', which is not in its household.")
    if not arrivals[s.animal] <= s.day <= today:
        raise InvalidInput("file", f"Session '{s.id}' is dated {s.day.isoformat()}, outside its animal's time at home.")
    if s.keeper is not None and s.keeper not in keepers:
        raise InvalidInput("file", f"Session '{s.id}' was logged by '{s.keeper}', who is not among the keepers.")
    if s.ended_at <= s.started_at:
        raise InvalidInput("file", f"Session '{s.id}' ends before it starts.")
    # The ladders and the shipped lab protocols are read by id: a later release's version keeps their words.
    by_id = Words.of([lab_protocol(s.protocol)]) if s.protocol in LAB else STANDARD_WORDS if not s.protocol else None
    known = (words or {}).get((s.protocol, s.protocol_version), by_id)
    if known is None:
        raise InvalidInput("file", f"Session '{s.id}' names protocol '{s.protocol[:64]}', which is not in the backup.")
    check_names(s.activities, known.activities, "file", f"activity in session '{s.id}'")
    check_names(s.observations, known.observations, "file", f"observation in session '{s.id}'")
    try:
        check_measures(s.measures, known.measures)
    except InvalidInput as exc:
        raise InvalidInput("file", f"Session '{s.id}': {exc.message}") from None
    if s.extended_hold_end and s.extended_hold_end not in vocab.EXTENDED_HOLD_ENDINGS:
        raise InvalidInput("file", f"Session '{s.id}' has an unknown extended hold ending.")
    check_notes(s.notes, "file")


def check_ids_are_free(b: BackupIn) -> None:
    """Refuse a backup whose ids are already in this database (run inside the restore's
    transaction, after any household it replaces is gone). Sessions are checked as they are written."""
    hs = b.households
    wanted = (
        (Household, "household", [h.id for h in hs]),
        (Cage, "cage", [c.id for h in hs for c in h.cages]),
        (Animal, "animal", [a.id for h in hs for a in h.animals]),
        (Litter, "litter", [lt.id for h in hs for lt in h.litters]),
        (Introduction, "introduction", [i.id for h in hs for i in h.introductions]),
        (IntroductionMeeting, "meeting", [m.id for h in hs for i in h.introductions for m in i.meetings]),
        (Cohort, "cohort", [c.id for h in hs for c in h.cohorts]),
        (ProtocolMove, "protocol move", [m.id for h in hs for a in h.animals for m in a.protocol_moves]),
    )
    for model, kind, ids in wanted:
        clash = model.objects.filter(public_id__in=ids).values_list("public_id", flat=True).first()
        if clash:
            raise InvalidInput(
                "file",
                f"The {kind} '{clash}' is already in this database: this backup was "
                "imported before, or overlaps it. Nothing was imported.",
            )
