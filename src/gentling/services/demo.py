"""A realistic demo household, made by a simulated keeper who follows the plan.

Every session goes through the same `log_session` service a real keeper
uses, so the demo's progress, alerts and history are the engine's own. A
fixed seed makes the same history every time for the same "now".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from ..domain.validation import SessionInput
from ..models import Animal, Household, Membership
from .animals import AnimalDetails, add_animal
from .arrivals import start_introduction
from .households import add_member, create_household, households_of, local_keeper
from .progress import local_today, plan_for_household, protocol_for
from .sessions import log_session

DEMO_NAME = "Demo"


@dataclass(frozen=True)
class DemoAnimal:
    name: str
    species: str
    sex: str
    source: str
    days_ago: int
    weeks_old_on_arrival: int
    cage: str
    notes: str
    shyness: float  # chance of a fear sign in a session
    bite_on_day: int | None = None


DEMO_ANIMALS = [
    DemoAnimal(
        "Biscuit",
        "rat",
        "female",
        "breeder",
        38,
        8,
        "Girls' cage",
        "Loves peas and a dab of yoghurt from a spoon.",
        0.05,
    ),
    DemoAnimal(
        "Pepper",
        "rat",
        "male",
        "pet_store",
        24,
        7,
        "Boys' cage",
        "Bolder of the two brothers. Favourite: blueberries.",
        0.10,
    ),
    DemoAnimal("Salt", "rat", "male", "pet_store", 24, 7, "Boys' cage", "Shy; comes out for banana.", 0.2),
    DemoAnimal(
        "Ghost",
        "rat",
        "male",
        "rescue",
        17,
        26,
        "Ghost's cage",
        "Surrendered from a hoarding case. Takes soft food from a spoon.",
        0.3,
        bite_on_day=11,
    ),
    DemoAnimal(
        "Nutmeg",
        "mouse",
        "female",
        "pet_store",
        19,
        6,
        "Mouse house",
        "Walks into the cardboard tunnel on her own now.",
        0.1,
    ),
]


DEMO_WEB_USER = "demo"
DEMO_CARER = "sam-demo-carer"
# The demo's own accounts: `gentling demo` and `gentling start` make and reuse them by name (and give
# "demo" a new password each time), so nobody may sign up with one of these names.
DEMO_KEEPERS = frozenset({DEMO_WEB_USER, DEMO_CARER})


def is_demo_keeper_name(username: str) -> bool:
    return username.strip().lower() in DEMO_KEEPERS


def demo_web_login(household: Household) -> tuple[str, str]:
    """A fresh random password for the demo household's web login, made on each call.
    There is never a fixed default password."""
    import secrets

    user = local_keeper(DEMO_WEB_USER)
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    user.save(update_fields=["password"])
    if not Membership.objects.filter(household=household, keeper=user).exists():
        Membership.objects.create(household=household, keeper=user, role=Membership.Role.OWNER)
    return user.username, password


def ensure_demo(*, keeper, now: datetime, reset: bool = False) -> tuple[Household, bool]:
    existing = households_of(keeper).filter(name=DEMO_NAME).first()
    if existing and not reset:
        return existing, False
    if existing:
        existing.delete()
    return _build(keeper, now), True


@transaction.atomic
def _build(keeper, now: datetime) -> Household:
    rng = random.Random(20261125)
    household = create_household(keeper=keeper, name=DEMO_NAME)
    helper = local_keeper(DEMO_CARER)
    add_member(by=keeper, household=household, keeper=helper, role="carer")
    today = local_today(household, now)
    animals = {}
    for spec in DEMO_ANIMALS:
        arrival = today - timedelta(days=spec.days_ago)
        animal, _ = add_animal(
            keeper=keeper,
            household=household,
            today=today,
            details=AnimalDetails(
                name=spec.name,
                species=spec.species,
                sex=spec.sex,
                source=spec.source,
                arrival_date=arrival,
                birth_date=arrival - timedelta(weeks=spec.weeks_old_on_arrival),
                birth_date_estimated=spec.source == "rescue",
                cage=spec.cage,
                notes=spec.notes,
            ),
        )
        animals[animal.pk] = (animal, spec)
    start = min(a.arrival_date for a, _ in animals.values())
    tz = ZoneInfo(household.time_zone)
    for offset in range((today - start).days + 1):
        day = start + timedelta(days=offset)
        for hour, who in ((8, keeper), (19, helper)):
            moment = datetime.combine(day, time(hour, rng.randrange(0, 50)), tzinfo=tz)
            if moment + timedelta(minutes=15) > now:
                continue
            for item in plan_for_household(household, day):
                animal, spec = animals[item.animal.pk]
                if rng.random() < 0.12:  # a busy evening: keepers skip sessions too
                    continue
                _log_one(rng, who, household, animal, spec, item, moment, now)
    by_name = {a.name: a for a, _ in animals.values()}
    # Ghost, the rescue, will join the brothers once his quarantine is over.
    start_introduction(
        keeper=keeper,
        household=household,
        newcomers=[by_name["Ghost"]],
        residents=[by_name["Pepper"], by_name["Salt"]],
        cage_name="Boys' cage",
        day=today,
    )
    return household


def _log_one(rng, keeper, household, animal: Animal, spec: DemoAnimal, item, moment: datetime, now) -> None:
    protocol = protocol_for(animal)
    step = protocol.steps[item.progress.step_index]
    activities = {t.activity for t in item.plan.tasks} - {"extended_hold"}
    holds: list[int] = []
    if "picked_up" in activities:
        target = item.progress.hold_target_seconds or 60
        holds = [max(1, target - rng.randrange(0, 2)) for _ in range(rng.choice((1, 2)))]
        activities.add("rewarded")
        if animal.species == "mouse":
            activities.add("tunnel_used")
    good = list(step.advance.requires_any_observation) if step.advance else []
    observations = {rng.choice(good or ["relaxed", "approached"])}
    day_number = (moment.date() - animal.arrival_date).days
    if spec.bite_on_day == day_number and moment.hour < 12:
        observations = {"bit"}
    elif rng.random() < spec.shyness:
        observations = {rng.choice(["froze", "hid", "fled"])}
    minutes = rng.choice((5, 8, 10, 12, 15))
    entry = SessionInput(
        moment, moment + timedelta(minutes=minutes), sorted(activities), holds, sorted(observations), notes=""
    )
    log_session(keeper=keeper, household=household, animals=[animal], entry=entry, now=now)
