"""Your data: the calendar feed, CSV downloads, and backups (download and restore).

Who may do what:
- the calendar feed is reached by its token alone (calendar apps cannot log in);
- any member may have a feed link and download the CSVs: both only read
  what they can already see;
- only owners may download a backup or restore over a household; a restore
  makes the restoring keeper the owner of what it restores and never touches
  another account (services/restore.py has the rule).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from ... import clock
from ...domain.errors import InvalidInput, NotAllowed, NotFound
from ...services import backup, restore
from ...services import calendar as feeds
from ...services.csv_export import EXPORTS, csv_lines
from ...services.progress import local_today
from ...services.reminders import reminders_of
from ..access import household_for_request, household_view, raise_for

OWNER_ONLY = (
    "Only an owner can download or restore a backup: it holds the household's whole record, "
    "so it stays with the people who manage the household."
)


@household_view()
def data(request, household):
    return _page(request, household)


def _page(request, household, restore_error: str | None = None):
    feed = feeds.active_feed(request.user, household)
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token])) if feed else None
    return render(
        request,
        "gentling/data.html",
        {
            "household": household,
            "nav": "members",
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else None,
            "is_owner": request.is_owner,
            "owner_only": OWNER_ONLY,
            "restore_error": restore_error,
            "max_mb": backup.MAX_BYTES // (1024 * 1024),
            "remind_at": reminders_of(request.user, household).remind_at,
        },
    )


# --- the calendar feed ---------------------------------------------------------------------------


@require_safe  # GET, and HEAD for calendar apps that check first
def calendar_feed(request, token):
    try:
        feed = feeds.feed_by_token(token)
    except NotFound:
        raise Http404("No such calendar") from None
    response = HttpResponse(feeds.feed_calendar(feed, now=clock.now()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="gentling.ics"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


# A feed link is the keeper's own and only reads the plan, so a viewer may make
# or turn off theirs: these use read access, where household_view would ask
# for write access on a POST.
@login_required
@require_POST
def calendar_new(request, hid):
    household = household_for_request(request, hid)
    with raise_for():
        feeds.new_feed(keeper=request.user, household=household, now=clock.now())
    messages.success(request, "Here is your calendar link. Any link you had before has stopped working.")
    return redirect("data", household.public_id)


@login_required
@require_POST
def calendar_off(request, hid):
    household = household_for_request(request, hid)
    with raise_for():
        feeds.turn_off_feed(keeper=request.user, household=household, now=clock.now())
    messages.info(request, "Your calendar link is turned off.")
    return redirect("data", household.public_id)


# --- CSV -----------------------------------------------------------------------------------------


@household_view()
def csv_download(request, household, kind):
    rows = EXPORTS.get(kind)
    if rows is None:
        raise Http404("No such export")
    response = StreamingHttpResponse(csv_lines(rows(household)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(household, kind, "csv")}"'
    return response


def _file_name(household, what: str, ext: str) -> str:
    day = local_today(household, clock.now()).isoformat()
    return f"gentling-{slugify(household.name) or 'household'}-{what}-{day}.{ext}"


# --- backups -------------------------------------------------------------------------------------


@household_view()
def backup_download(request, household):
    if not request.is_owner:
        raise PermissionDenied(OWNER_ONLY)
    # Streamed: a rescue's backup runs to hundreds of MB.
    text = backup.backup_text_for(request.user, [household], now=clock.now())
    response = StreamingHttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(household, "backup", "json")}"'
    return response


@require_POST
@household_view(write=True)
def backup_restore(request, household):
    if not request.is_owner:
        raise PermissionDenied(OWNER_ONLY)
    upload = request.FILES.get("backup")
    try:
        summary = _restore(upload, request.user, replace=request.POST.get("replace") == "on")
    except (InvalidInput, NotAllowed) as exc:
        return _page(request, household, restore_error=exc.message)
    messages.success(
        request,
        f"Restored {summary['households']} household(s), {summary['animals']} animal(s) and "
        f"{summary['sessions']} session(s).",
    )
    if summary.get("note"):
        messages.info(request, summary["note"])
    return redirect("households")


def _restore(upload, keeper, *, replace: bool) -> dict:
    if upload is None:
        raise InvalidInput("backup", "Choose a backup file to restore.")
    # upload.size is known from the request before the file is read, so a huge
    # file is refused without loading it into memory.
    if upload.size > backup.MAX_BYTES:
        raise InvalidInput(
            "backup",
            f"That file is {upload.size // (1024 * 1024)} MB; a backup larger than "
            f"{backup.MAX_BYTES // (1024 * 1024)} MB is refused. Nothing was imported.",
        )
    return restore.import_backup(upload.read(), keeper=keeper, now=clock.now(), replace=replace)
