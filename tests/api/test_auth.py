"""Who may call the API: a personal token (Authorization: Bearer ...) or a logged-in browser session.
And the token page, where a keeper makes, sees and revokes their tokens."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from gentling.models import ApiToken
from gentling.services.api_tokens import revoke_token

from .helpers import API, Api, db_state, detail

pytestmark = pytest.mark.django_db


def test_without_a_token_every_request_is_refused_with_401(a, api):
    for method, path in [
        ("GET", "/households"),
        ("GET", f"/households/{a.hid}/animals"),
        ("POST", f"/households/{a.hid}/animals"),
        ("GET", "/vocab"),
    ]:
        response = api.call(method, path, json_body={} if method == "POST" else None)
        assert response.status_code == 401, path
        assert response.json()["field"] is None
        assert "Authorization: Bearer" in detail(response)
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer gnt_not-a-real-token", "Bearer ", "Bearer " + "x" * 5000, "Basic dXNlcjpwYXNz", "gnt_without-a-scheme"],
)
def test_a_bad_or_malformed_token_is_401(a, api, header):
    response = api.client.get(f"{API}/households", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_token_works_and_records_when_it_was_last_used(a, api):
    token = ApiToken.objects.get(keeper=a.owner)
    assert token.last_used_at is None
    response = api.get("/households", token=a.owner_token)
    assert response.status_code == 200
    assert [h["name"] for h in response.json()["items"]] == ["Maple Street"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_401(a, api):
    token = ApiToken.objects.get(keeper=a.owner)
    revoke_token(keeper=a.owner, token_id=token.pk, now=timezone.now())
    response = api.get("/households", token=a.owner_token)
    assert response.status_code == 401
    assert "revoked" in detail(response)


def test_a_disabled_keepers_token_is_401(a, api):
    a.owner.is_active = False
    a.owner.save()
    assert api.get("/households", token=a.owner_token).status_code == 401


def test_a_token_acts_with_its_keepers_own_households_only(a, b, api):
    names = [h["name"] for h in api.get("/households", token=b.viewer_token).json()["items"]]
    assert names == ["Elsewhere"]
    assert api.get("/households", token=b.viewer_token).json()["items"][0]["role"] == "viewer"


def test_a_wrong_token_is_refused_even_when_a_session_is_logged_in(a, api):
    api.client.force_login(a.owner)
    assert api.get("/households").status_code == 200
    assert api.get("/households", token="gnt_wrong").status_code == 401


def test_a_logged_in_browser_session_reads_and_writes_with_its_csrf_token(a):
    browser = Api(Client(enforce_csrf_checks=True))
    browser.client.force_login(a.owner)
    assert browser.get(f"/households/{a.hid}/animals").status_code == 200

    body = {"name": "Biscuit", "species": "rat", "source": "breeder"}
    before = db_state()
    refused = browser.post(f"/households/{a.hid}/animals", body)
    assert refused.status_code == 403
    assert "CSRF" in detail(refused)
    assert db_state() == before

    browser.client.get("/account/tokens/")  # any page with a form sets the CSRF cookie
    csrf = browser.client.cookies["csrftoken"].value
    created = browser.post(f"/households/{a.hid}/animals", body, HTTP_X_CSRFTOKEN=csrf)
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "Biscuit"


def test_a_form_post_from_a_browser_session_is_refused_as_not_json(a):
    """Found by probing: the session's CSRF check read the form, then reading the body failed (a 500)."""
    browser = Api(Client(enforce_csrf_checks=True))
    browser.client.force_login(a.owner)
    browser.client.get("/account/tokens/")
    csrf = browser.client.cookies["csrftoken"].value
    before = db_state()
    for content_type in ("multipart/form-data; boundary=BoUnDaRy", "application/x-www-form-urlencoded"):
        body = (
            b'--BoUnDaRy\r\nContent-Disposition: form-data; name="name"\r\n\r\nBiscuit\r\n--BoUnDaRy--\r\n'
            if content_type.startswith("multipart")
            else b"name=Biscuit"
        )
        response = browser.client.generic(
            "POST", f"{API}/households/{a.hid}/animals", body, content_type=content_type, HTTP_X_CSRFTOKEN=csrf
        )
        assert response.status_code == 400, response.content
        assert response.json()["field"] == "body"
    assert db_state() == before


def test_a_token_needs_no_csrf_token_for_writes(a):
    script = Api(Client(enforce_csrf_checks=True))
    response = script.post(
        f"/households/{a.hid}/animals", {"name": "Biscuit", "species": "rat", "source": "breeder"}, token=a.owner_token
    )
    assert response.status_code == 201


def test_the_docs_and_schema_are_served_without_a_token(api):
    schema = api.get("/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/households/{hid}/sessions" in schema.json()["paths"]
    docs = api.get("/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content  # served locally, no CDN
    assert api.client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


# --- the token page ----------------------------------------------------------------------------

PAGE = "/account/tokens/"


def test_the_token_page_needs_a_login(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_new_token_is_shown_once_in_full_and_only_its_hash_is_stored(a, client):
    client.force_login(a.carer)
    response = client.post(PAGE, {"name": "My script"})
    assert response.status_code == 200
    body = response.content.decode()
    raw = re.search(r'value="(gnt_[A-Za-z0-9_-]+)"', body).group(1)
    assert "shown only this once" in body

    token = ApiToken.objects.get(keeper=a.carer, name="My script")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12]
    assert raw not in repr(db_state())  # the token itself is nowhere in the database

    listing = client.get(PAGE).content.decode()
    assert raw not in listing
    assert "My script" in listing and token.prefix in listing
    assert "never" in listing  # not used yet

    assert Api().get("/households", token=raw).status_code == 200
    assert "never" not in client.get(PAGE).content.decode().split("My script")[1].split("</tr>")[0]


def test_the_token_page_lists_only_the_keepers_own_tokens(a, b, client):
    client.force_login(a.owner)
    body = client.get(PAGE).content.decode()
    mine = ApiToken.objects.get(keeper=a.owner)
    theirs = ApiToken.objects.get(keeper=b.owner)
    assert f'value="{mine.pk}"' in body
    assert f'value="{theirs.pk}"' not in body


def test_revoking_a_token_on_the_page_stops_it_working(a, client, api):
    client.force_login(a.owner)
    token = ApiToken.objects.get(keeper=a.owner)
    response = client.post(PAGE, {"revoke": token.pk}, follow=True)
    assert "no longer works" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/households", token=a.owner_token).status_code == 401
    assert "revoked" in client.get(PAGE).content.decode()


def test_a_keeper_cannot_revoke_someone_elses_token(a, b, client, api):
    client.force_login(a.owner)
    theirs = ApiToken.objects.get(keeper=b.owner)
    for value in [theirs.pk, "not-a-number"]:
        response = client.post(PAGE, {"revoke": value}, follow=True)
        assert "No such token" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert api.get("/households", token=b.owner_token).status_code == 200


@pytest.mark.parametrize("name, message", [("", "required"), ("   ", "required"), ("x" * 150, "the limit is 100")])
def test_a_token_needs_a_sensible_name(a, client, name, message):
    client.force_login(a.owner)
    before = ApiToken.objects.count()
    response = client.post(PAGE, {"name": name})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "shown only this once" not in response.content.decode()
    assert ApiToken.objects.count() == before


def test_the_people_page_links_to_the_token_page(a, client):
    client.force_login(a.viewer)
    assert PAGE in client.get(f"/h/{a.hid}/people/").content.decode()
