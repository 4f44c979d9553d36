"""What every endpoint shares: the access helpers, bounded pages, and day parameters."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .. import clock
from ..domain.errors import InvalidInput, NotFound
from ..domain.validation import parse_date
from ..models import Animal, Household
from ..services import households as hs
from ..services import selectors
from ..services.progress import local_today

PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
PAGE_MAX = 10_000
PAGE_SIZE, PAGE_SIZE_MAX = 20, 100
IDS_MAX = selectors.IDS_MAX  # animals named in one request body


# JSON's "\u0000" (not an escaped backslash): PostgreSQL cannot store a NUL character in text.
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def has_nul(raw: bytes) -> bool:
    return bool(_NUL.search(raw))


def _public_id(value: str, missing: str) -> str:
    # Anything that cannot be an id is simply not found (and never reaches the database).
    if not PUBLIC_ID.fullmatch(value or ""):
        raise NotFound(missing)
    return value


def household(request, hid: str, *, write: bool = False) -> Household:
    return hs.household_by_id(request.auth, _public_id(hid, "No such household."), write=write)


def animal(request, h: Household, aid: str, *, write: bool = False) -> Animal:
    # A malformed id is looked up as "" (found by nobody), after the role check: a viewer still gets 403.
    return hs.animal_by_id(request.auth, h, aid if PUBLIC_ID.fullmatch(aid or "") else "", write=write)


def animals_named(h: Household, ids: list[str], field: str) -> list[Animal]:
    """The household's animals for ids given in a request body; an unknown id is the body's fault (400)."""
    if len(ids) > IDS_MAX:
        raise InvalidInput(
            field, f"{len(ids)} animals at once is more than one sitting can hold; the limit is {IDS_MAX}."
        )
    known = selectors.animals_with_ids(h, [aid for aid in ids if PUBLIC_ID.fullmatch(aid or "")])
    found = []
    for aid in ids:
        a = known.get(aid)
        if a is None:
            raise InvalidInput(
                field, f"No animal with id '{aid[:40]}' in {h.name}. GET /households/{h.public_id}/animals lists them."
            )
        found.append(a)
    return found


def day_of(h: Household, value: date | None, field: str = "date") -> date:
    """A day asked about, checked as the CLI checks --date; none means the household's today."""
    today = local_today(h, clock.now())
    return today if value is None else parse_date(value.isoformat(), field, today, what=field)


def moment_of(h: Household, value: datetime, field: str) -> datetime:
    """A time as sent; without a UTC offset it is read in the household's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(h.time_zone))
    now = clock.now()
    try:
        far = abs(value - now) > timedelta(days=366 * 50)
    except OverflowError:
        far = True
    if far:
        raise InvalidInput(field, f"{field} {value:%Y-%m-%d}: too far from today to be right; check the year.")
    return value


class Pages(PageNumberPagination):
    """Page numbers, with a bounded page size (20 by default, at most 100)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX, description="Page number, from 1.")
        page_size: int = Field(PAGE_SIZE, ge=1, le=PAGE_SIZE_MAX, description="Items per page (at most 100).")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=PAGE_SIZE_MAX, **kwargs)


class Rendered:
    """A queryset (or list) whose items are rendered only for the page that is asked for: each on its
    own (`render`), or the page at once (`render_page`), so that what the rows need is read in a
    number of queries that does not grow with the rows."""

    def __init__(self, items, render: Callable | None = None, *, render_page: Callable | None = None):
        self.items = items
        self.render_page = render_page or (lambda page: [render(item) for item in page])

    def __len__(self) -> int:
        return self.items.count() if isinstance(self.items, QuerySet) else len(self.items)

    def __getitem__(self, window: slice):
        return self.render_page(list(self.items[window]))


def one_of(choices) -> str:
    return "One of: " + ", ".join(choices) + "."


def checked_id(value: str, missing: str) -> str:
    return _public_id(value, missing)


@contextmanager
def fields_renamed(mapping: dict[str, str]):
    """A service names its own fields; say the one the request sent (e.g. ended_at -> duration_seconds)."""
    try:
        yield
    except InvalidInput as exc:
        if exc.field in mapping:
            raise InvalidInput(mapping[exc.field], exc.message) from None
        raise
