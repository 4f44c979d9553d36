"""A keeper's daily reminder for a household: the same settings as the web page and
`gentling reminders` (services/reminders.py)."""

from __future__ import annotations

from ninja import Router, Schema

from ..domain.errors import InvalidInput
from ..services.reminders import ReminderChoice, cared_for_ids, reminders_of, set_reminders
from . import common
from .errors import errors

router = Router(tags=["reminders"])
API_NAMES = {"remind_at": "at", "channel": "by", "scope": "about"}


class RemindersOut(Schema):
    at: str  # HH:MM, in time_zone
    by: str  # none, email, push or both
    about: str  # all, or mine: only cares_for
    cares_for: list[str]  # animal ids
    time_zone: str  # the keeper's, or the household's when they chose none


class RemindersPatch(Schema):
    at: str | None = None
    by: str | None = None
    about: str | None = None
    cares_for: list[str] | None = None
    time_zone: str | None = None
    email: str | None = None


def _out(r, household) -> RemindersOut:
    return RemindersOut(
        at=f"{r.remind_at:%H:%M}",
        by=r.channel,
        about=r.scope,
        cares_for=cared_for_ids(r),
        time_zone=r.time_zone or household.time_zone,
    )


@router.get("/households/{hid}/reminders", response={200: RemindersOut, **errors(404)}, summary="Your reminders")
def get_reminders(request, hid: str):
    h = common.household(request, hid)
    return _out(reminders_of(request.auth, h), h)


@router.patch(
    "/households/{hid}/reminders",
    response={200: RemindersOut, **errors(400, 404)},
    summary="Change your reminders (any member: they are yours)",
)
def patch_reminders(request, hid: str, data: RemindersPatch):
    h = common.household(request, hid)
    choice = ReminderChoice(
        remind_at=data.at,
        channel=data.by,
        scope=data.about,
        cares_for=data.cares_for,
        time_zone=data.time_zone,
        email=data.email,
    )
    try:
        r = set_reminders(keeper=request.auth, household=h, choice=choice)
    except InvalidInput as exc:  # named as this API names its fields
        raise InvalidInput(API_NAMES.get(exc.field or "", exc.field or ""), exc.message) from None
    return _out(r, h)
