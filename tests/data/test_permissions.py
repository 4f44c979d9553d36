"""Who may use the data page and its actions:

- anonymous: a redirect to the login page;
- outsider: 404, never a name from the household;
- viewer and carer: the page, their own calendar link and the CSVs; a backup 403;
- owner: everything, backups included (they hold every member's password hash).
The calendar feed itself needs no login: its token is the secret (test_calendar_links.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gentling.models import CalendarFeed
from tests.web.helpers import db_state, visible_names

from .conftest import ROLES

HOUSEHOLD_NAMES = ["Whiskers", "Pip", "Maple Street", "Top Deck"]
MEMBERS, OWNER_ONLY = {"owner", "carer", "viewer"}, {"owner"}


def _bad_backup() -> dict:
    return {
        "backup": SimpleUploadedFile(
            "b.json", b'{"format": "gentling-backup", "version": 99}', content_type="application/json"
        )
    }


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    url: Callable[[str], str]
    allowed: set[str]
    ok: int
    data: Callable[[], dict] | None = None
    content_type: str | None = None
    streaming: bool = False


def _h(name, *extra):
    return lambda hid: reverse(name, args=[hid, *extra])


CASES = [
    Case("page", "GET", _h("data"), MEMBERS, 200, content_type="text/html; charset=utf-8"),
    Case("calendar-new", "POST", _h("calendar_new"), MEMBERS, 302),
    Case("calendar-off", "POST", _h("calendar_off"), MEMBERS, 302),
    Case(
        "csv-sessions",
        "GET",
        _h("csv_download", "sessions"),
        MEMBERS,
        200,
        content_type="text/csv; charset=utf-8",
        streaming=True,
    ),
    Case(
        "csv-meetings",
        "GET",
        _h("csv_download", "meetings"),
        MEMBERS,
        200,
        content_type="text/csv; charset=utf-8",
        streaming=True,
    ),
    Case(
        "backup-download",
        "GET",
        _h("backup_download"),
        OWNER_ONLY,
        200,
        content_type="application/json; charset=utf-8",
        streaming=True,
    ),
    # A refused file shows the page again with the reason (200); see test_backup_restore.py.
    Case("backup-restore", "POST", _h("backup_restore"), OWNER_ONLY, 200, _bad_backup),
]


def expected_status(case: Case, role: str) -> int:
    if role == "anonymous":
        return 302
    if role in case.allowed:
        return case.ok
    return 404 if role == "outsider" else 403


@pytest.mark.django_db
@pytest.mark.parametrize("case, role", [pytest.param(c, r, id=f"{c.id}-{r}") for c in CASES for r in ROLES])
def test_data_permission_matrix(client, keepers, household, other_household, animals, case, role):
    if keepers[role] is not None:
        client.force_login(keepers[role])
    before, feeds_before = db_state(), list(CalendarFeed.objects.values_list("token", "revoked_at"))
    url = case.url(household.public_id)
    response = client.get(url) if case.method == "GET" else client.post(url, case.data() if case.data else {})
    expected = expected_status(case, role)
    assert response.status_code == expected, f"{case.method} {url} as {role}"
    body = b"".join(response.streaming_content) if response.streaming else response.content

    assert db_state() == before
    if role not in case.allowed or role == "anonymous":
        assert list(CalendarFeed.objects.values_list("token", "revoked_at")) == feeds_before
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
    if role == "outsider":
        assert visible_names(body.decode(errors="replace"), HOUSEHOLD_NAMES) == []
    if expected == 200 and role in case.allowed:
        if case.content_type:
            assert response["Content-Type"] == case.content_type
        assert response.streaming is case.streaming
    if role in MEMBERS:
        assert visible_names(body.decode(errors="replace"), ["Zanzibar", "Elsewhere"]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role, sees_backup", [("owner", True), ("carer", False), ("viewer", False)])
def test_only_an_owner_is_offered_backups_and_the_others_are_told_why(client, keepers, household, role, sees_backup):
    client.force_login(keepers[role])
    body = client.get(reverse("data", args=[household.public_id])).content.decode()
    assert ("Download full backup (JSON)" in body) is sees_backup
    assert ("Restore a backup" in body) is sees_backup
    assert ("Only an owner can download or restore a backup" in body) is not sees_backup


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["calendar_new", "calendar_off", "backup_restore"])
def test_actions_refuse_get(client, owner, household, name):
    client.force_login(owner)
    assert client.get(reverse(name, args=[household.public_id])).status_code == 405
    assert not CalendarFeed.objects.exists()


@pytest.mark.django_db
def test_an_unknown_export_is_404(client, owner, household):
    client.force_login(owner)
    assert client.get(reverse("csv_download", args=[household.public_id, "passwords"])).status_code == 404


@pytest.mark.django_db
def test_the_people_page_links_to_the_data_page(client, viewer, household):
    client.force_login(viewer)
    body = client.get(reverse("members", args=[household.public_id])).content.decode()
    assert reverse("data", args=[household.public_id]) in body
