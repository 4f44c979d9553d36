"""Litters born at home: what to do at each age, and when to separate the sexes.

Figures from domain.md sections 2, 4 and 8: brief daily handling in the first
3 weeks reduces fear for months (Núñez and colleagues); gentling (stroking,
hand-feeding, talking) 10 minutes per cage twice a day in weeks 4-5 made rats
tamer for months (Maurer and colleagues, 2008); rats are separated by sex by
4-5 weeks, mice by 4 weeks (a first season can come at 25-28 days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

SEPARATE_BY_DAYS = {"rat": 35, "mouse": 28}
WARN_BEFORE_DAYS = 7
LITTER_ITEMS_UNTIL_DAYS = 56  # from 8 weeks each pup follows its own handling ladder


@dataclass(frozen=True)
class LitterAdvice:
    age_days: int
    items: tuple[str, ...]
    separate_by: date
    alert_level: str | None  # "stop" once the sexes should already be apart
    alert: str | None


def litter_advice(species: str, birth_date: date, day: date, separated_on: date | None) -> LitterAdvice:
    age = (day - birth_date).days
    sep_days = SEPARATE_BY_DAYS[species]
    separate_by = birth_date + timedelta(days=sep_days)
    items: list[str] = []
    if age < 21:
        items.append(
            "Handle each pup briefly, a minute or two, once a day, and put them straight back with mum: "
            "brief daily handling in the first 3 weeks reduces fear for months."
        )
    elif age < LITTER_ITEMS_UNTIL_DAYS:
        items.append("Gentling: stroke, hand-feed and talk to the pups, about 10 minutes per cage, twice a day.")
        if species == "mouse":
            items.append("Lift them in a tunnel or open cupped hands, never by the tail.")
    if 18 <= age < LITTER_ITEMS_UNTIL_DAYS and species == "rat":
        items.append("Play starts around day 18 and peaks at 30-36 days: a good time for gentle play with your hand.")
    if age >= 42 and age < LITTER_ITEMS_UNTIL_DAYS:
        items.append("Start each pup on its own handling ladder (add them as animals born at home).")
    level = message = None
    if separated_on is None and age >= sep_days - WARN_BEFORE_DAYS:
        if age >= sep_days:
            level = "stop"
            message = (
                f"Separate the males from the females now: they can breed from about 5 weeks "
                f"(due by {separate_by.isoformat()})."
            )
        else:
            level = "warning"
            message = f"Sex the pups and separate males from females by {separate_by.isoformat()}."
    return LitterAdvice(age, tuple(items), separate_by, level, message)
