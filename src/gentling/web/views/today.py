"""Today: one card per active animal, grouped by cage; and the household overview."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ... import clock
from ...domain.alert_summary import and_list
from ...domain.errors import InvalidInput
from ...domain.validation import parse_date
from ...services import quick_log as ql
from ...services import selectors
from ...services.attention import dismiss, needs_attention
from ...services.progress import local_today, plan_for_household, protocol_for
from ...services.sessions import saved_summary
from ...services.today import today_for_household
from ..access import household_view, raise_for
from .sessions import report_saved

QUIET_DAYS = 3
# With more active animals than this, Today lists the cages (what is done, what needs
# attention) and each cage opens on its own: a rescue's volunteers work cage by cage,
# and 500 cards would make a page too long for a phone.
CAGES_FIRST_ABOVE = 30
NO_CAGE = "none"


def _cage_summary(key: str, name: str, items: list) -> dict:
    tasks = [t for item, _ in items for t in item.plan.tasks]
    return {
        "key": key,
        "name": name,
        "animals": len(items),
        "tasks": len(tasks),
        "done": sum(1 for t in tasks if t.is_done),
        "quarantined": sum(1 for _, q in items if q),
        "paused": sum(1 for item, _ in items if item.progress.paused_since),
    }


@household_view()
def today(request, household):
    real_today = local_today(household, clock.now())
    day, date_error = real_today, None
    if request.GET.get("date"):
        try:
            day = parse_date(request.GET["date"], "date", real_today)
        except InvalidInput as exc:
            date_error = exc.message
    t = today_for_household(household, day, today=real_today)
    attention = needs_attention(household, day, keeper=request.user, t=t) if day == real_today else []
    cards = [(p, t.quarantines.get(p.animal.pk)) for p in t.animals]
    groups = [
        (cage, list(items))
        for cage, items in groupby(
            cards,
            key=lambda c: (
                (c[0].animal.cage.public_id, c[0].animal.cage.name) if c[0].animal.cage else (NO_CAGE, "No cage set")
            ),
        )
    ]
    cage = request.GET.get("cage")
    chosen = [g for g in groups if g[0][0] == cage]
    if cage and not chosen:
        date_error = (date_error or "") + f" No active animals in that cage on {day:%d %B %Y}; showing every cage."
    cages_first = len(cards) > CAGES_FIRST_ABOVE and not chosen
    return render(
        request,
        "gentling/today.html",
        {
            "household": household,
            "nav": "today",
            "day": day,
            "real_today": real_today,
            "is_today": day == real_today,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "groups": [] if cages_first else [(name, items) for (_, name), items in (chosen or groups)],
            "cages": [_cage_summary(key, name, items) for (key, name), items in groups] if cages_first else [],
            "cage_filter": chosen[0][0][0] if chosen else None,
            "animal_count": len(cards),
            "introductions": t.introductions,
            "litters": t.litters,
            "date_error": date_error.strip() if date_error else None,
            "can_write": request.can_write,
            "quick_log": request.can_write and day == real_today,
            "undo": request.session.pop(UNDO, None),
            "attention": attention,
        },
    )


UNDO = "gentling.undo"  # the last quick log, offered for undoing on the next Today


def _back_to_today(request, household, anchor: str = ""):
    cage = request.POST.get("cage", "")
    query = f"?cage={cage}" if cage.isalnum() else ""
    return redirect(reverse("today", args=[household.public_id]) + query + anchor)


@require_POST
@household_view(write=True)
def quick_log(request, household):
    """A tap on a task of Today: logged at once, with an undo on the page it comes back to."""
    animal_ref, _, activity = request.POST.get("task", "").partition(":")
    try:
        with raise_for():
            logged = ql.quick_log(
                keeper=request.user,
                household=household,
                animal_ref=animal_ref,
                activity=activity,
                whole_cage=request.POST.get("whole_cage") == "on",
                now=clock.now(),
            )
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return _back_to_today(request, household)
    names = and_list([item.animal.name for item in logged])
    said = f"Logged “{protocol_for(logged[0].animal).label_of(activity)}” for {names}."
    request.session[UNDO] = {
        "sitting": logged[0].session.sitting,
        "session": logged[0].session.public_id,
        "text": said,
    }
    if saved_summary(logged).lines:  # warnings, or a move on the ladder: said as for any session
        report_saved(request, logged, said)
    return _back_to_today(request, household, f"#animal-{animal_ref}")


@require_POST
@household_view(write=True)
def quick_log_undo(request, household):
    try:
        with raise_for():
            names = ql.undo_quick_log(
                keeper=request.user, household=household, sitting=request.POST.get("sitting", ""), now=clock.now()
            )
    except ql.NothingToUndo as exc:
        messages.info(request, exc.message)
    else:
        messages.success(request, f"Undone: nothing of that log was kept for {and_list(names)}.")
    return _back_to_today(request, household)


@require_POST
@household_view(write=True)
def attention_dismiss(request, household):
    """ "Not today" on an item of what needs attention: for this keeper, until tomorrow."""
    try:
        dismiss(
            keeper=request.user,
            household=household,
            key=request.POST.get("key", ""),
            today=local_today(household, clock.now()),
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
    return _back_to_today(request, household)


@household_view()
def overview(request, household):
    today_ = local_today(household, clock.now())
    plans = plan_for_household(household, today_)
    week_ago = today_ - timedelta(days=6)
    by_keeper = {
        name or "(removed keeper)": n for name, n in selectors.sessions_per_keeper(household, week_ago).items()
    }
    last_day = selectors.last_session_days(household)
    rows = []
    for p in plans:
        last = last_day.get(p.animal.pk)
        quiet = (today_ - last).days if last else (today_ - p.animal.arrival_date).days
        rows.append({"item": p, "last": last, "quiet_days": quiet, "is_quiet": quiet >= QUIET_DAYS})
    return render(
        request,
        "gentling/overview.html",
        {
            "household": household,
            "nav": "overview",
            "rows": rows,
            "by_keeper": sorted(by_keeper.items()),
            "quiet": [r for r in rows if r["is_quiet"]],
            "quiet_days": QUIET_DAYS,
            "week_ago": week_ago,
            "can_write": request.can_write,
        },
    )
