"""Everything a household should do on a day: each animal's handling plan, its
quarantine care, the introductions under way and the litters' needs. The CLI's
`gentling today` and the web's Today page both render this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain.arrivals import IntroductionProgress, QuarantineStatus, arrivals_protocol
from ..domain.litters import LitterAdvice, litter_advice
from ..domain.records import to_plain
from ..models import Household, Introduction, Litter
from .arrivals import active_introductions, introductions_of, quarantines_of
from .progress import AnimalToday, plan_for_household


@dataclass(frozen=True)
class QuarantineToday:
    status: QuarantineStatus
    care: tuple[str, ...]


@dataclass(frozen=True)
class IntroductionToday:
    introduction: Introduction
    progress: IntroductionProgress
    newcomers: tuple[str, ...]
    residents: tuple[str, ...]
    summary: str
    tips: tuple[str, ...]


@dataclass(frozen=True)
class LitterToday:
    litter: Litter
    advice: LitterAdvice


@dataclass(frozen=True)
class HouseholdToday:
    day: date
    animals: list[AnimalToday]
    quarantines: dict[int, QuarantineToday]  # by animal pk
    introductions: list[IntroductionToday]
    litters: list[LitterToday]


def today_for_household(household: Household, day: date, *, today: date | None = None) -> HouseholdToday:
    """What to do on `day`; `today` is the household's today, given where `day` may be ahead of it."""
    p = arrivals_protocol()
    animals = plan_for_household(household, day, today=today)
    care = tuple(d.text for d in p.quarantine.daily)
    quarantines = {
        pk: QuarantineToday(status, care)
        for pk, status in quarantines_of([item.animal for item in animals], day).items()
        if not status.done
    }
    intros = []
    active = list(active_introductions(household))
    progress = introductions_of(active, day)
    for intro in active:
        prog = progress[intro.pk]
        stage = p.introduction.stages[prog.stage_index]
        intros.append(
            IntroductionToday(
                intro,
                prog,
                tuple(a.name for a in intro.newcomers.all()),
                tuple(a.name for a in intro.residents.all()),
                stage.summary,
                tuple(stage.tips),
            )
        )
    litters = [
        LitterToday(litter, litter_advice(litter.species, litter.birth_date, day, litter.separated_on))
        for litter in Litter.objects.filter(household=household, birth_date__lte=day)
    ]
    return HouseholdToday(
        day, animals, quarantines, intros, [lt for lt in litters if lt.advice.items or lt.advice.alert]
    )


def today_dict(household: Household, t: HouseholdToday) -> dict:
    """The day as plain JSON values: `gentling today --json` and the API's today answer."""

    def quarantine(pk):
        q = t.quarantines.get(pk)
        if q is None:
            return None
        return {
            "ends_on": q.status.ends_on,
            "days_left": q.status.days_left,
            "air_space": q.status.air_space,
            "air_space_ok": q.status.air_space_ok,
            "care": list(q.care),
        }

    return to_plain(
        {
            "household": household.name,
            "date": t.day,
            "animals": [
                {
                    "id": p.animal.public_id,
                    "name": p.animal.name,
                    "species": p.animal.species,
                    "cage": p.animal.cage.name if p.animal.cage else None,
                    **p.plan.to_dict(),
                    "quarantine": quarantine(p.animal.pk),
                }
                for p in t.animals
            ],
            "introductions": [
                {
                    "id": it.introduction.public_id,
                    "newcomers": list(it.newcomers),
                    "residents": list(it.residents),
                    "stage": it.progress.stage_id,
                    "stage_title": it.progress.stage_title,
                    "waiting_until": it.progress.waiting_for_quarantine_until,
                    "good_meetings": it.progress.good_meetings,
                    "meetings_needed": it.progress.meetings_needed,
                    "next_meeting_seconds": it.progress.next_meeting_seconds,
                }
                for it in t.introductions
            ],
            "litters": [
                {
                    "id": lt.litter.public_id,
                    "name": lt.litter.name,
                    "age_days": lt.advice.age_days,
                    "items": list(lt.advice.items),
                    "separate_by": lt.advice.separate_by,
                    "alert": lt.advice.alert,
                    "alert_level": lt.advice.alert_level,
                }
                for lt in t.litters
            ],
        }
    )
