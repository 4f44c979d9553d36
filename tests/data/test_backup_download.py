"""Owners download a full JSON backup of the household from the data page."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.services.backup import export_households
from tests.factories import log

from .helpers import streamed

pytestmark = pytest.mark.django_db


def test_an_owner_downloads_this_households_backup(client, owner, household, other_household, animals):
    log(owner, household, animals, now=timezone.now())
    client.force_login(owner)
    response = client.get(reverse("backup_download", args=[household.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="gentling-maple-street-backup-')
    assert response.streaming  # a rescue's backup runs to hundreds of MB
    body = streamed(response)
    data = json.loads(body)
    assert (data["format"], data["version"], data["scope"]) == ("gentling-backup", 2, "households")
    assert [h["id"] for h in data["households"]] == [household.public_id]
    assert sorted(a["name"] for a in data["households"][0]["animals"]) == ["Pip", "Whiskers"]
    assert len(data["households"][0]["sessions"]) == 2
    assert data["keepers"] == [{"username": name} for name in ["carl-carer", "olive-owner", "vera-viewer"]]
    assert "Zanzibar" not in body.decode()


def test_a_backup_never_carries_a_password_hash_or_an_email(client, keepers, household, animals):
    for keeper in keepers.values():
        if keeper is not None:
            keeper.set_password("a long enough password 1")
            keeper.email = f"{keeper.username}@example.org"
            keeper.save()
    client.force_login(keepers["owner"])
    body = streamed(client.get(reverse("backup_download", args=[household.public_id]))).decode()
    assert "@example.org" not in body and '"password"' not in body and '"email"' not in body
    for keeper in keepers.values():
        if keeper is not None:
            assert keeper.password not in body


def test_the_streamed_download_is_the_text_a_single_json_dump_would_write(client, owner, household, animals):
    """Written in pieces, but byte for byte the indented JSON of the whole backup."""
    log(owner, household, animals, now=timezone.now(), notes="Pip — first “hello” 🐭")
    client.force_login(owner)
    body = streamed(client.get(reverse("backup_download", args=[household.public_id]))).decode()
    data = json.loads(body)
    again = export_households([household], now=datetime.fromisoformat(data["exported_at"]))
    assert body == json.dumps(again, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("role", ["carer", "viewer"])
def test_carers_and_viewers_cannot_download_a_backup(client, keepers, household, animals, role):
    client.force_login(keepers[role])
    response = client.get(reverse("backup_download", args=[household.public_id]))
    assert response.status_code == 403
    assert b"gentling-backup" not in response.content
    assert keepers["owner"].password.encode() not in response.content


def test_an_outsider_gets_404(client, outsider, household, animals):
    client.force_login(outsider)
    assert client.get(reverse("backup_download", args=[household.public_id])).status_code == 404
