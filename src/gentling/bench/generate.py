"""Realistic benchmark data: `generate(profile, seed=1, today=None)` writes a fresh
dataset for one profile into the configured database.

Profiles (PROFILES):
- `home`: one household, 4 animals, 1 year.
- `rescue`: one household, 500 animals, 3 years, two visits a day: about a million
  sessions, with quarantines, health checks, cages and introductions.
- `rescue-1pct`: the same 500 animals (same seed, same mix of species, sources and
  arrivals) with 1% of the history, 11 days: `bench run` compares today's plan for both.
- `network`: 10,000 households of 1 to 10 animals (about 55,000). Each household's
  history is 3 to 28 days (keepers who joined over the last four weeks, one or two
  visits a day). That keeps the total near `rescue` (about a million sessions, and
  0.4 million health checks from the many quarantines) while the tables are as wide as
  a hosted service's; a longer history would only repeat what `rescue` measures.

Every household of a profile is named "Bench <profile>" and owned by a user
"bench-<profile>-owner-N" with an unusable password. Regenerating a profile first
deletes those households and users, so profiles can share a database and a rerun
replaces rather than duplicates. ProgressSnapshot rows are never written: the app
makes them lazily.

Realism. Animals arrive in groups (one species, sex and source; one cage). About 80%
arrive in the first days, the rest spread over the period, so histories are long
and today's steps are spread out. A group joining a household that keeps its species
is quarantined (daily health checks) and, half the time, introduced into a cage of
the same species and sex, stage by stage as `domain.arrivals` rules, then moved in.
A simulated keeper visits each group mornings and evenings and does what today's step
of the protocol file plans (nothing while settling in, talk only while paused for
health), with holds growing towards the target. Each animal has its own shyness:
mostly calm observations, some fear signs and the odd bite, which cause setbacks;
illness signs on health checks pause the program until "health cleared" days later.
Opt-in animals try the extended hold.

To know each animal's step at every visit, the keeper follows the engine itself,
incrementally (`engine.Ladder`: the same replay as `engine.progress`, one record at a
time), since asking `engine.progress` every day would replay the whole history each
time: quadratic, hours for `rescue`. At the end each animal's stored records are
replayed once more by `engine.progress` and must give the same history (records
must not tie in order). Alerts stored on a session are the real guardrails' answer
for where the animal stood.

Determinism. Everything random comes from `random.Random` streams seeded from the
seed: one per household (its groups), per group (visit times, introductions) and per
animal (`f"{seed}:animal:{i}"`: traits, illnesses, every session). Public ids come
from a stream seeded with the profile too, so two profiles never share ids. The same
seed and day give the same data; `fingerprint(profile)` proves it, on any database.

Speed and memory. One animal is simulated at a time; sessions and health checks go
out with `bulk_create` every 10,000 rows inside a transaction per household (100
households for `network`), so memory stays bounded. At the end the database's planner
statistics are refreshed (ANALYZE), so a benchmark right after does not run blind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import string
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from .. import clock
from ..domain import engine, vocab
from ..domain.arrivals import Meeting, arrivals_protocol, introduction_progress, quarantine_status
from ..domain.guardrails import check_session
from ..domain.protocol import Protocol, Step, StepKind, shipped_protocol
from ..domain.records import AnimalFacts, SessionRecord
from ..models import (
    Animal,
    Cage,
    CageStay,
    HealthCheck,
    Household,
    Introduction,
    IntroductionMeeting,
    Membership,
    Quarantine,
    Session,
)

ONE_DAY = timedelta(days=1)
BATCH = 10_000
HOUSEHOLDS_PER_TRANSACTION = 100


@dataclass(frozen=True)
class Profile:
    name: str
    households: int
    animals: tuple[int, int]  # per household, inclusive
    days: tuple[int, int]  # history per household, inclusive
    visits_per_day: float  # 2: a morning and an evening visit; 1.5: the evening one half the time
    time_zones: tuple[str, ...]


PROFILES = {
    p.name: p
    for p in [
        Profile("home", 1, (4, 4), (365, 365), 2.0, ("Europe/London",)),
        Profile("rescue", 1, (500, 500), (1095, 1095), 2.0, ("America/Chicago",)),
        Profile("rescue-1pct", 1, (500, 500), (11, 11), 2.0, ("America/Chicago",)),
        Profile(
            "network",
            10_000,
            (1, 10),
            (3, 28),
            1.5,
            ("Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Australia/Sydney"),
        ),
    ]
}


@dataclass
class GenerateSummary:
    profile: str
    seed: int
    households: int = 0
    animals: int = 0
    sessions: int = 0
    health_checks: int = 0
    quarantines: int = 0
    introductions: int = 0
    seconds: float = 0.0
    steps: dict[str, int] = field(default_factory=dict)  # where the animals stand today


def household_name(profile: str) -> str:
    return f"Bench {profile}"


def generated(profile: str, animals: int) -> bool:
    """Whether this database holds the profile's household with that many animals already."""
    here = Household.objects.filter(name=household_name(profile)).first()
    return here is not None and here.animals.count() == animals


def generate(
    profile: str,
    *,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    animals: int | None = None,
    days: int | None = None,
) -> GenerateSummary:
    """Replace the profile's households with freshly generated ones. `today` (default: each
    household's local today) is the day after the last session. `animals` and `days` shrink a
    profile for tests. `progress` hears a line now and then."""
    spec = PROFILES[profile]
    if animals is not None:
        spec = dataclasses.replace(spec, animals=(animals, animals))
    if days is not None:
        spec = dataclasses.replace(spec, days=(days, days))
    began = time.monotonic()
    summary = GenerateSummary(profile, seed)
    say = progress or (lambda line: None)
    with transaction.atomic():
        _delete(profile)
    out = _Writer(_Ids(f"{profile}:{seed}:ids"), summary, say)
    steps: Counter[str] = Counter()
    for first in range(0, spec.households, HOUSEHOLDS_PER_TRANSACTION):
        with transaction.atomic():
            for n in range(first, min(first + HOUSEHOLDS_PER_TRANSACTION, spec.households)):
                steps.update(_Household(spec, seed, n, today, out).build())
            out.flush()
        if spec.households > 1 and (first // HOUSEHOLDS_PER_TRANSACTION) % 10 == 9:
            say(f"{min(first + HOUSEHOLDS_PER_TRANSACTION, spec.households):,} of {spec.households:,} households")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    summary.steps = dict(sorted(steps.items()))
    summary.seconds = round(time.monotonic() - began, 1)
    return summary


def fingerprint(profile: str) -> str:
    """A hash of every session of the profile, independent of row order and database."""
    total = 0
    rows = Session.objects.filter(animal__household__name=household_name(profile)).values_list(
        "public_id",
        "animal__public_id",
        "keeper__username",
        "sitting",
        "started_at",
        "ended_at",
        "day",
        "activities",
        "holds",
        "observations",
        "extended_hold_seconds",
        "extended_hold_end",
        "alerts",
    )
    for row in rows.iterator(chunk_size=10_000):
        text = json.dumps([v.isoformat() if isinstance(v, (date, datetime)) else v for v in row])
        total = (total + int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")) % 2**256
    return f"{total:064x}"


def _delete(profile: str) -> None:
    Household.objects.filter(name=household_name(profile)).delete()
    get_user_model().objects.filter(username__startswith=f"bench-{profile}-owner-", memberships__isnull=True).delete()


# --- ids and writing ------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits


class _Ids:
    """Public ids from a seeded stream: 7 random characters and a 5-character counter,
    so they are unique within a run by construction and differ between profiles."""

    def __init__(self, seed: str):
        self.rng, self.count = random.Random(seed), 0

    def __call__(self) -> str:
        self.count += 1
        n, tail = self.count, ""
        for _ in range(5):
            n, r = divmod(n, 62)
            tail += ALNUM[r]
        return "".join(self.rng.choices(ALNUM, k=7)) + tail


class _Writer:
    """Buffers sessions and health checks and writes them in batches; counts everything."""

    def __init__(self, ids: _Ids, summary: GenerateSummary, say: Callable[[str], None]):
        self.ids, self.summary, self.say = ids, summary, say
        self.rows: dict[type, list] = {Session: [], HealthCheck: []}

    def add(self, row) -> None:
        rows = self.rows[type(row)]
        rows.append(row)
        if len(rows) >= BATCH:
            self._write(type(row))

    def flush(self) -> None:
        for model in self.rows:
            self._write(model)

    def _write(self, model) -> None:
        rows = self.rows[model]
        model.objects.bulk_create(rows, batch_size=2000)
        if model is Session:
            before = self.summary.sessions
            self.summary.sessions += len(rows)
            if self.summary.sessions // 100_000 > before // 100_000:
                self.say(f"{self.summary.sessions:,} sessions")
        else:
            self.summary.health_checks += len(rows)
        rows.clear()


# --- households, groups and cages ---------------------------------------------------

NAMES = (
    "Biscuit",
    "Pepper",
    "Salt",
    "Nutmeg",
    "Ghost",
    "Clover",
    "Maple",
    "Juniper",
    "Pip",
    "Hazel",
    "Ziggy",
    "Olive",
    "Mochi",
    "Peanut",
    "Willow",
    "Basil",
    "Pumpkin",
    "Fig",
    "Sesame",
    "Cocoa",
    "Dot",
    "Pebble",
    "Rosie",
    "Sprout",
    "Toffee",
    "Bramble",
    "Cinnamon",
    "Dumpling",
    "Acorn",
    "Wren",
    "Marble",
    "Poppy",
    "Sage",
    "Truffle",
)
SOURCES = {"breeder": 2, "pet_store": 3.5, "rescue": 3.5, "unknown": 1}
GROUP_SIZES = {1: 2, 2: 4, 3: 2, 4: 1, 5: 0.5, 6: 0.5}
FEAR = {"breeder": 0.03, "pet_store": 0.06, "unknown": 0.07, "rescue": 0.11}  # chance of a fear sign, early on
AIR_SPACES = {"another_room": 6, "separate_building": 3, "same_room": 1}


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class _Group:
    index: int
    first: int  # the random stream of its first animal: planning order, so rescue-1pct shares rescue's animals
    species: str
    sex: str
    source: str
    arrival: date
    names: list[str]


@dataclass
class _Cage:
    model: Cage
    species: str
    sex: str
    stays: list[tuple[Animal, date, date | None]] = field(default_factory=list)  # who, from, until
    busy_until: date = date.min  # an introduction involving this cage runs until then

    def residents(self, day: date) -> list[Animal]:
        return [a for a, start, end in self.stays if start <= day and (end is None or end > day)]


@dataclass
class _Animal:
    model: Animal
    protocol: Protocol
    facts: AnimalFacts
    rng: random.Random
    fear: float
    position: int  # order within its group's visits
    illnesses: list[tuple[date, date, list[str]]]  # first sign, health cleared, signs
    quarantine_ends: date | None = None


class _Household:
    def __init__(self, spec: Profile, seed: int, n: int, today: date | None, out: _Writer):
        self.spec, self.seed, self.n, self.out, self.ids = spec, seed, n, out, out.ids
        self.rng = random.Random(f"{seed}:household:{n}")
        self.tz = ZoneInfo(spec.time_zones[n % len(spec.time_zones)])
        self.today = today or clock.now().astimezone(self.tz).date()
        lo, hi = spec.days
        self.start = self.today - timedelta(days=lo if lo == hi else self.rng.randint(lo, hi))
        self.last = self.today - ONE_DAY
        lo, hi = spec.animals
        self.count = lo if lo == hi else self.rng.randint(lo, hi)
        self.owner_name = f"bench-{spec.name}-owner-{n + 1}"
        self.cages: list[_Cage] = []
        self.quarantine_ends: dict[int, date] = {}  # animal pk -> end of its quarantine

    def at(self, day: date, minutes: int) -> datetime:
        return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=self.tz)

    def build(self) -> Counter[str]:
        joined = self.at(self.start, 9 * 60)
        self.owner = get_user_model().objects.create(
            username=self.owner_name, password=make_password(None), date_joined=joined
        )
        self.model = Household.objects.create(
            public_id=self.ids(), name=household_name(self.spec.name), time_zone=str(self.tz), created_at=joined
        )
        Membership.objects.create(household=self.model, keeper=self.owner, role=Membership.Role.OWNER, joined_at=joined)
        self.out.summary.households += 1
        steps: Counter[str] = Counter()
        for g in self._plan_groups():
            animals = self._add_group(g)
            visits = self._visits(random.Random(f"{self.seed}:visits:{g.first}"), g.arrival)
            for a in animals:
                steps[_simulate(a, visits, self.today, self.owner, self.out)] += 1
        return steps

    def _plan_groups(self) -> list[_Group]:
        """Arrival groups: about 80% of the animals in the first days, the rest spread out."""
        rng, days = self.rng, (self.last - self.start).days
        groups, placed = [], 0
        names = (
            rng.sample(NAMES, self.count)
            if self.count <= len(NAMES)
            else [f"{NAMES[i % len(NAMES)]} {i // len(NAMES) + 1}" for i in range(self.count)]
        )
        while placed < self.count:
            size = min(self.count - placed, _pick(rng, GROUP_SIZES), max(2, self.count // 2))  # 4 at home: 2 + 2
            share = rng.random() * 0.02 if placed < 0.8 * self.count else rng.random()
            species = "rat" if rng.random() < 0.75 else "mouse"
            groups.append(
                _Group(
                    len(groups),
                    self.n * 1000 + placed,
                    species,
                    rng.choice(("female", "male")),
                    _pick(rng, SOURCES),
                    self.start + timedelta(days=round(share * days)),
                    names[placed : placed + size],
                )
            )
            placed += size
        return sorted(groups, key=lambda g: (g.arrival, g.index))

    def _add_group(self, g: _Group) -> list[_Animal]:
        kind = "Rat" if g.species == "rat" else "Mouse"
        cage = _Cage(
            Cage.objects.create(
                public_id=self.ids(),
                household=self.model,
                name=f"{kind} cage {g.index + 1}",
                created_at=self.at(g.arrival, 12 * 60),
            ),
            g.species,
            g.sex,
        )
        newcomer = any(c.species == g.species and c.residents(g.arrival) for c in self.cages)
        self.cages.append(cage)
        animals = [self._new_animal(g, i) for i in range(len(g.names))]
        intro = None
        if newcomer:
            air = _pick(self.rng, AIR_SPACES)
            for a in animals:
                a.quarantine_ends = quarantine_status(
                    arrivals_protocol(),
                    started_on=g.arrival,
                    source=g.source,
                    air_space=air,
                    sign_days=[first for first, _, _ in a.illnesses],
                    day=self.last,
                ).ends_on
            intro = _IntroPlan.make(self, g, cage, animals, random.Random(f"{self.seed}:intro:{g.first}"))
        home = intro.target if intro and intro.finished else cage
        for a in animals:
            a.model.cage = home.model
        Animal.objects.bulk_create([a.model for a in animals])
        moved = intro.finished if intro else None
        stays = []
        for a in animals:
            cage.stays.append((a.model, g.arrival, moved))
            stays.append(
                CageStay(
                    animal=a.model, cage=cage.model, moved_in_on=g.arrival, moved_out_on=moved, moved_by=self.owner
                )
            )
            if moved:
                intro.target.stays.append((a.model, moved, None))
                stays.append(CageStay(animal=a.model, cage=intro.target.model, moved_in_on=moved, moved_by=self.owner))
            if a.quarantine_ends:
                self.quarantine_ends[a.model.pk] = a.quarantine_ends
        CageStay.objects.bulk_create(stays)
        if newcomer:
            Quarantine.objects.bulk_create(
                [Quarantine(animal=a.model, started_on=g.arrival, air_space=air) for a in animals]
            )
            self.out.summary.quarantines += len(animals)
        if intro:
            intro.save(self, [a.model for a in animals])
        self.out.summary.animals += len(animals)
        return animals

    def _new_animal(self, g: _Group, position: int) -> _Animal:
        rng = random.Random(f"{self.seed}:animal:{g.first + position}")
        weeks = {"breeder": (7, 10), "pet_store": (5, 8)}.get(g.source, (8, 60))
        opt_in = rng.random() < (0.1 if g.species == "rat" else 0.03)
        model = Animal(
            public_id=self.ids(),
            household=self.model,
            species=g.species,
            name=g.names[position],
            sex=g.sex,
            birth_date=g.arrival - timedelta(weeks=rng.randint(*weeks)),
            birth_date_estimated=g.source in ("rescue", "unknown"),
            source=g.source,
            arrival_date=g.arrival,
            extended_hold_opt_in=opt_in,
            created_at=self.at(g.arrival, 12 * 60),
        )
        facts = AnimalFacts(g.species, g.source, g.arrival, opt_in)
        return _Animal(
            model,
            shipped_protocol(g.species),
            facts,
            rng,
            FEAR[g.source] * rng.uniform(0.5, 1.6),
            position,
            _illnesses(rng, g.arrival, self.last),
        )

    def _visits(self, rng: random.Random, first: date) -> dict[date, list[tuple[int, datetime, str]]]:
        """The group's visits by day: (slot, start, sitting). Now and then the keeper skips one."""
        morning, evening = rng.randint(390, 570), rng.randint(1020, 1230)  # 06:30-09:30, 17:00-20:30
        visits, day = {}, first
        while day <= self.last:
            today = []
            for slot, base, planned in ((0, morning, True), (1, evening, rng.random() < self.spec.visits_per_day - 1)):
                if planned and rng.random() >= 0.02:
                    start = self.at(day, base + rng.randint(-20, 20)) + timedelta(seconds=rng.randint(0, 59))
                    today.append((slot, start, self.ids()))
            visits[day] = today
            day += ONE_DAY
        return visits


# --- introductions ----------------------------------------------------------------

NORMAL_MEETING = (
    "sniffing",
    "pinning",
    "rough_grooming",
    "chasing",
    "boxing",
    "squeaking",
    "ignoring",
    "sleeping_together",
)
DANGER_MEETING = ("puffed_sideways", "lunging", "bites_flank_belly")


@dataclass
class _IntroPlan:
    """An introduction into a cage of the same species and sex, run stage by stage by the
    arrivals rules: meetings when the stage asks for them, the cage cleaned, then move-in."""

    target: _Cage
    residents: list[Animal]
    started: date
    meetings: list[Meeting]
    cleaned: date | None
    finished: date | None

    @classmethod
    def make(
        cls, hh: _Household, g: _Group, own: _Cage, animals: list[_Animal], rng: random.Random
    ) -> _IntroPlan | None:
        started = g.arrival + timedelta(days=rng.randint(2, 10))
        if started > hh.last or (g.species == "mouse" and g.sex == "male"):  # adult male mice fight
            return None
        options = [
            c
            for c in hh.cages
            if c is not own
            and c.species == g.species
            and c.sex == g.sex
            and c.busy_until < started
            and c.residents(started)
        ]
        if not options or rng.random() < 0.5:
            return None
        target = rng.choice(options)
        residents = target.residents(started)
        ends = [a.quarantine_ends for a in animals] + [hh.quarantine_ends.get(r.pk, started) for r in residents]
        plan = cls(target, residents, started, [], None, None)
        plan._run(hh, rng, max(ends))
        target.busy_until = own.busy_until = plan.finished or date.max
        return plan

    def _run(self, hh: _Household, rng: random.Random, quarantine_done: date) -> None:
        rules = arrivals_protocol()
        stages = rules.introduction.stages
        day = max(self.started, quarantine_done)
        while day <= hh.last:
            now = self._progress(quarantine_done, day)
            if stages[now.stage_index].needs_cage_cleaned:
                self.cleaned = day
                now = self._progress(quarantine_done, day)
            if now.at_move_in:
                self.finished = day
                return
            if stages[now.stage_index].meetings and rng.random() < 0.85:
                danger = rng.random() < 0.08
                seen = rng.sample(NORMAL_MEETING, rng.randint(1, 3)) + ([rng.choice(DANGER_MEETING)] if danger else [])
                at = hh.at(day, rng.randint(540, 660))  # mornings, when rats are sleepy
                self.meetings.append(
                    Meeting(hh.ids(), at, day, now.next_meeting_seconds + rng.randint(0, 300), frozenset(seen))
                )
            day += ONE_DAY

    def _progress(self, quarantine_done: date, day: date):
        return introduction_progress(
            arrivals_protocol(),
            started_on=self.started,
            quarantine_done_on=quarantine_done,
            cage_cleaned_on=self.cleaned,
            meetings=self.meetings,
            day=day,
        )

    def save(self, hh: _Household, newcomers: list[Animal]) -> None:
        intro = Introduction.objects.create(
            public_id=hh.ids(),
            household=hh.model,
            cage=self.target.model,
            started_on=self.started,
            cage_cleaned_on=self.cleaned,
            finished_on=self.finished,
            created_by=hh.owner,
        )
        intro.newcomers.set(newcomers)
        intro.residents.set(self.residents)
        order = {**dict.fromkeys(NORMAL_MEETING), **dict.fromkeys(DANGER_MEETING)}
        IntroductionMeeting.objects.bulk_create(
            [
                IntroductionMeeting(
                    public_id=m.id,
                    introduction=intro,
                    keeper=hh.owner,
                    started_at=m.at,
                    day=m.day,
                    duration_seconds=m.duration_seconds,
                    behaviours=[b for b in order if b in m.behaviours],
                )
                for m in self.meetings
            ]
        )
        hh.out.summary.introductions += 1


# --- one animal, day by day -----------------------------------------------------------

ILLNESSES = {
    ("red_tears",): 4,
    ("scabs",): 2,
    ("laboured_breathing",): 1,
    ("squinting",): 1,
    ("hunched", "lethargic"): 1,
    ("head_tilt",): 0.5,
}
FEAR_SIGNS = {"froze": 3, "hid": 3, "fled": 3, "squeaked": 1, "chattered": 1, "nipped": 1, "tail_rattled": 1}
COMFORT = {
    "rat": ("relaxed", "approached", "climbed_on", "bruxed", "boggled", "groomed_hand", "explored_person", "popcorned"),
    "mouse": ("relaxed", "approached", "climbed_on", "groomed_hand", "explored_person"),
}
HOLD_STOPS = tuple(k for k in vocab.EXTENDED_HOLD_ENDINGS if k != "completed")


def _illnesses(rng: random.Random, arrival: date, last: date) -> list[tuple[date, date, list[str]]]:
    """About one bout of illness every 8 months, cleared 3 to 10 days after the first sign."""
    found, day = [], arrival + timedelta(days=int(rng.expovariate(1 / 240)))
    while day <= last:
        cleared = day + timedelta(days=rng.randint(3, 10))
        found.append((day, cleared, list(_pick(rng, ILLNESSES))))
        day = cleared + timedelta(days=1 + int(rng.expovariate(1 / 240)))
    return found


def _health_checks(a: _Animal, last: date) -> dict[date, list[str]]:
    """Daily checks in quarantine, weekly ones after; a first sign and its clearing are always noted."""
    checks, ill = {}, set()
    for first, cleared, signs in a.illnesses:
        checks[first] = signs
        checks[cleared] = ["health_cleared"]
        ill.update(first + timedelta(days=i) for i in range(1, (cleared - first).days))
    weekday, day = a.rng.randrange(7), a.facts.arrival_date
    while day <= last:
        quarantined = a.quarantine_ends is not None and day < a.quarantine_ends
        if day not in checks and day not in ill and (quarantined or day.weekday() == weekday):
            checks[day] = ["sneezing"] if quarantined and a.rng.random() < 0.05 else []
        day += ONE_DAY
    return checks


def _simulate(a: _Animal, visits: dict, today: date, keeper, out: _Writer) -> str:
    """Every session and health check of one animal, checked against the engine; its step today."""
    notebook = engine.Ladder(a.protocol, a.facts)
    records: list[SessionRecord] = []
    checks = _health_checks(a, today - ONE_DAY)
    tz = ZoneInfo(a.model.household.time_zone)
    day = a.facts.arrival_date
    while day < today:
        if day in checks:  # at 06:00, before the day's first visit
            at = datetime(day.year, day.month, day.day, 6, a.rng.randint(0, 9), tzinfo=tz)
            rec = SessionRecord(
                f"health-{len(records)}", day, at, 0, observations=frozenset(checks[day]), kind="health_check"
            )
            records.append(rec)
            notebook.add(rec)
            out.add(HealthCheck(animal=a.model, keeper=keeper, day=day, signs=checks[day], created_at=at))
        for slot, visit, sitting in visits.get(day, ()):
            notebook.roll_to(day)
            c = _content(a, notebook, slot)
            if c is None:
                continue
            start = visit + timedelta(seconds=a.position * 600 + a.rng.randint(0, 90))
            ext_seconds, ext_end = c.extended or (None, None)
            rec = SessionRecord(
                out.ids(),
                day,
                start,
                c.seconds,
                frozenset(c.activities),
                tuple(c.holds),
                frozenset(c.observations),
                ext_seconds,
                ext_end,
            )
            alerts = check_session(a.protocol, a.facts, notebook.progress(), rec)
            records.append(rec)
            notebook.add(rec)
            end = start + timedelta(seconds=c.seconds)
            out.add(
                Session(
                    public_id=rec.id,
                    animal=a.model,
                    keeper=keeper,
                    sitting=sitting,
                    started_at=start,
                    ended_at=end,
                    day=day,
                    activities=c.activities,
                    holds=c.holds,
                    observations=c.observations,
                    extended_hold_seconds=ext_seconds,
                    extended_hold_end=ext_end or "",
                    alerts=[x.to_dict() for x in alerts],
                    created_at=end,
                )
            )
        day += ONE_DAY
    notebook.roll_to(today)
    _check_against_engine(a, notebook, records, today)
    return notebook.step.id


def _check_against_engine(a: _Animal, notebook: engine.Ladder, records: list[SessionRecord], today: date) -> None:
    """The records as stored must replay to what the keeper saw while making them (no ties in order)."""
    truth = engine.progress(a.protocol, a.facts, records, today)
    if truth.history != notebook.history or truth.hold_target_seconds != notebook.hold_target:
        raise RuntimeError(
            f"The generated records of {a.model.name} ({a.model.public_id}) replay differently "
            "from the order they were made in."
        )


@dataclass(frozen=True)
class _Content:
    activities: list[str]
    holds: list[int]
    observations: list[str]
    seconds: int
    extended: tuple[int, str] | None = None  # seconds, how it ended


def _in_vocab_order(names: set[str], vocabulary: dict) -> list[str]:
    return [n for n in vocabulary if n in names]


def _content(a: _Animal, nb: engine.Ladder, slot: int) -> _Content | None:
    """What the keeper does at this visit: today's step of the plan, at the animal's pace."""
    rng, step = a.rng, nb.step
    if step.kind is StepKind.SETTLING or rng.random() < 0.02:
        return None  # no handling while settling in; now and then the animal sleeps through a visit
    daily = {d.activity for d in a.protocol.daily}
    if nb.paused:  # paused for health: a short chat in the morning, no handling practice
        return None if slot else _Content(_in_vocab_order(daily, vocab.ACTIVITIES), [], [], rng.randint(60, 240))
    try_extended = 0.6 if step.kind is StepKind.EXTENDED_HOLD else 0.03
    if slot and a.facts.extended_hold_opt_in and "extended_hold" in step.allows and rng.random() < try_extended:
        return _extended_hold(rng, step, daily)
    fear = rng.random() < a.fear * (1 - 0.6 * nb.index / (len(a.protocol.steps) - 1))  # calmer as trust grows
    activities = daily | {p.activity for p in step.plan} | set(step.advance.requires_activities if step.advance else ())
    activities.discard("extended_hold")
    holds: list[int] = []
    if "picked_up" in activities:
        activities |= {"rewarded"} | _lifting_aids(rng, a.facts.species, step)
        holds = [_hold(rng, a, nb, fear) for _ in range(rng.choice((1, 2, 2)))]
    observations = _observations(rng, a, step, fear)
    if "petted" in activities and not fear and rng.random() < 0.04:
        observations.add("tail_quivered")
    return _Content(
        _in_vocab_order(activities, vocab.ACTIVITIES),
        holds,
        _in_vocab_order(observations, vocab.OBSERVATIONS),
        sum(holds) + rng.randint(150, 480),
    )


def _lifting_aids(rng: random.Random, species: str, step: Step) -> set[str]:
    aids = {"secure_area"} if rng.random() < 0.6 else set()
    if species == "mouse":  # never by the tail: a tunnel or cupped hands
        aids.add(rng.choice(("tunnel_used", "cupped_hands")))
    elif rng.random() < (0.35 if step.holds and step.holds.max_seconds else 0.05):
        aids.add("towel_used")
    return aids & set(step.allows)


def _hold(rng: random.Random, a: _Animal, nb: engine.Ladder, fear: bool) -> int:
    holds = nb.step.holds
    if holds is None:  # trusted: a comfortable cuddle
        return rng.randint(20, 90) if a.facts.species == "mouse" else rng.randint(30, 240)
    if holds.max_seconds is not None:
        return rng.randint(holds.start_seconds, holds.max_seconds)
    if holds.grows:
        if fear or rng.random() < 0.2:  # wriggled: put down early
            return rng.randint(max(1, nb.hold_target // 2), nb.hold_target)
        return nb.hold_target + rng.randint(0, a.protocol.source(a.facts.source).hold_growth_seconds)
    return rng.randint(holds.start_seconds // 2, holds.start_seconds)


def _observations(rng: random.Random, a: _Animal, step: Step, fear: bool) -> set[str]:
    if fear:
        roll = rng.random()
        if roll < 0.06:
            return {"bit"}
        if roll < 0.09:
            return {"puffed_fur"}
        signs = {s: w for s, w in FEAR_SIGNS.items() if s in a.protocol.fear_signs}
        return {_pick(rng, signs)}
    if rng.random() < 0.1:
        return set()  # nothing noted
    good = (step.advance.requires_any_observation if step.advance else None) or COMFORT[a.facts.species]
    return {rng.choice(good) for _ in range(rng.choice((1, 1, 2)))}


def _extended_hold(rng: random.Random, step: Step, daily: set[str]) -> _Content:
    """Opt-in only, after basic trust: 20 minutes or more, or stopped at a stop sign."""
    if rng.random() < 0.8:
        seconds, end, seen = rng.randint(1200, 2400), "completed", {rng.choice(("relaxed", "explored_person"))}
    else:
        seconds, end, seen = rng.randint(120, 1100), rng.choice(HOLD_STOPS), set()
    activities = daily | ({"extended_hold", "secure_area"} & set(step.allows))
    return _Content(
        _in_vocab_order(activities, vocab.ACTIVITIES),
        [],
        _in_vocab_order(seen, vocab.OBSERVATIONS),
        seconds + rng.randint(60, 300),
        (seconds, end),
    )
