"""A property of the housing guardrail, over random keeper actions.

Random sequences of actions on a small household (animals added with random
sex, source, age and arrival day; moves by an owner or a carer, with or without
an override reason; health checks; introductions, meetings, cage cleaning; days
passing) are played through the services. Refused actions raise GentlingError
and must change nothing. After every action:

    no active animal shares a cage with an animal of another arrival cohort while
    either is in quarantine, unless the later-moved of the two came in on an
    owner's override (its latest CageStay has a non-empty override_reason).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gentling.domain.errors import GentlingError
from gentling.models import Animal, CageStay
from gentling.services.animals import AnimalDetails, add_animal
from gentling.services.arrivals import (
    log_meeting,
    mark_cage_cleaned,
    move_animal,
    quarantine_of,
    record_health_check,
    start_introduction,
)
from gentling.services.households import add_member, create_household, local_keeper

from .conftest import TODAY, at

pytestmark = pytest.mark.django_db

CAGES = ["Big cage", "Tub", "Hospital"]
ANIMAL = st.integers(0, 11)

ADD = st.tuples(
    st.just("add"),
    st.sampled_from(["rat", "rat", "rat", "mouse"]),
    st.sampled_from(["female", "male", "unknown"]),
    st.sampled_from(["rescue", "breeder", "pet_store", "born_at_home"]),
    st.sampled_from([0, 0, 10, 30, 60]),  # arrived this many days ago
    st.integers(10, 300),  # age on arrival, days
    st.one_of(st.none(), st.sampled_from(CAGES)),
    st.sampled_from(["", "", "Bonded pair, vet-checked"]),
)
MOVE = st.tuples(
    st.just("move"),
    ANIMAL,
    st.one_of(st.none(), st.sampled_from(CAGES)),
    st.sampled_from(["", "", "", "Owner's judgement"]),
    st.sampled_from(["owner", "owner", "carer"]),
)
CHECK = st.tuples(
    st.just("check"),
    ANIMAL,
    st.integers(0, 4),
    st.lists(st.sampled_from(["red_tears", "hunched", "sneezing", "health_cleared", "sniffles"]), max_size=2),
)
# A newcomer, and the cage whose residents it meets (or, if that cage is empty, any other animal).
INTRO = st.tuples(st.just("intro"), ANIMAL, st.sampled_from(CAGES), ANIMAL)
# Meetings mostly go to the latest introduction, mostly calm, mostly long enough to count.
MEET = st.tuples(
    st.just("meet"),
    st.sampled_from([0, 0, 0, 1, 2]),
    st.sampled_from([10, 30, 30, 45, 60]),
    st.lists(st.sampled_from(["sniffing", "sniffing", "pinning", "squeaking", "blood", "lunging"]), max_size=1),
)
CLEAN = st.tuples(st.just("clean"), st.sampled_from([0, 0, 1]))
ADVANCE = st.tuples(st.just("advance"), st.sampled_from([1, 1, 2, 3, 8, 22]))
# one_of picks each branch equally: repeat a branch to weight it.
ACTIONS = st.one_of(ADD, MOVE, MOVE, MOVE, CHECK, INTRO, INTRO, MEET, MEET, MEET, CLEAN, ADVANCE, ADVANCE, ADVANCE)
STEPS = st.tuples(st.lists(ADD, min_size=2, max_size=5), st.lists(ACTIONS, min_size=20, max_size=60)).map(
    lambda t: t[0] + t[1]
)


class World:
    def __init__(self):
        self.owner = local_keeper("prop-owner")
        self.carer = local_keeper("prop-carer")
        self.household = create_household(keeper=self.owner, name="Property Street", time_zone="UTC")
        add_member(by=self.owner, household=self.household, keeper=self.carer, role="carer")
        self.today = TODAY
        self.animals: list[Animal] = []
        self.intros = []
        self.count = 0

    def pick(self, i):
        return self.animals[i % len(self.animals)] if self.animals else None

    def do(self, action):
        kind = action[0]
        if kind == "advance":
            self.today += timedelta(days=action[1])
        elif kind == "add":
            _, species, sex, source, days_ago, age, cage, reason = action
            self.count += 1
            arrived = self.today - timedelta(days=days_ago)
            animal, _ = add_animal(
                keeper=self.owner,
                household=self.household,
                today=self.today,
                details=AnimalDetails(
                    name=f"A{self.count}",
                    species=species,
                    sex=sex,
                    source=source,
                    arrival_date=arrived,
                    birth_date=arrived - timedelta(days=age),
                    cage=cage,
                    override_reason=reason,
                ),
            )
            self.animals.append(animal)
        elif kind == "move":
            _, i, cage, reason, who = action
            animal = self.pick(i)
            if animal is None:
                return
            animal.refresh_from_db()
            before_cage, before_stays = animal.cage_id, CageStay.objects.count()
            try:
                move = move_animal(
                    keeper=self.owner if who == "owner" else self.carer,
                    animal=animal,
                    cage_name=cage or "",
                    day=self.today,
                    override_reason=reason,
                )
            except GentlingError:
                animal.refresh_from_db()
                assert animal.cage_id == before_cage, "a refused move moved the animal"
                assert CageStay.objects.count() == before_stays, "a refused move recorded a stay"
                raise
            if (
                move.cage is not None
                and not reason
                and any(
                    (o.arrival_date, o.source) != (animal.arrival_date, animal.source)
                    for o in move.cage.animals.filter(status="active").exclude(pk=animal.pk)
                )
            ):
                event("moved in with strangers after an introduction")
        elif kind == "check":
            _, i, back, signs = action
            animal = self.pick(i)
            if animal is not None:
                record_health_check(
                    keeper=self.owner,
                    animal=animal,
                    day=self.today - timedelta(days=back),
                    signs=signs,
                    now=at(self.today),
                )
        elif kind == "intro":
            _, i, cage, j = action
            newcomer = self.pick(i)
            if newcomer is None:
                return
            residents = [
                a
                for a in Animal.objects.filter(household=self.household, status="active", cage__name=cage)
                if a.pk != newcomer.pk
            ] or [self.pick(j)]
            intro = start_introduction(
                keeper=self.owner,
                household=self.household,
                newcomers=[newcomer],
                residents=residents,
                cage_name=cage,
                day=self.today,
            )
            self.intros.append(intro)
        elif kind == "meet":
            _, j, minutes, behaviours = action
            if self.intros:
                log_meeting(
                    keeper=self.carer,
                    intro=self.intros[-1 - j % len(self.intros)],
                    started_at=at(self.today),
                    duration_seconds=minutes * 60,
                    behaviours=behaviours,
                    notes="",
                    now=at(self.today, 20),
                )
        elif kind == "clean":
            if self.intros:
                mark_cage_cleaned(
                    keeper=self.owner,
                    intro=self.intros[-1 - action[1] % len(self.intros)],
                    day=self.today,
                    today=self.today,
                )

    def check_invariant(self, after):
        animals = list(Animal.objects.filter(household=self.household, status="active", cage__isnull=False))
        in_q = {}
        for a in animals:
            q = quarantine_of(a, self.today)
            in_q[a.pk] = q is not None and not q.done
        stay = {
            a.pk: CageStay.objects.filter(animal=a, moved_out_on__isnull=True).order_by("moved_in_on", "id").last()
            for a in animals
        }
        for a in animals:
            for b in animals:
                if a.pk >= b.pk or a.cage_id != b.cage_id:
                    continue
                if (a.arrival_date, a.source) == (b.arrival_date, b.source):
                    continue  # one cohort: they arrived together
                if not (in_q[a.pk] or in_q[b.pk]):
                    continue
                later = max((stay[a.pk], stay[b.pk]), key=lambda s: (s.moved_in_on, s.id))
                assert later.override_reason.strip(), (
                    f"after {after!r} on {self.today}: {a.name} (arrived {a.arrival_date}, {a.source}, "
                    f"quarantine {in_q[a.pk]}) shares {a.cage.name} with {b.name} (arrived {b.arrival_date}, "
                    f"{b.source}, quarantine {in_q[b.pk]}) with no override"
                )


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(STEPS)
def test_no_quarantined_stranger_shares_a_cage_without_override(db, steps):
    with transaction.atomic():
        world = World()
        for action in steps:
            try:
                world.do(action)
            except GentlingError as e:
                event(f"refused {action[0]}: {type(e).__name__}")  # see --hypothesis-show-statistics
            world.check_invariant(action)
        transaction.set_rollback(True)  # each example starts from an empty database
