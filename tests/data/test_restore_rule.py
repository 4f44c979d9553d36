"""The web app's restore applies the one restore rule (services/restore.py)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gentling.models import Household, Membership
from tests.backups import deeply_nested, probe_backup
from tests.web.helpers import db_state, messages_of, text

from .helpers import restore_upload, streamed

pytestmark = pytest.mark.django_db


def test_the_probe_never_reaches_the_victims_account(client, owner, household, restorer):
    owner.set_password("olive's own long password")
    owner.email = "olive@example.org"
    owner.save()
    response = restore_upload(client, restorer, json.dumps(probe_backup(members={"olive-owner": "owner"}, version=1)))
    assert response.status_code == 302
    assert any("Not restored as members: olive-owner (owner)" in m for m in messages_of(client.get("/", follow=True)))
    restored = Household.objects.get(public_id="probe-home")
    assert list(Membership.objects.filter(household=restored).values_list("keeper__username", flat=True)) == [
        "rosa-restorer"
    ]
    body = streamed(client.get(reverse("backup_download", args=["probe-home"]))).decode()
    assert owner.password not in body and "olive@example.org" not in body
    owner.refresh_from_db()
    assert owner.check_password("olive's own long password")


def test_a_bad_id_is_refused_by_name(client, restorer):
    backup = probe_backup(members={"rosa-restorer": "owner"})
    backup["households"][0]["id"] = "h/../x"
    before = db_state()
    response = restore_upload(client, restorer, json.dumps(backup))
    assert "the id 'h/../x' is not a Gentling id" in text(response)
    assert db_state() == before
    assert client.get(reverse("households")).status_code == 200


def test_deep_nesting_is_refused(client, restorer):
    before = db_state()
    response = restore_upload(client, restorer, deeply_nested())
    assert "nests lists or objects more than 12 deep" in text(response)
    assert db_state() == before


def test_an_outsider_cannot_restore_over_another_household(client, owner, household, restorer):
    client.force_login(owner)
    backup = streamed(client.get(reverse("backup_download", args=[household.public_id])))
    client.force_login(restorer.memberships.get().keeper)
    before = db_state()
    response = restore_upload(client, restorer, backup, replace="on")
    assert "is already in this database, and it is not yours" in text(response)
    assert db_state() == before


def test_an_owner_restores_over_the_household_when_asked(client, owner, household, animals):
    client.force_login(owner)
    backup = streamed(client.get(reverse("backup_download", args=[household.public_id])))
    refused = restore_upload(client, household, backup)
    assert "Restoring over it replaces its animals and sessions" in text(refused)
    replaced = restore_upload(client, household, backup, replace="on")
    assert replaced.status_code == 302
    assert Household.objects.get(public_id=household.public_id).memberships.count() == 3
