"""Owners restore a backup from the data page. A good file restores in full; a
broken or hostile one shows the reason and changes nothing."""

from __future__ import annotations

import copy
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from gentling.models import Household
from gentling.services import backup, restore
from gentling.services.households import create_household, local_keeper
from tests.backups import households_of
from tests.factories import log
from tests.web.helpers import db_state, messages_of, text

from .helpers import restore_upload, streamed

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(client, owner, household, animals) -> dict:
    log(owner, household, animals, now=timezone.now(), holds=(), notes="Both came to the door")
    client.force_login(owner)
    data = json.loads(streamed(client.get(reverse("backup_download", args=[household.public_id]))))
    client.logout()
    return data


def _emptied():
    """Forget everything but the keepers, as if restoring onto a new machine."""
    Household.objects.all().delete()
    get_user_model().objects.all().delete()


def test_a_good_file_restores_into_an_empty_database(client, exported):
    _emptied()
    home = create_household(keeper=local_keeper("rosa-restorer"), name="Fresh start", time_zone="UTC")
    client.force_login(home.memberships.get().keeper)
    response = restore_upload(client, home, json.dumps(exported))
    assert response.status_code == 302 and response["Location"] == reverse("households")
    restored = Household.objects.get(public_id=exported["households"][0]["id"])
    again = backup.export_households([restored], now=restored.created_at)
    assert households_of(again) == households_of(exported)
    assert [(m.keeper.username, m.role) for m in restored.memberships.all()] == [("rosa-restorer", "owner")]
    page = client.get(response["Location"], follow=True)
    shown = messages_of(page)
    assert any("Restored 1 household(s), 2 animal(s) and 2 session(s)" in m for m in shown)
    assert any(
        "Not restored as members: carl-carer (carer), olive-owner (owner), vera-viewer (viewer)" in m for m in shown
    )


def _hostile(exported: dict) -> dict[str, tuple[bytes, str]]:
    wrong_version = {**exported, "version": 7}
    missing = copy.deepcopy(exported)
    del missing["households"][0]["animals"][0]["species"]
    no_households = {k: v for k, v in exported.items() if k != "households"}
    duplicate = copy.deepcopy(exported)
    duplicate["households"][0]["animals"].append(copy.deepcopy(duplicate["households"][0]["animals"][0]))
    dup_session = copy.deepcopy(exported)
    dup_session["households"][0]["sessions"][1]["id"] = dup_session["households"][0]["sessions"][0]["id"]
    stranger = copy.deepcopy(exported)
    stranger["households"][0]["sessions"][0]["keeper"] = "mallory"
    extra = copy.deepcopy(exported)
    extra["households"][0]["animals"][0]["is_superuser"] = True
    return {
        "wrong-version": (json.dumps(wrong_version).encode(), "version 7 is not supported"),
        "missing-field": (json.dumps(missing).encode(), "not valid at households.0.animals.0.species"),
        "missing-households": (json.dumps(no_households).encode(), "not valid at households"),
        "duplicate-animal-id": (json.dumps(duplicate).encode(), "Duplicate animal id"),
        "duplicate-session-id": (json.dumps(dup_session).encode(), "Duplicate session id"),
        "unknown-keeper": (json.dumps(stranger).encode(), "'mallory', who is not among the keepers"),
        "unknown-field": (json.dumps(extra).encode(), "Extra inputs are not permitted"),
        "not-json": (b"\x89PNG\r\n\x1a\n not a backup", "Invalid JSON"),
        "empty": (b"", "Invalid JSON"),
        "a-list": (b"[1, 2, 3]", "not valid"),
    }


HOSTILE = [
    "wrong-version",
    "missing-field",
    "missing-households",
    "duplicate-animal-id",
    "duplicate-session-id",
    "unknown-keeper",
    "unknown-field",
    "not-json",
    "empty",
    "a-list",
]


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_broken_or_hostile_file_shows_why_and_changes_nothing(client, exported, kind):
    _emptied()
    home = create_household(keeper=local_keeper("rosa-restorer"), name="Fresh start", time_zone="UTC")
    client.force_login(home.memberships.get().keeper)
    content, reason = _hostile(exported)[kind]
    before = db_state()
    response = restore_upload(client, home, content)
    assert response.status_code == 200
    shown = text(response)
    assert "Not restored." in shown
    assert reason in shown, shown[shown.find("Not restored") :][:300]
    assert db_state() == before


def test_a_file_already_restored_is_refused(client, exported, restorer):
    before = db_state()
    response = restore_upload(client, restorer, json.dumps(exported))
    assert "is already in this database" in text(response)
    assert db_state() == before


def test_a_file_over_50_mb_is_refused_before_it_is_read(client, restorer, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("an oversized file reached the import")

    monkeypatch.setattr(restore, "import_backup", must_not_run)
    before = db_state()
    response = restore_upload(client, restorer, b" " * (backup.MAX_BYTES + 1))
    assert response.status_code == 200
    assert "a backup larger than 50 MB is refused" in text(response)
    assert db_state() == before


def test_no_file_is_a_clear_message(client, restorer):
    before = db_state()
    response = client.post(reverse("backup_restore", args=[restorer.public_id]), {})
    assert "Choose a backup file" in text(response)
    assert db_state() == before


@pytest.mark.parametrize("role", ["carer", "viewer"])
def test_carers_and_viewers_cannotrestore_upload(client, keepers, household, exported, role):
    before = db_state()
    client.force_login(keepers[role])
    response = restore_upload(client, household, json.dumps({**exported, "households": []}))
    assert response.status_code == 403
    assert db_state() == before
