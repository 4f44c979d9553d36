"""The one place the web app fetches households and animals for a request.

It wraps the service access helpers: an outsider gets a 404 (never another
household's data) and a viewer gets a 403 on anything that writes.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from ..domain.errors import NotAllowed, NotFound
from ..services import households as hs


def household_for_request(request, hid: str, *, write: bool = False):
    with raise_for():
        return hs.household_by_id(request.user, hid, write=write)


def animal_for_request(request, household, aid: str, *, write: bool = False):
    with raise_for():
        return hs.animal_by_id(request.user, household, aid, write=write)


def household_view(write: bool = False, *, personal: bool = False):
    """Decorate a view taking (request, household, ...): fetches it or 404/403.

    A POST changes the household, so it needs a keeper who may write; `personal` views (the
    keeper's own reminders) change only what is the keeper's, so any member may post to them."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, hid, *args, **kwargs):
            needs_write = write or (request.method not in ("GET", "HEAD") and not personal)
            household = household_for_request(request, hid, write=needs_write)
            # The membership read with the household: what the page may offer is what the services allow.
            membership = hs.membership_of(request.user, household)
            request.role, request.can_write, request.is_owner = (
                membership.role,
                membership.can_write,
                membership.is_owner,
            )
            request.household = household  # for what every page of it shows (web/context.py)
            # Dates typed and shown on a household's pages are in its own time zone.
            with timezone.override(ZoneInfo(household.time_zone)):
                return view(request, household, *args, **kwargs)

        return wrapper

    return decorate


@contextmanager
def raise_for():
    """Turn a service's NotFound / NotAllowed into a 404 / 403 page."""
    try:
        yield
    except NotFound:
        raise Http404("Not found") from None
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
