"""Reads that ask the engine: progress, plans, and the progress cache.

Progress is kept incrementally. Each animal has one stored engine checkpoint
(`ProgressSnapshot`): its state at the end of a day. A read resumes from it and
replays only the records after that day, so today's plan costs the same for an
animal with three years of sessions as for one with three days; the first read
of a new day moves the checkpoint up to yesterday. Every write to an animal's
records calls `records_changed` in its own transaction: it drops a checkpoint
that the change reaches back into, and bumps the revision so that a read that
raced the write does not store what it computed. On top of that, each process
remembers its committed answers under the animal's revision and the day
(`standings`). `verify_snapshots` replays every animal from scratch to prove
the stored checkpoints right.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, models
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from ..domain import engine
from ..domain.plan import AnimalPlan, plan_for_day
from ..domain.protocol import Protocol, lab_protocol, load_protocol_text, shipped_protocol
from ..domain.records import AnimalFacts, SessionRecord
from ..models import Animal, HealthCheck, Household, HouseholdProtocol, ProgressSnapshot, Session
from ..prepared import Prepared, PreparedUpdate, rows_of_each, tuples_of_each
from ..sqlite import unless_write_lock_taken


def protocol_for(animal: Animal) -> Protocol:
    """The protocol the animal follows: its household's own (at a version), a shipped lab
    protocol, or the handling ladder of its species."""
    if animal.household_protocol_id:
        return household_protocol(animal.household_protocol_id)
    if animal.protocol:
        return lab_protocol(animal.protocol)
    return shipped_protocol(animal.species)


def household_protocol(pk: int) -> Protocol:
    """A household protocol's version, parsed once per process.

    A committed version never changes, and its id is never handed out again (SQLite's
    AUTOINCREMENT, PostgreSQL's sequences), so it is cached by id. A row read inside a
    transaction may yet be rolled back and its id reused for another text: it is read afresh."""
    if connection.in_atomic_block:
        return _parsed_protocol(pk)
    return _committed_protocol(pk)


def _parsed_protocol(pk: int) -> Protocol:
    row = HouseholdProtocol.objects.only("text", "protocol_id", "version").get(pk=pk)
    return load_protocol_text(row.text, f"{row.protocol_id} (version {row.version})")


_committed_protocol = functools.lru_cache(maxsize=256)(_parsed_protocol)


def facts(animal: Animal) -> AnimalFacts:
    start = animal.protocol_start_step or None
    return AnimalFacts(
        animal.species,
        animal.source,
        animal.arrival_date,
        animal.extended_hold_opt_in,
        start,
        animal.protocol_since if start else None,
    )


def _start_day(animal: Animal) -> date:
    """The first day the engine replays: the arrival, or the move to its current protocol."""
    return animal.protocol_since if animal.protocol_start_step and animal.protocol_since else animal.arrival_date


def record(s: Session) -> SessionRecord:
    return _session_record(
        s.public_id,
        s.day,
        s.started_at,
        s.ended_at,
        s.activities,
        s.holds,
        s.observations,
        s.extended_hold_seconds,
        s.extended_hold_end,
        tuple(sorted(s.measures.items())),
    )


def health_record(c: HealthCheck) -> SessionRecord:
    return _health_record(c.pk, c.day, c.created_at, c.signs)


def _session_record(
    public_id,
    day,
    started_at,
    ended_at,
    activities,
    holds,
    observations,
    extended_hold_seconds,
    extended_hold_end,
    measures=(),
) -> SessionRecord:
    return SessionRecord(
        id=public_id,
        day=day,
        at=started_at,
        duration_seconds=int((ended_at - started_at).total_seconds()),
        activities=frozenset(activities),
        holds=tuple(holds),
        observations=frozenset(observations),
        extended_hold_seconds=extended_hold_seconds,
        extended_hold_end=extended_hold_end or None,
        measures=measures,
    )


def _health_record(pk, day, created_at, signs) -> SessionRecord:
    return SessionRecord(
        id=f"health-{pk}",
        day=day,
        at=created_at,
        duration_seconds=0,
        observations=frozenset(signs),
        kind="health_check",
    )


def records(animal: Animal, until: date | None = None) -> list[SessionRecord]:
    """The animal's sessions and health checks, as the engine reads them."""
    return records_of([animal], until)[animal.pk]


def records_of(
    animals: list[Animal], until: date | None = None, after: date | None = None
) -> dict[int, list[SessionRecord]]:
    """Sessions and health checks of several animals in two queries (one round trip on PostgreSQL), by animal pk
    (only those after `after` and up to `until`, where given).

    Reads only the columns the engine needs, as tuples: building model
    instances took most of the time for an animal with years of sessions.
    One animal's, as logging a session reads them, are two prepared reads in one round trip.
    """
    if len(animals) == 1 and until is not None:
        window = (animals[0].pk, after or date.min, until)
        return _records(animals, *rows_of_each((_ANIMALS_SESSIONS, window), (_ANIMALS_CHECKS, window)))
    # Unordered: the records are sorted here, in the engine's order.
    # By their ids: the ORM checks each model instance of a list, which took 20 ms for a rescue's 500.
    pks = [a.pk for a in animals]
    sessions = Session.objects.filter(animal_id__in=pks).order_by()
    checks = HealthCheck.objects.filter(animal_id__in=pks).order_by()
    if until is not None:
        sessions, checks = sessions.filter(day__lte=until), checks.filter(day__lte=until)
    if after is not None:
        sessions, checks = sessions.filter(day__gt=after), checks.filter(day__gt=after)
    return _records(animals, *tuples_of_each(_session_columns(sessions), _check_columns(checks)))


def _session_columns(sessions: QuerySet) -> QuerySet:
    """The columns `_records` reads: the JSON lists as their text, each decoded once there."""
    as_text = [Cast(name, TextField()) for name in ("activities", "holds", "observations", "measures")]
    return sessions.values_list(
        "animal_id",
        "public_id",
        "day",
        "started_at",
        "ended_at",
        *as_text,
        "extended_hold_seconds",
        "extended_hold_end",
        "protocol",
    )


def _check_columns(checks: QuerySet) -> QuerySet:
    return checks.values_list("animal_id", "pk", "day", "created_at", "signs")


_SAMPLE, _OTHER = (1, date(2000, 1, 1), date(2000, 1, 2)), (2, date(2000, 1, 3), date(2000, 1, 4))
_ANIMALS_SESSIONS = Prepared(
    lambda pk, after, until: _session_columns(
        Session.objects.filter(animal_id=pk, day__gt=after, day__lte=until).order_by()
    ),
    _SAMPLE,
    _OTHER,
)
_ANIMALS_CHECKS = Prepared(
    lambda pk, after, until: _check_columns(
        HealthCheck.objects.filter(animal_id=pk, day__gt=after, day__lte=until).order_by()
    ),
    _SAMPLE,
    _OTHER,
)


def _records(animals: list[Animal], session_rows, check_rows) -> dict[int, list[SessionRecord]]:
    found: dict[int, list[SessionRecord]] = {a.pk: [] for a in animals}
    # Sessions repeat the same few lists: each list's JSON text is decoded once, and its records share the value.
    names = functools.cache(lambda text: frozenset(json.loads(text)))
    seconds = functools.cache(lambda text: tuple(json.loads(text)))
    numbers = functools.cache(lambda text: tuple(sorted(json.loads(text).items())))
    # After a move to another protocol, only the sessions logged under it since the move count.
    current = {a.pk: (a.protocol, a.protocol_since) for a in animals if a.protocol or a.protocol_since}
    for animal_id, public_id, day, started_at, ended_at, acts, holds, obs, measured, held, end, under in session_rows:
        if animal_id in current and (under != current[animal_id][0] or day < (current[animal_id][1] or day)):
            continue
        found[animal_id].append(
            _session_record(
                public_id,
                day,
                started_at,
                ended_at,
                names(acts),
                seconds(holds),
                names(obs),
                held,
                end,
                numbers(measured),
            )
        )
    for animal_id, pk, day, created_at, signs in check_rows:
        found[animal_id].append(_health_record(pk, day, created_at, signs))
    return {pk: sorted(recs, key=lambda r: r.order) for pk, recs in found.items()}


def local_today(household: Household, now: datetime) -> date:
    return local_time(household, now).date()


def local_time(household: Household, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(household.time_zone))


FULL_REPLAYS_AT_ONCE = 25  # animals whose every record is read together when they have no checkpoint


@dataclass(frozen=True)
class Standing:
    """Where an animal stands at the end of a day, and that day's own records."""

    progress: engine.Progress
    todays: list[SessionRecord]


def progress_of(animal: Animal, day: date, *, today: date | None = None) -> engine.Progress:
    return standings([animal], day, today=today)[animal.pk].progress


def current_step_ids(animals: list[Animal], day: date) -> dict[int, str]:
    return {pk: st.progress.step_id for pk, st in standings(animals, day).items()}


def standings(animals: list[Animal], day: date, *, today: date | None = None) -> dict[int, Standing]:
    """Each animal's progress on `day`, remembered where nothing changed, else resumed from its checkpoint.

    `today` is the household's own today, given when `day` may be ahead of it
    (the calendar, a plan for a day ahead): a checkpoint is never kept on or
    after it (see `_keep_day`). Left out, `day` is taken as today or earlier.

    A process remembers each answer under the animal's revision (which every
    write bumps) and the day, so a Today page with nothing new reads only the
    revisions and today's records. Only committed data is remembered: a read
    inside a transaction might see a write that is then rolled back.
    """
    today = min(day, today or day)
    if connection.in_atomic_block:
        return _resumed(animals, day, today)[1]
    revisions = {
        a_id: (pk, rev)
        for pk, a_id, rev in ProgressSnapshot.objects.filter(animal_id__in=[a.pk for a in animals]).values_list(
            "pk", "animal_id", "revision"
        )
    }
    keys = {a.pk: (a.public_id, *revisions[a.pk], day) for a in animals if a.pk in revisions}
    known = {pk: p for pk, key in keys.items() if (p := _remembered.get(key)) is not None}
    hits = [a for a in animals if a.pk in known]
    found = {}
    if hits:
        todays = records_of(hits, until=day, after=day - timedelta(days=1))
        found = {a.pk: Standing(known[a.pk], todays[a.pk]) for a in hits}
    misses = [a for a in animals if a.pk not in found]
    if misses:
        snaps, computed = _resumed(misses, day, today)
        found.update(computed)
        if len(_remembered) > REMEMBERED_MAX:
            _remembered.clear()
        for a in misses:
            _remembered[(a.public_id, snaps[a.pk].pk, snaps[a.pk].revision, day)] = computed[a.pk].progress
    return {a.pk: found[a.pk] for a in animals}


_remembered: dict[tuple, engine.Progress] = {}  # (animal public id, snapshot pk, revision, day): this process's answers
REMEMBERED_MAX = 50_000


def _resumed(animals: list[Animal], day: date, today: date) -> tuple[dict[int, ProgressSnapshot], dict[int, Standing]]:
    """Resume each animal from its checkpoint (two queries per distinct checkpoint day, usually one),
    moving checkpoints up to the day before `day` when they are older."""
    snaps = _snapshots(animals)
    since = {a.pk: _usable(snaps[a.pk], a, day) for a in animals}
    groups: dict[date | None, list[Animal]] = defaultdict(list)
    for a in animals:
        usable = since[a.pk]
        groups[usable.day if usable else None].append(a)
    found = {}
    for after, group in groups.items():
        # Without a checkpoint every record is read: a few animals at a time, so memory stays bounded.
        size = len(group) if after is not None else FULL_REPLAYS_AT_ONCE
        for start in range(0, len(group), size):
            chunk = group[start : start + size]
            recs = records_of(chunk, until=day, after=after)
            for a in chunk:
                cp = since[a.pk]
                keep = _keep_day(day, today)
                keeping = keep if keep >= _start_day(a) and _newer_than_stored(snaps[a.pk], a, keep) else None
                prog, kept = engine.replay(protocol_for(a), facts(a), recs[a.pk], day, since=cp, keep=keeping)
                if kept is not None:
                    _store(snaps[a.pk], kept)
                found[a.pk] = Standing(prog, [r for r in recs[a.pk] if r.day == day])
    return snaps, found


def progress_before(animal: Animal, new: SessionRecord) -> engine.Progress:
    """Where the animal stood when `new` began (its guardrails' basis), from the checkpoint where usable."""
    cp = _usable(_snapshots([animal])[animal.pk], animal, new.day)
    recs = records_of([animal], until=new.day, after=cp.day if cp else None)[animal.pk]
    return engine.progress_before(protocol_for(animal), facts(animal), recs, new, since=cp)


@dataclass(frozen=True)
class AroundSession:
    revision: int  # of the animal's records when read: logging recomputes if a write came in since
    before_now: engine.Progress  # today, without the new session
    basis: engine.Progress  # when the new session began: what its guardrails read
    after_now: engine.Progress  # today, with it


def around_session(animal: Animal, new: SessionRecord, today: date) -> AroundSession:
    """Everything logging `new` needs to know, from one read of the checkpoint and the newer records.

    Logging runs in a write transaction, and SQLite has one writer at a time: the
    fewer statements inside, the more sessions a second can take. Like a read, it
    moves a stale checkpoint up to yesterday."""
    snap = _snapshots([animal])[animal.pk]
    cp = _usable(snap, animal, new.day)
    recs = records_of([animal], until=max(today, new.day), after=cp.day if cp else None)[animal.pk]
    recs = [r for r in recs if r.id != new.id]
    p, f = protocol_for(animal), facts(animal)
    keep = _keep_day(today, today)
    keeping = (
        keep if (cp.day if cp else _start_day(animal)) <= keep and _newer_than_stored(snap, animal, keep) else None
    )
    before_now, kept = engine.replay(p, f, recs, today, since=cp, keep=keeping)
    if kept is not None:
        _store(snap, kept)
    return AroundSession(
        revision=snap.revision,
        before_now=before_now,
        basis=engine.progress_before(p, f, [r for r in recs if r.day <= new.day], new, since=cp),
        after_now=engine.replay(p, f, [*recs, new], today, since=cp)[0],
    )


def records_revision(animal: Animal) -> str:
    """Where the animal's records and facts stand: changes with every write to them (records_changed).
    Its snapshot's id is part of it, since a new snapshot starts its count again."""
    snap = _snapshots([animal])[animal.pk]
    return revision_text(snap.pk, snap.revision)


def revision_text(snapshot_pk: int, revision: int) -> str:
    """records_revision from its snapshot's id and count, where they were read already."""
    return f"{snapshot_pk}.{revision}"


def records_changed(animal: Animal, day: date, *, revision: int | None = None) -> bool:
    """Call in the transaction of any write to the animal's records or facts that reaches back to `day`.

    With `revision`, only if the records are still at that revision: False means another
    write came in since it was read (or the animal has no snapshot yet), and nothing changed."""
    if revision is None:
        changed = _RECORDS_CHANGED.run(animal.pk, day)
    else:
        changed = _RECORDS_CHANGED_AT.run(animal.pk, day, revision)
    if not changed and revision is None:
        ProgressSnapshot.objects.bulk_create([ProgressSnapshot(animal=animal)], ignore_conflicts=True)
    return bool(changed)


def _revision_moved_on(day: date) -> dict:
    """The changes `records_changed` makes: the revision up by one, and the checkpoint dropped if
    the change reaches back to its day."""
    return {
        "revision": models.F("revision") + 1,
        "checkpoint_day": models.Case(
            models.When(checkpoint_day__gte=day, then=models.Value(None)),
            default=models.F("checkpoint_day"),
            output_field=models.DateField(),
        ),
    }


_RECORDS_CHANGED = PreparedUpdate(
    lambda pk, day: (ProgressSnapshot.objects.filter(animal_id=pk), _revision_moved_on(day)),
    (1, date(2000, 1, 1)),
    (2, date(2000, 1, 2)),
)
_RECORDS_CHANGED_AT = PreparedUpdate(
    lambda pk, day, revision: (
        ProgressSnapshot.objects.filter(animal_id=pk, revision=revision),
        _revision_moved_on(day),
    ),
    (1, date(2000, 1, 1), 1),
    (2, date(2000, 1, 2), 2),
)
_ANIMALS_SNAPSHOT = Prepared(lambda pk: ProgressSnapshot.objects.filter(animal_id=pk), (1,), (2,))


def _snapshots(animals: list[Animal]) -> dict[int, ProgressSnapshot]:
    """Each animal's snapshot (made here when missing)."""

    def read(of):
        if len(of) == 1:  # as logging a session asks: a prepared read
            return {s.animal_id: s for s in _ANIMALS_SNAPSHOT.rows(of[0].pk)}
        return {s.animal_id: s for s in ProgressSnapshot.objects.filter(animal_id__in=[a.pk for a in of])}

    found = read(animals)
    missing = [a for a in animals if a.pk not in found]
    if missing:  # created before any record is read, so a racing write bumps its revision
        ProgressSnapshot.objects.bulk_create([ProgressSnapshot(animal=a) for a in missing], ignore_conflicts=True)
        found.update(read(missing))
    return found


def _keep_day(day: date, today: date) -> date:
    """The day a read of `day` keeps its checkpoint for: the day before, but never the household's
    `today` or later. Sessions land mostly today, and a write on or before a checkpoint's day drops
    it: a checkpoint kept by a read of the days ahead (the calendar) would not outlive the next
    session, and the read after that would replay the animal's whole history."""
    return min(day, today) - timedelta(days=1)


def _usable(snap: ProgressSnapshot, animal: Animal, day: date) -> engine.Checkpoint | None:
    if snap.checkpoint is None or snap.checkpoint_day is None or snap.checkpoint_day >= day:
        return None
    if snap.checkpoint_key != engine.checkpoint_key(protocol_for(animal), facts(animal)):
        return None
    return engine.Checkpoint(snap.checkpoint_day, snap.checkpoint_key, snap.checkpoint)


def _newer_than_stored(snap: ProgressSnapshot, animal: Animal, day: date) -> bool:
    """A read of an earlier day must not move the checkpoint back."""
    return (
        snap.checkpoint is None
        or snap.checkpoint_day is None
        or day > snap.checkpoint_day
        or snap.checkpoint_key != engine.checkpoint_key(protocol_for(animal), facts(animal))
    )


def _store(snap: ProgressSnapshot, kept: engine.Checkpoint) -> None:
    """Save only if no write came in since the snapshot was read (else the next read recomputes).

    A checkpoint only saves time: a read that cannot have SQLite's write lock now (another
    process holds it) answers without storing it, rather than wait or fail."""
    with unless_write_lock_taken():
        ProgressSnapshot.objects.filter(pk=snap.pk, revision=snap.revision).update(
            checkpoint_day=kept.day, checkpoint_key=kept.key, checkpoint=kept.state
        )


@dataclass(frozen=True)
class Mismatch:
    animal: Animal
    cached_step: str
    computed_step: str


def verify_snapshots() -> tuple[int, list[Mismatch]]:
    """Replay every stored checkpoint's animal from scratch; list the checkpoints that differ."""
    checked, bad = 0, []
    for snap in ProgressSnapshot.objects.select_related("animal").exclude(checkpoint=None).exclude(checkpoint_day=None):
        checked += 1
        animal = snap.animal
        protocol = protocol_for(animal)
        day = snap.checkpoint_day
        assert day is not None  # the query leaves out snapshots without one
        computed = engine.checkpoint(protocol, facts(animal), records(animal, day), day)
        if (snap.checkpoint_key, snap.checkpoint) != (computed.key, computed.state):
            bad.append(Mismatch(animal, _step_of(protocol, snap.checkpoint), _step_of(protocol, computed.state)))
    return checked, bad


def _step_of(protocol: Protocol, state: object) -> str:
    index = state.get("index") if isinstance(state, dict) else None
    return protocol.steps[index].id if isinstance(index, int) and 0 <= index < len(protocol.steps) else "(unreadable)"


@dataclass(frozen=True)
class AnimalToday:
    animal: Animal
    progress: engine.Progress
    plan: AnimalPlan


def plan_for_household(household: Household, day: date, *, today: date | None = None) -> list[AnimalToday]:
    """The plan for every active animal that had arrived by `day`, by cage then name
    (`today`: the household's today, where `day` may be ahead of it)."""
    animals = list(
        Animal.objects.active()
        .filter(household=household, arrival_date__lte=day)
        .select_related("cage")
        .order_by("cage__name", "name", "id")
    )
    found = standings(animals, day, today=today)
    return [
        AnimalToday(a, found[a.pk].progress, plan_for_day(protocol_for(a), found[a.pk].progress, found[a.pk].todays))
        for a in animals
    ]
