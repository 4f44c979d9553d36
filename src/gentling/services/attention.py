"""What needs attention: a short list at the top of Today and in the daily digest, each item
with the place to act. Each rule is its own function over what Today reads already, plus one
query each where it needs more; a keeper can dismiss an item for the household's day.

The rules, and why:
- missed: an animal past settling in, not paused for health, with no session for
  MISSED_DAYS days or more. Trust grows from daily contact; two quiet days are worth a nudge.
- went back: an animal that went down a step in the last WENT_BACK_DAYS days: slow down.
- quarantine undecided: a quarantine that ended before today, in the last UNDECIDED_WINDOW
  days, with no introduction begun for the animal since. After the window, living apart is
  taken as the decision, so the list does not nag for ever.
- introduction quiet: an introduction under way (not waiting for a quarantine) with no meeting
  for INTRODUCTION_QUIET_DAYS days: short daily meetings are what make it work.
- paused long: paused for health for more than PAUSED_LONG_DAYS days: Gentling is a coach,
  not a vet, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction

from ..domain.errors import InvalidInput
from ..domain.guardrails import VET_ADVICE
from ..domain.protocol import StepKind
from ..models import AttentionDismissed, Household, Introduction
from . import selectors
from .arrivals import quarantines_of
from .households import check_member
from .progress import AnimalToday, protocol_for
from .today import HouseholdToday, IntroductionToday, today_for_household

MISSED_DAYS = 2
LOOK_BACK = 14  # days of sessions read for the missed rule: the last day, or "for 2 weeks or more"
WENT_BACK_DAYS = 3
UNDECIDED_WINDOW = 14
INTRODUCTION_QUIET_DAYS = 3
PAUSED_LONG_DAYS = 7
# The list stays short for a rescue: a rule with more items than this is one line, with a
# count, that opens the household overview (who has been quiet, who is paused).
ONE_LINE_ABOVE = 3
SAID_OF_MANY = {
    "missed": "{n} animals have had no session for {days} days or more.",
    "went_back": "{n} animals went back a step in the last few days: shorter, gentler sessions.",
    "paused_long": "{n} animals have been paused for health for over a week. " + VET_ADVICE,
    "quarantine_undecided": "{n} quarantines have ended with no introduction begun.",
    "introduction_quiet": "{n} introductions have had no meeting for {quiet} days or more.",
}


@dataclass(frozen=True)
class Attention:
    rule: str  # missed, went_back, quarantine_undecided, introduction_quiet, paused_long
    about: str  # "animal", "introduction" or "household" (several at once): where to act
    about_id: str  # its public id
    text: str

    @property
    def key(self) -> str:
        """What a dismissal names: the rule and what it is about."""
        return f"{self.rule}:{self.about_id}"


def needs_attention(
    household: Household, today: date, *, keeper=None, t: HouseholdToday | None = None
) -> list[Attention]:
    """Every item that holds on `today`; those `keeper` dismissed for today left out."""
    t = t or today_for_household(household, today, today=today)
    items = t.animals
    found = [
        *paused_long(items, today),
        *went_back(items, today),
        *missed(items, today),
        *quarantine_undecided(items, today),
        *introduction_quiet(t.introductions, today),
    ]
    found = _short(found, household)
    if keeper is None:
        return found
    dismissed = set(
        AttentionDismissed.objects.filter(keeper=keeper, household=household, day=today).values_list("key", flat=True)
    )
    return [a for a in found if a.key not in dismissed]


def _short(found: list[Attention], household: Household) -> list[Attention]:
    """A rule with more than ONE_LINE_ABOVE items said in one line, where it came first."""
    counts: dict[str, int] = {}
    for a in found:
        counts[a.rule] = counts.get(a.rule, 0) + 1
    out: list[Attention] = []
    for a in found:
        n = counts[a.rule]
        if n <= ONE_LINE_ABOVE:
            out.append(a)
        elif not any(o.rule == a.rule for o in out):
            text = SAID_OF_MANY[a.rule].format(n=n, days=MISSED_DAYS, quiet=INTRODUCTION_QUIET_DAYS)
            out.append(Attention(a.rule, "household", household.public_id, text))
    return out


def missed(items: list[AnimalToday], today: date) -> list[Attention]:
    """Read cheaply for a rescue: each animal's last day with a session within LOOK_BACK days (an
    index range each), not a scan of its whole history."""
    active = [
        item
        for item in items
        if protocol_for(item.animal).steps[item.progress.step_index].kind is not StepKind.SETTLING
        and not item.progress.paused_since
        and item.progress.settled_on <= today
    ]
    since = today - timedelta(days=LOOK_BACK)
    last_days = selectors.last_session_days_of([i.animal.pk for i in active], since=since)
    found = []
    for item in active:
        last = last_days.get(item.animal.pk)
        settled = item.progress.settled_on
        if last is not None:
            quiet, said = (today - last).days, f"no session since {last:%-d %B}"
        elif settled > since:
            quiet, said = (today - settled).days + 1, "no session since settling in"
        else:
            quiet, said = LOOK_BACK, f"no session for {LOOK_BACK // 7} weeks or more"
        if quiet >= MISSED_DAYS:
            found.append(
                Attention(
                    "missed",
                    "animal",
                    item.animal.public_id,
                    f"{item.animal.name}: {said}. A short one today keeps the trust growing.",
                )
            )
    return found


def went_back(items: list[AnimalToday], today: date) -> list[Attention]:
    found = []
    for item in items:
        backs = [c for c in item.progress.history if c.direction == "back" and (today - c.day).days < WENT_BACK_DAYS]
        if backs:
            found.append(
                Attention(
                    "went_back",
                    "animal",
                    item.animal.public_id,
                    f"{item.animal.name} went back a step on {backs[-1].day:%-d %B}: "
                    "shorter, gentler sessions for a few days.",
                )
            )
    return found


def paused_long(items: list[AnimalToday], today: date) -> list[Attention]:
    return [
        Attention(
            "paused_long",
            "animal",
            item.animal.public_id,
            f"{item.animal.name} has been paused for health since {item.progress.paused_since:%-d %B}. {VET_ADVICE}",
        )
        for item in items
        if item.progress.paused_since and (today - item.progress.paused_since).days > PAUSED_LONG_DAYS
    ]


def quarantine_undecided(items: list[AnimalToday], today: date) -> list[Attention]:
    animals = [item.animal for item in items]
    over = {
        pk: status
        for pk, status in quarantines_of(animals, today).items()
        if status.ends_on < today and (today - status.ends_on).days <= UNDECIDED_WINDOW
    }
    if not over:
        return []
    begun: dict[int, date] = {}
    for pk, started in Introduction.objects.filter(newcomers__in=list(over)).values_list("newcomers", "started_on"):
        begun[pk] = max(begun.get(pk, started), started)
    return [
        Attention(
            "quarantine_undecided",
            "animal",
            a.public_id,
            f"{a.name}'s quarantine ended on {over[a.pk].ends_on:%-d %B}: introduce them to the others, "
            "step by step, or keep them apart.",
        )
        for a in animals
        if a.pk in over and begun.get(a.pk, date.min) < over[a.pk].started_on
    ]


def introduction_quiet(intros: list[IntroductionToday], today: date) -> list[Attention]:
    found = []
    for it in intros:
        if it.progress.waiting_for_quarantine_until:
            continue
        days = [m.day for m in it.introduction.meetings.all()]
        last = max(days, default=it.introduction.started_on)
        if (today - last).days >= INTRODUCTION_QUIET_DAYS:
            who = ", ".join(it.newcomers) + " and " + ", ".join(it.residents)
            found.append(
                Attention(
                    "introduction_quiet",
                    "introduction",
                    it.introduction.public_id,
                    f"No meeting for {who} since {last:%-d %B}: short daily meetings are what make it work.",
                )
            )
    return found


def dismiss(*, keeper, household: Household, key: str, today: date) -> None:
    """Hide `key` from this keeper's list for `today`. Twice is once."""
    check_member(keeper, household, write=True)
    if not key or len(key) > 80:
        raise InvalidInput("key", "That item of the list is not one Gentling knows: reload the page.")
    try:
        with transaction.atomic():
            AttentionDismissed.objects.create(keeper=keeper, household=household, key=key, day=today)
    except IntegrityError:
        pass  # dismissed already: a double tap
