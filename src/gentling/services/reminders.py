"""Each keeper's reminders for a household: a time in the keeper's own time zone, email, a push
notification, both or none, about every animal or only those the keeper cares for. The web
page, `gentling reminders` and the API set them here.

`send_due` is what `gentling remind` (and `gentling serve`, every minute) runs. A reminder is
due once the keeper's local time has passed their time, on each local day, and is sent once:
a ReminderSent row is claimed first (a unique row per keeper, household, day and channel), so
a second run, or two running at once, on SQLite or PostgreSQL, finds it taken. A claim whose
sending failed is let go, so the next run tries again; one left "sending" by a process that
died is taken over after STALE_CLAIM. A server down at the time sends on its first run after,
the same day: a reminder is late rather than skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from ..domain.errors import InvalidInput
from ..domain.validation import check_choice
from ..models import Household, Membership, Reminders, ReminderSent
from .households import animal_for, check_member, membership_of

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=15)
CHANNELS = {c.value: c.label for c in Reminders.Channel}
SCOPES = {s.value: s.label for s in Reminders.Scope}


def reminders_of(keeper, household: Household) -> Reminders:
    """The keeper's reminder settings for the household (the defaults until they choose)."""
    check_member(keeper, household)
    membership = membership_of(keeper, household)
    assert membership is not None  # checked just above
    return Reminders.objects.get_or_create(membership=membership)[0]


@dataclass(frozen=True)
class ReminderChoice:
    """What a keeper may change; None leaves it as it is."""

    remind_at: str | time | None = None
    channel: str | None = None
    scope: str | None = None
    time_zone: str | None = None
    cares_for: list[str] | None = None  # animals by id or name
    email: str | None = None


@transaction.atomic
def set_reminders(*, keeper, household: Household, choice: ReminderChoice) -> Reminders:
    """Change the keeper's reminders. A viewer may be reminded too: reminders change nothing."""
    r = reminders_of(keeper, household)
    if choice.remind_at is not None:
        r.remind_at = parse_time(choice.remind_at)
    if choice.time_zone is not None:
        r.time_zone = _zone(choice.time_zone)
    if choice.scope is not None:
        r.scope = check_choice(choice.scope, SCOPES, "scope", "choice of animals")
    if choice.email is not None:
        keeper.email = _email(choice.email)
        keeper.save(update_fields=["email"])
    if choice.channel is not None:
        r.channel = check_choice(choice.channel, CHANNELS, "channel", "way to be reminded")
    if r.channel in ("email", "both") and not keeper.email:
        raise InvalidInput("email", "Email reminders need your email address: add it, or choose push only.")
    if choice.cares_for is not None:
        r.cares_for.set([animal_for(keeper, household, ref) for ref in choice.cares_for])
    if r.scope == "mine" and choice.cares_for is not None and not choice.cares_for:
        raise InvalidInput("cares_for", "Tick the animals you care for, or choose every animal.")
    r.save()
    return r


def cared_for_ids(r: Reminders) -> list[str]:
    """The ids of the animals the keeper ticked as the ones they care for."""
    return sorted(r.cares_for.values_list("public_id", flat=True))


def parse_time(value: str | time) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    text = value.strip()
    for fmt in ("%H:%M", "%H.%M", "%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).time().replace(second=0)
        except ValueError:
            continue
    raise InvalidInput("remind_at", f"Reminder time '{text[:20]}': write it as hours and minutes, e.g. 18:30.")


def _zone(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("time_zone", f"'{name[:64]}' is not a time zone name such as Europe/London.") from None
    return name


def _email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise InvalidInput("email", f"'{value[:80]}' is not an email address.") from None
    return value


def zone_of(r: Reminders) -> ZoneInfo:
    return ZoneInfo(r.time_zone or r.membership.household.time_zone)


def due_day(r: Reminders, now: datetime) -> date | None:
    """The keeper's local day whose reminder is due at `now`, or None before their time."""
    local = now.astimezone(zone_of(r))
    return local.date() if local.time() >= r.remind_at else None


# --- sending ------------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    already: int = 0
    failed: int = 0


Sender = Callable[[Reminders, date, datetime], None]  # raises to say it could not send


def senders() -> dict[str, Sender]:
    from . import digest, push

    return {"email": digest.send_email, "push": push.send_push}


def send_due(now: datetime, by: dict[str, Sender] | None = None) -> SendReport:
    """Send each reminder due at `now` by each of its channels, once."""
    report = SendReport()
    wanted = Reminders.objects.exclude(channel="none").select_related("membership__household", "membership__keeper")
    for r in wanted:
        day = due_day(r, now)
        if day is None:
            continue
        for channel in ("email", "push"):
            if r.channel not in (channel, "both"):
                continue
            if not _claim(r.membership, day, channel, now):
                report.already += 1
                continue
            claim = ReminderSent.objects.filter(membership=r.membership, day=day, channel=channel)
            try:
                (by or senders())[channel](r, day, now)
            except Exception:
                log.exception("reminder by %s to %s not sent", channel, r.membership.keeper.username)
                with transaction.atomic():  # a write transaction waits its turn for SQLite's lock
                    claim.delete()
                report.failed += 1
            else:
                with transaction.atomic():
                    claim.update(status=ReminderSent.Status.SENT, sent_at=now)
                report.sent += 1
    return report


def _claim(membership: Membership, day: date, channel: str, now: datetime) -> bool:
    """Take the day's reminder by `channel` for sending: False if another run has it."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(membership=membership, day=day, channel=channel, claimed_at=now)
        return True
    except IntegrityError:
        # Taken: by a run that sent it, or is sending it now, or died while sending it long ago.
        stale = ReminderSent.objects.filter(
            membership=membership,
            day=day,
            channel=channel,
            status=ReminderSent.Status.SENDING,
            claimed_at__lt=now - STALE_CLAIM,
        )
        with transaction.atomic():
            return stale.update(claimed_at=now) == 1
