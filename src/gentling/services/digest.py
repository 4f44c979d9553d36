"""The daily reminder: what a keeper is told at their reminder time, as an email (plain text and
HTML, services/reminders.py sends it) and as the short line of a push notification.

It holds what needs attention, today's items per animal grouped by cage, what was missed
yesterday, quarantines ending and introductions due, and any animal paused for health; about
every animal, or only those the keeper cares for, at their choice. Its unsubscribe link works
without logging in: a signed token names the keeper's reminders and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from ..domain.guardrails import VET_ADVICE
from ..models import Reminders
from .attention import Attention, needs_attention
from .progress import local_today
from .today import today_for_household

UNSUBSCRIBE_SALT = "gentling.reminders.unsubscribe"
QUARANTINE_ENDING_DAYS = 2


@dataclass
class AnimalLine:
    name: str
    step: str
    to_do: list[str]
    link: str


@dataclass
class Digest:
    household: str
    day: str
    attention: list[Attention]
    cages: list[tuple[str, list[AnimalLine]]]
    missed: list[str]
    arrivals: list[str]
    paused: list[str]
    links: dict[str, str] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        left = sum(len(line.to_do) for _, lines in self.cages for line in lines)
        return f"Gentling, {self.day}: {left} thing{'s' * (left != 1)} to do in {self.household}"

    @property
    def headline(self) -> str:
        """The push notification's line."""
        names = [line.name for _, lines in self.cages for line in lines if line.to_do]
        said = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        todo = f"Today with {said}." if names else "All done for today."
        return todo + (
            f" {len(self.attention)} need{'s' * (len(self.attention) == 1)} attention." if self.attention else ""
        )


def digest_for(r: Reminders, now: datetime) -> Digest:
    """The keeper's reminder for the household's day at `now`."""
    household, keeper = r.membership.household, r.membership.keeper
    today = local_today(household, now)
    mine = set(r.cares_for.values_list("pk", flat=True)) if r.scope == Reminders.Scope.MINE else None

    def wanted(animal) -> bool:
        return mine is None or animal.pk in mine

    t = today_for_household(household, today, today=today)
    base = settings.GENTLING_BASE_URL
    cages: dict[str, list[AnimalLine]] = {}
    for item in t.animals:
        if not wanted(item.animal):
            continue
        to_do = [
            f"{task.text} ({task.done_today} of {task.times_per_day})" if task.times_per_day > 1 else task.text
            for task in item.plan.tasks
            if not task.is_done
        ]
        cage = item.animal.cage.name if item.animal.cage else "No cage set"
        link = base + reverse("animal", args=[household.public_id, item.animal.public_id])
        cages.setdefault(cage, []).append(AnimalLine(item.animal.name, item.plan.step_title, to_do, link))
    yesterday = today_for_household(household, today - timedelta(days=1), today=today)
    missed = [
        f"{item.animal.name}: {task.text} ({task.done_today} of {task.times_per_day})"
        for item in yesterday.animals
        if wanted(item.animal) and item.animal.arrival_date < today
        for task in item.plan.tasks
        if not task.is_done
    ]
    arrivals = [
        f"{item.animal.name}'s quarantine ends on {t.quarantines[item.animal.pk].status.ends_on:%-d %B}."
        for item in t.animals
        if wanted(item.animal)
        and item.animal.pk in t.quarantines
        and t.quarantines[item.animal.pk].status.days_left <= QUARANTINE_ENDING_DAYS
    ] + [
        f"Introduction of {', '.join(it.newcomers)} to {', '.join(it.residents)}: {it.progress.stage_title}, "
        "a meeting is due."
        for it in t.introductions
        if not it.progress.waiting_for_quarantine_until
    ]
    paused = [
        f"{item.animal.name} is paused for health since {item.progress.paused_since:%-d %B}. {VET_ADVICE}"
        for item in t.animals
        if wanted(item.animal) and item.progress.paused_since
    ]
    attention = [a for a in needs_attention(household, today, keeper=keeper, t=t) if _about_wanted(a, t, wanted)]
    return Digest(
        household=household.name,
        day=f"{today:%A %-d %B}",
        attention=attention,
        cages=sorted(cages.items()),
        missed=missed,
        arrivals=arrivals,
        paused=paused,
        links={
            "today": base + reverse("today", args=[household.public_id]),
            "settings": base + reverse("reminders", args=[household.public_id]),
            "unsubscribe": base + reverse("unsubscribe", args=[unsubscribe_token(r)]),
        },
    )


def _about_wanted(a: Attention, t, wanted) -> bool:
    if a.about != "animal":
        return True
    return any(item.animal.public_id == a.about_id and wanted(item.animal) for item in t.animals)


def render_email(d: Digest) -> tuple[str, str]:
    """The digest as plain text and as HTML."""
    context = {"d": d}
    return (
        render_to_string("gentling/email/digest.txt", context),
        render_to_string("gentling/email/digest.html", context),
    )


def send_email(r: Reminders, day: date, now: datetime) -> None:
    """The digest by email, with a one-click unsubscribe header (RFC 8058) for mail clients.
    A keeper whose address was removed since is sent nothing (set_reminders asks for one)."""
    if not r.membership.keeper.email:
        return
    d = digest_for(r, now)
    text, html = render_email(d)
    message = EmailMultiAlternatives(
        d.subject,
        text,
        to=[r.membership.keeper.email],
        headers={
            "List-Unsubscribe": f"<{d.links['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    message.send()


def unsubscribe_token(r: Reminders) -> str:
    return signing.dumps({"reminders": r.pk}, salt=UNSUBSCRIBE_SALT)


def reminders_for_token(token: str) -> Reminders | None:
    """The reminders a link's token names (None: a token that was not ours, or was changed)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    pk = data.get("reminders") if isinstance(data, dict) else None
    return Reminders.objects.filter(pk=pk).select_related("membership__household").first() if pk else None


def unsubscribe_email(r: Reminders) -> None:
    """No more reminder emails for this household; a push notification, if chosen, stays."""
    r.channel = {"email": "none", "both": "push"}.get(r.channel, r.channel)
    r.save(update_fields=["channel"])
