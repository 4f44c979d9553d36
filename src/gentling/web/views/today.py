"""Today: one card per active animal, grouped by cage; and the household overview."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from django.shortcuts import render

from ... import clock
from ...domain.errors import InvalidInput
from ...domain.validation import parse_date
from ...services import selectors
from ...services.progress import local_today, plan_for_household
from ...services.today import today_for_household
from ..access import household_view

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
            "cage": chosen[0][0][0] if chosen else None,
            "animal_count": len(cards),
            "introductions": t.introductions,
            "litters": t.litters,
            "date_error": date_error.strip() if date_error else None,
            "can_write": request.can_write,
        },
    )


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
