"""What every page of a household shows, whichever view made it (settings: TEMPLATES)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from ..services import selectors


def running_timers(request) -> dict:
    """The keeper's sessions still running in this household, for the "resume" banner (base.html):
    leave the timer's screen and the session is not forgotten. Read only if the page shows it."""
    household = getattr(request, "household", None)
    if household is None or not request.user.is_authenticated:
        return {}
    return {
        "running_timers": SimpleLazyObject(lambda: selectors.timers_running(request.user, household)),
        "running_in": household.public_id,  # also on an error page of the household, which has no `household`
    }
