"""Owners download a full JSON backup of the household from the data page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.web.helpers import log

pytestmark = pytest.mark.django_db


def test_an_owner_downloads_this_households_backup(client, owner, household, other_household, animals):
    log(owner, household, animals)
    client.force_login(owner)
    response = client.get(reverse("backup_download", args=[household.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="gentling-maple-street-backup-')
    data = json.loads(response.content)
    assert (data["format"], data["version"]) == ("gentling-backup", 1)
    assert [h["id"] for h in data["households"]] == [household.public_id]
    assert sorted(a["name"] for a in data["households"][0]["animals"]) == ["Pip", "Whiskers"]
    assert len(data["households"][0]["sessions"]) == 2
    assert sorted(k["username"] for k in data["keepers"]) == ["carl-carer", "olive-owner", "vera-viewer"]
    assert "Zanzibar" not in response.content.decode()


@pytest.mark.parametrize("role", ["carer", "viewer"])
def test_carers_and_viewers_are_refused_because_of_the_password_hashes(client, keepers, household, animals, role):
    client.force_login(keepers[role])
    response = client.get(reverse("backup_download", args=[household.public_id]))
    assert response.status_code == 403
    assert b"gentling-backup" not in response.content
    assert keepers["owner"].password.encode() not in response.content


def test_an_outsider_gets_404(client, outsider, household, animals):
    client.force_login(outsider)
    assert client.get(reverse("backup_download", args=[household.public_id])).status_code == 404
