"""POST /households/import applies the one restore rule (services/restore.py): the
probe that reached another keeper's account through a backup gets nowhere."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from gentling.models import Household, Membership
from tests.backups import deeply_nested, probe_backup
from tests.factories import make_token

from .helpers import db_state


@pytest.fixture
def mallory(db):
    from gentling.services.households import local_keeper

    return local_keeper("mallory")


def test_the_probe_never_reaches_the_victims_account(a, b, api, mallory):
    victim = b.owner
    victim.set_password("victim's own long password")
    victim.email = "victim@example.org"
    victim.save()
    token = make_token(mallory, now=timezone.now())
    response = api.post("/households/import", probe_backup(members={victim.username: "owner"}), token=token)
    assert response.status_code == 201, response.content
    assert f"{victim.username} (owner)" in response.json()["note"]
    restored = Household.objects.get(public_id="probe-home")
    assert list(Membership.objects.filter(household=restored).values_list("keeper__username", "role")) == [
        ("mallory", "owner")
    ]
    export = api.get("/households/probe-home/export", token=token)
    assert export.status_code == 200
    body = json.dumps(export.json())
    assert victim.password not in body and victim.email not in body
    # The victim's own households are as they were, and theirs alone.
    assert api.get("/households/probe-home/animals", token=b.owner_token).status_code == 404


def test_an_export_never_holds_a_password_hash(a, api):
    body = json.dumps(api.get(f"/households/{a.hid}/export", token=a.owner_token).json())
    assert '"password"' not in body and '"email"' not in body
    for keeper in (a.owner, a.carer, a.viewer):
        assert keeper.password not in body


def test_a_bad_id_is_refused_by_name_and_nothing_is_stored(a, api):
    backup = probe_backup(members={"a-owner": "owner"})
    backup["households"][0]["id"] = "h/../x"
    before = db_state()
    response = api.post("/households/import", backup, token=a.owner_token)
    assert response.status_code == 400
    assert "the id 'h/../x' is not a Gentling id" in response.json()["detail"]
    assert db_state() == before
    assert api.get("/households", token=a.owner_token).status_code == 200


def test_deep_nesting_is_refused_with_a_400(a, api):
    before = db_state()
    response = api.call("POST", "/households/import", raw=deeply_nested(), token=a.owner_token)
    assert response.status_code == 400
    assert "nests lists or objects more than 12 deep" in response.json()["detail"]
    assert db_state() == before


@pytest.mark.parametrize("who", ["carer", "viewer"])
def test_a_carer_or_viewer_cannot_restore_over_the_household(a, api, who):
    backup = api.get(f"/households/{a.hid}/export", token=a.owner_token).json()
    before = db_state()
    response = api.post("/households/import?replace=true", backup, token=getattr(a, f"{who}_token"))
    assert response.status_code == 403
    assert "only an owner can restore over it" in response.json()["detail"]
    assert db_state() == before


def test_an_outsider_cannot_restore_over_another_household(a, b, api):
    backup = api.get(f"/households/{a.hid}/export", token=a.owner_token).json()
    before = db_state()
    response = api.post("/households/import?replace=true", backup, token=b.owner_token)
    assert response.status_code == 403
    assert db_state() == before


def test_an_owner_restores_over_the_household_when_asked(a, api):
    backup = api.get(f"/households/{a.hid}/export", token=a.owner_token).json()
    response = api.post("/households/import?replace=true", backup, token=a.owner_token)
    assert response.status_code == 201, response.content
    assert response.json()["note"] is None
    assert api.get(f"/households/{a.hid}/animals", token=a.viewer_token).status_code == 200


def test_restoring_needs_a_login(a, api):
    response = api.post("/households/import", probe_backup(members={"x": "owner"}))
    assert response.status_code == 401
