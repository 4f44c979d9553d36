"""THE PERMISSION MATRIX: every page and action of urls.py, for every role.

- anonymous: a redirect to the login page (the guide is public);
- outsider (a keeper of another household): 404, always, and never a name from the household;
- viewer: reads yes, every write 403;
- carer: every write except the owner's invitations (403);
- owner: everything.
After a refused request nothing in the database has changed; after an allowed
write something has (except the alerts preview, which never saves).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gentling.models import Invite, OpenSession

from .helpers import World, db_state, png_bytes, visible_names

ROLES = ["owner", "carer", "viewer", "outsider", "anonymous"]
HOUSEHOLD_ANIMALS = ["Whiskerina", "Pipkin", "Nutmeg"]
OTHER_ANIMALS = ["Zanzibar"]


def _animal_form(w: World) -> dict:
    return {
        "name": "Nibbles",
        "species": "rat",
        "sex": "female",
        "source": "pet_store",
        "arrival_date": (timezone.now().date() - timedelta(days=2)).isoformat(),
        "birth_date": "",
        "cage": "__new__",
        "new_cage": "Lower Deck",
        "status": "active",
        "notes": "Likes peas",
    }


def _session_edit_form(w: World) -> dict:
    start = timezone.now() - timedelta(hours=3)
    return {
        "started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "length": "7",
        "activities": ["talked", "treat_in_cage"],
        "observations": ["took_treat"],
        "holds": "",
    }


def _session_log_form(w: World) -> dict:
    start = timezone.now() - timedelta(hours=3)
    when = start.strftime("%Y-%m-%dT%H:%M")
    return {"animals": [w.aid], "started_at": when, "minutes": "6", "seconds": "0", "activities": ["talked"]}


def _photo(w: World) -> dict:
    return {"photo": SimpleUploadedFile("new.png", png_bytes(color=(10, 200, 10)), content_type="image/png")}


# Who may do what.
PUBLIC, READ, WRITE, OWNER_ONLY = "public", "read", "write", "owner-only"
ALLOWED = {
    PUBLIC: {"owner", "carer", "viewer", "outsider", "anonymous"},
    READ: {"owner", "carer", "viewer"},
    WRITE: {"owner", "carer"},
    OWNER_ONLY: {"owner"},
}


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    url: Callable[[World], str]
    access: str
    ok: int  # the status when allowed
    data: Callable[[World], dict] | None = None
    changes: bool = False  # whether the allowed request writes to the database
    content_type: str | None = None  # for an allowed response


def _h(name, *extra):
    return lambda w: reverse(
        name, args=[w.hid, *[getattr(w, e) if e in World.__dataclass_fields__ else e for e in extra]]
    )


CHARTS = ["holds", "sessions", "signs", "steps"]

HOUSE_PROTOCOL = (Path(__file__).parent.parent / "data" / "protocols" / "house-gentle.toml").read_text(encoding="utf-8")

CASES = [
    Case("today", "GET", _h("today"), READ, 200),
    Case("today-other-date", "GET", lambda w: reverse("today", args=[w.hid]) + "?date=2026-01-01", READ, 200),
    Case("overview", "GET", _h("overview"), READ, 200),
    Case("people", "GET", _h("members"), READ, 200),
    Case("invite-create", "POST", _h("invite_create"), OWNER_ONLY, 302, lambda w: {"role": "carer"}, True),
    Case("invite-revoke", "POST", _h("invite_revoke", "token"), OWNER_ONLY, 302, lambda w: {}, True),
    Case("animal-new-get", "GET", _h("animal_new"), WRITE, 200),
    Case("animal-new-post", "POST", _h("animal_new"), WRITE, 302, _animal_form, True),
    Case("animal-detail", "GET", _h("animal", "aid"), READ, 200),
    Case("protocols", "GET", _h("protocols"), READ, 200),
    Case("protocol-preview", "POST", _h("protocols"), WRITE, 200, lambda w: {"text": HOUSE_PROTOCOL, "name": "h.toml"}),
    Case(
        "protocol-add",
        "POST",
        _h("protocols"),
        OWNER_ONLY,
        302,
        lambda w: {"text": HOUSE_PROTOCOL, "name": "h.toml", "confirm": "add"},
        True,
    ),
    Case(
        "animal-protocol",
        "POST",
        _h("animal_protocol", "aid"),
        OWNER_ONLY,
        302,
        lambda w: {"to": "rat-tickling", "how": "restarted"},
        True,
    ),
    Case("animal-report", "GET", _h("animal_report", "aid"), READ, 200),
    Case("animal-report-pdf", "GET", _h("animal_report_pdf", "aid"), READ, 200, content_type="application/pdf"),
    Case("animal-detail-mouse", "GET", _h("animal", "mouse_aid"), READ, 200),
    Case("animal-edit-get", "GET", _h("animal_edit", "aid"), WRITE, 200),
    Case("animal-edit-post", "POST", _h("animal_edit", "aid"), WRITE, 302, _animal_form, True),
    Case("photo", "GET", _h("animal_photo", "aid"), READ, 200, content_type="image/png"),
    Case("photo-upload", "POST", _h("animal_photo_upload", "aid"), WRITE, 302, _photo, True),
    *[Case(f"chart-{c}", "GET", _h("animal_chart", "aid", c), READ, 200, content_type="image/svg+xml") for c in CHARTS],
    Case("session-start", "POST", _h("session_start"), WRITE, 302, lambda w: {"animals": [w.aid, w.mouse_aid]}, True),
    Case("session-open-get", "GET", _h("session_open", "open_sid"), WRITE, 200),
    Case("quick-log", "POST", _h("quick_log"), WRITE, 302, lambda w: {"task": f"{w.aid}:talked"}, True),
    Case("attention-dismiss", "POST", _h("attention_dismiss"), WRITE, 302, lambda w: {"key": f"missed:{w.aid}"}, True),
    Case(
        "session-open-save",
        "POST",
        _h("session_open", "open_sid"),
        WRITE,
        302,
        lambda w: {"activities": ["talked", "treat_in_cage"], "observations": ["took_treat"], "holds": ""},
        True,
    ),
    Case(
        "session-check",
        "POST",
        _h("session_check", "open_sid"),
        WRITE,
        200,
        lambda w: {"activities": ["talked", "petted"]},
        False,
    ),
    Case("session-discard", "POST", _h("session_discard", "open_sid"), WRITE, 302, lambda w: {}, True),
    Case("more", "GET", _h("more"), READ, 200),
    Case("session-log-get", "GET", _h("session_log"), WRITE, 200),
    Case("session-log-post", "POST", _h("session_log"), WRITE, 302, _session_log_form, True),
    Case("session-edit-get", "GET", _h("session_edit", "sid"), WRITE, 200),
    Case("session-edit-post", "POST", _h("session_edit", "sid"), WRITE, 302, _session_edit_form, True),
    Case("session-delete-get", "GET", _h("session_delete", "sid"), WRITE, 200),
    Case("session-delete-post", "POST", _h("session_delete", "sid"), WRITE, 302, lambda w: {}, True),
    Case("cages", "GET", _h("cages"), READ, 200),
    Case(
        "health-check",
        "POST",
        _h("health_check", "aid"),
        WRITE,
        302,
        lambda w: {"signs": [], "notes": "Bright eyes"},
        True,
    ),
    Case("introductions", "GET", _h("introductions"), READ, 200),
    Case(
        "introductions-start",
        "POST",
        _h("introductions"),
        WRITE,
        302,
        lambda w: {"newcomers": [w.aid], "residents": [w.resident_aid], "cage": ""},
        True,
    ),
    Case("introduction", "GET", _h("introduction", "iid"), READ, 200),
    Case(
        "introduction-meeting",
        "POST",
        _h("introduction", "iid"),
        WRITE,
        302,
        lambda w: {"minutes": "10", "notes": "Sniffing"},
        True,
    ),
    Case("introduction-cleaned", "POST", _h("introduction_cleaned", "iid"), WRITE, 302, lambda w: {}, True),
    Case("households", "GET", lambda w: reverse("households"), PUBLIC, 200),  # login only; see below
    Case("guide-index", "GET", lambda w: reverse("guide_index"), PUBLIC, 200),
    Case("guide-rat", "GET", lambda w: reverse("guide", args=["rat"]), PUBLIC, 200),
    Case("guide-mouse", "GET", lambda w: reverse("guide", args=["mouse"]), PUBLIC, 200),
    Case("guide-step", "GET", lambda w: reverse("guide_step", args=["rat", "petting"]), PUBLIC, 200),
    # The installable app: the manifest and the worker hold nothing private; /today sends each keeper
    # to their own Today (or their households), and anyone else to log in.
    Case("manifest", "GET", lambda w: reverse("manifest"), PUBLIC, 200, content_type="application/manifest+json"),
    Case(
        "service-worker",
        "GET",
        lambda w: reverse("service_worker"),
        PUBLIC,
        200,
        content_type="text/javascript; charset=utf-8",
    ),
    Case("today-start", "GET", lambda w: reverse("today_start"), PUBLIC, 302),
]

LOGIN_ONLY = {"households", "today-start"}  # pages for any logged-in keeper, no household involved


def expected_status(case: Case, role: str) -> int:
    if role == "anonymous" and (case.access != PUBLIC or case.id in LOGIN_ONLY):
        return 302
    if role in ALLOWED[case.access]:
        return case.ok
    if role == "outsider":
        return 404
    return 403


MATRIX = [pytest.param(case, role, id=f"{case.id}-{role}") for case in CASES for role in ROLES]


def _request(client, case: Case, w: World):
    url = case.url(w)
    if case.method == "GET":
        return client.get(url)
    return client.post(url, case.data(w) if case.data else {})


@pytest.mark.parametrize("case, role", MATRIX)
def test_permission_matrix(client, keepers, world, case, role):
    if keepers[role] is not None:
        client.force_login(keepers[role])
    before = db_state()
    response = _request(client, case, world)
    expected = expected_status(case, role)
    assert response.status_code == expected, f"{case.method} {case.url(world)} as {role}"

    refused = role not in ALLOWED[case.access] or (role == "anonymous" and expected == 302)
    if refused or case.method == "GET" or not case.changes:
        assert db_state() == before, "a refused or read-only request changed the database"
    else:
        assert db_state() != before, "an allowed write saved nothing"

    if role == "anonymous" and expected == 302:
        login = reverse("login")
        assert response["Location"].startswith(f"{login}?next="), response["Location"]
    if role == "outsider":
        body = response.content.decode(errors="replace")
        assert visible_names(body, HOUSEHOLD_ANIMALS + ["Maple Street", "Top Deck"]) == []
    if expected == 200 and role in ALLOWED[case.access] and case.content_type:
        assert response["Content-Type"] == case.content_type
    if role in ("owner", "carer", "viewer") and response.get("Content-Type", "").startswith("text/html"):
        # A member never sees the other household either.
        assert visible_names(response.content.decode(), OTHER_ANIMALS + ["Elsewhere"]) == []


# --- an outsider mixing their own household's id with this household's records --------------

MIXED = [
    ("animal", "GET", "aid"),
    ("animal_edit", "GET", "aid"),
    ("animal_edit", "POST", "aid"),
    ("animal_photo", "GET", "aid"),
    ("animal_photo_upload", "POST", "aid"),
    *[("animal_chart", "GET", "aid", c) for c in CHARTS],
    ("session_open", "GET", "open_sid"),
    ("session_open", "POST", "open_sid"),
    ("session_check", "POST", "open_sid"),
    ("session_discard", "POST", "open_sid"),
    ("session_edit", "GET", "sid"),
    ("session_edit", "POST", "sid"),
    ("session_delete", "GET", "sid"),
    ("session_delete", "POST", "sid"),
    ("health_check", "POST", "aid"),
    ("introduction", "GET", "iid"),
    ("introduction", "POST", "iid"),
    ("introduction_cleaned", "POST", "iid"),
]


@pytest.mark.parametrize(
    "name, method, attr, extra",
    [pytest.param(m[0], m[1], m[2], list(m[3:]), id="-".join([m[0], m[1], *m[3:]])) for m in MIXED],
)
def test_an_outsider_cannot_reach_records_through_their_own_household(
    client, outsider, world, name, method, attr, extra
):
    client.force_login(outsider)
    url = reverse(name, args=[world.other_hid, getattr(world, attr), *extra])
    before = db_state()
    data = {
        "activities": ["talked"],
        "minutes": "10",
        "name": "Stolen",
        "species": "rat",
        "source": "rescue",
        "arrival_date": timezone.now().date().isoformat(),
        "status": "active",
        "sex": "unknown",
    }
    if name == "animal_photo_upload":
        data = {"photo": SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")}
    if name == "session_edit" and method == "POST":
        data |= {"started_at": (timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "length": "5"}
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code == 404
    assert visible_names(response.content.decode(errors="replace"), HOUSEHOLD_ANIMALS) == []
    assert db_state() == before


def test_an_outsider_cannot_revoke_an_invitation_through_their_own_household(client, outsider, world):
    client.force_login(outsider)
    response = client.post(reverse("invite_revoke", args=[world.other_hid, world.token]))
    assert response.status_code in (302, 404)
    assert Invite.objects.filter(token=world.token, used_at__isnull=True).exists()


def test_an_outsider_cannot_start_a_session_with_another_households_animals(client, outsider, world):
    client.force_login(outsider)
    response = client.post(reverse("session_start", args=[world.other_hid]), {"animals": [world.aid]})
    assert response.status_code in (302, 404)
    assert not OpenSession.objects.filter(household__public_id=world.other_hid).exists()


# --- the members page shows invitation links to owners only ------------------------------------


@pytest.mark.parametrize("role, sees_links", [("owner", True), ("carer", False), ("viewer", False)])
def test_only_an_owner_sees_the_invitation_links(client, keepers, world, role, sees_links):
    client.force_login(keepers[role])
    body = client.get(reverse("members", args=[world.hid])).content.decode()
    assert (world.token in body) is sees_links
    assert ("Create invitation link" in body) is sees_links


# --- POST-only actions refuse GET ------------------------------------------------------------


@pytest.mark.parametrize(
    "name, attr",
    [
        ("invite_create", None),
        ("invite_revoke", "token"),
        ("animal_photo_upload", "aid"),
        ("session_start", None),
        ("session_check", "open_sid"),
        ("session_discard", "open_sid"),
        ("quick_log", None),
        ("quick_log_undo", None),
        ("attention_dismiss", None),
    ],
)
def test_post_only_actions_refuse_get(client, owner, world, name, attr):
    client.force_login(owner)
    args = [world.hid] + ([getattr(world, attr)] if attr else [])
    before = db_state()
    assert client.get(reverse(name, args=args)).status_code == 405
    assert db_state() == before


def test_unknown_chart_is_404(client, owner, world):
    client.force_login(owner)
    assert client.get(reverse("animal_chart", args=[world.hid, world.aid, "nope"])).status_code == 404


# --- the matrix covers every route ---------------------------------------------------------------

ACCOUNT_ROUTES = {  # covered in test_accounts.py and test_pages.py
    "home",
    "signup",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "join",
}


# Routes with their own permission matrix elsewhere: tests/data/test_permissions.py
# (calendar, CSV, backups) and tests/api (the token page and the API).
COVERED_ELSEWHERE = {
    "cohorts",  # tests/web/test_cohorts.py: a household's cohorts, its members reading, writers making
    "cohort",
    "cohort_chart",
    "cohort_study",
    "cohort_measure_chart",
    "cohort_sessions",
    "cohort_sessions_parquet",
    # A keeper's own reminders, which any member may set, and the link of a reminder email
    # (no login): tests/web/test_reminders.py.
    "reminders",
    "push_subscribe",
    "push_unsubscribe",
    "unsubscribe",
    "quick_log_undo",  # only the keeper who logged, within a minute: tests/web/test_quick_log.py
    "data",
    "calendar_new",
    "calendar_off",
    "csv_download",
    "backup_download",
    "backup_restore",
    "calendar_feed",
    "api_tokens",
}


def test_the_matrix_covers_every_route(world):
    from django.urls import get_resolver, resolve

    routes = {p.name for p in get_resolver().url_patterns if getattr(p, "name", None)}
    covered = {resolve(case.url(world).split("?")[0]).url_name for case in CASES}
    missing = routes - covered - ACCOUNT_ROUTES - COVERED_ELSEWHERE
    assert not missing, f"routes with no row in the permission matrix: {sorted(missing)}"
