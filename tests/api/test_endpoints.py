"""Each endpoint's happy path and its bad input: a clear 4xx JSON answer naming the field,
and nothing stored after a refused write. Households, animals, sessions, today and the vocabulary;
arrivals and backups are in test_endpoints_arrivals.py."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gentling.cli.main import main as cli
from gentling.models import Animal, Session

from .helpers import API, ago, db_state, detail, field, today

pytestmark = pytest.mark.django_db


def refused(response, status: int, field_name: str | None, before: dict, *, words: str = "") -> None:
    """A refused write: the status, the field named, a readable sentence, and nothing changed."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["field"] == field_name, body
    assert len(body["detail"]) > 10 and "Traceback" not in body["detail"]
    assert words.lower() in body["detail"].lower(), body["detail"]
    assert db_state() == before


# --- the acceptance check: "A token can create an animal and log a session with curl" -----------


def test_a_token_can_create_an_animal_and_log_a_session(a, client):
    """As curl would: only an Authorization header and a JSON body."""
    auth = {"HTTP_AUTHORIZATION": f"Bearer {a.carer_token}"}
    hid = client.get(f"{API}/households", **auth).json()["items"][0]["id"]

    created = client.post(
        f"{API}/households/{hid}/animals",
        json.dumps(
            {
                "name": "Crumpet",
                "species": "rat",
                "source": "breeder",
                "sex": "male",
                "arrival_date": (today() - timedelta(days=10)).isoformat(),
            }
        ),
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    animal = created.json()
    assert animal["name"] == "Crumpet" and animal["day_number"] == 10
    assert animal["step"] == "treats-in-cage"
    assert [x["code"] for x in animal["alerts"]] == ["quarantine_started"]  # the household already keeps rats

    logged = client.post(
        f"{API}/households/{hid}/sessions",
        json.dumps(
            {
                "animals": [animal["id"]],
                "started_at": ago(minutes=30),
                "duration_seconds": 600,
                "activities": ["talked", "treat_in_cage"],
                "observations": ["took_treat"],
                "notes": "Calm.",
            }
        ),
        content_type="application/json",
        **auth,
    )
    assert logged.status_code == 201, logged.content
    [session] = logged.json()["sessions"]
    assert session["animal"] == animal["id"] and session["duration_seconds"] == 600
    assert session["keeper"] == "a-carer"

    stored = Session.objects.get(public_id=session["id"])
    assert stored.animal.name == "Crumpet" and stored.activities == ["talked", "treat_in_cage"]
    listed = client.get(f"{API}/households/{hid}/sessions?animal={animal['id']}", **auth).json()
    assert [s["id"] for s in listed["items"]] == [session["id"]]


# --- households ---------------------------------------------------------------------------------


def test_households_lists_the_keepers_households_with_their_role(a, b, api):
    [h] = api.get("/households", token=a.viewer_token).json()["items"]
    assert h == {"id": a.hid, "name": "Maple Street", "time_zone": "UTC", "role": "viewer", "active_animals": 2}


@pytest.mark.parametrize(
    "query, name",
    [
        ("page=0", "page"),
        ("page=10001", "page"),
        ("page=99999999999999999999", "page"),
        ("page=abc", "page"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
    ],
)
def test_page_numbers_and_sizes_are_bounded(a, api, query, name):
    response = api.get(f"/households/{a.hid}/animals?{query}", token=a.owner_token)
    assert response.status_code == 422
    assert field(response) == name
    assert detail(response).startswith(name)


def test_a_page_past_the_end_is_empty(a, api):
    response = api.get(f"/households/{a.hid}/animals?page=10000", token=a.owner_token)
    assert response.json() == {"items": [], "count": 2}


# --- animals ------------------------------------------------------------------------------------


def test_animals_are_paginated_by_name(a, api):
    first = api.get(f"/households/{a.hid}/animals?page_size=1", token=a.viewer_token).json()
    second = api.get(f"/households/{a.hid}/animals?page_size=1&page=2", token=a.viewer_token).json()
    assert first["count"] == second["count"] == 2
    assert [x["name"] for x in first["items"] + second["items"]] == ["Pipkin", "Whiskerina"]
    assert first["items"][0]["step_title"]


def test_animals_filter_by_status(a, api):
    Animal.objects.filter(pk=a.newcomer.pk).update(status="adopted")
    active = api.get(f"/households/{a.hid}/animals?status=active", token=a.owner_token).json()["items"]
    names = [x["name"] for x in active]
    assert names == ["Whiskerina"]
    response = api.get(f"/households/{a.hid}/animals?status=gone", token=a.owner_token)
    assert response.status_code == 400 and field(response) == "status"


def test_an_animal_is_shown_by_its_id(a, api):
    body = api.get(f"/households/{a.hid}/animals/{a.rat.public_id}", token=a.viewer_token).json()
    assert body["name"] == "Whiskerina" and body["cage"] == "Whiskerina's cage" and body["day_number"] == 60


@pytest.mark.parametrize("aid", ["nope", "x" * 500, "a%00b", "..%2F..", "%E2%98%83"])
def test_an_unknown_animal_is_404(a, api, aid):
    response = api.get(f"/households/{a.hid}/animals/{aid}", token=a.owner_token)
    assert response.status_code == 404
    assert response.json()["field"] is None and "Whiskerina" not in detail(response)


ANIMAL = {"name": "Crumpet", "species": "rat", "source": "breeder"}


@pytest.mark.parametrize(
    "change, status, name, words",
    [
        ({"species": "hamster"}, 400, "species", "unknown species"),
        ({"source": "the moon"}, 400, "source", "unknown source"),
        ({"name": "x" * 10_000}, 400, "name", "the limit is 100"),
        ({"name": "   "}, 400, "name", "empty"),
        ({"name": "Tab\tName"}, 400, "name", "control characters"),
        ({"notes": "n" * 2001}, 400, "notes", "the limit is 2000"),
        ({"notes": "nul\u0000byte"}, 400, "body", "NUL"),
        ({"arrival_date": "2026-02-30"}, 422, "arrival_date", "arrival_date is not valid"),
        ({"arrival_date": "yesterday-ish"}, 422, "arrival_date", ""),
        ({"arrival_date": (today() + timedelta(days=3)).isoformat()}, 400, "arrival_date", "in the future"),
        ({"birth_date": (today() + timedelta(days=3)).isoformat()}, 400, "birth_date", "in the future"),
        ({"neutered_on": today().isoformat()}, 400, "neutered_on", "only a male"),
        ({"air_space": "outer space"}, 400, "air_space", "unknown air space"),
        ({"name": None}, 422, "name", ""),
        ({"sex": 12}, 422, "sex", ""),
    ],
)
def test_adding_an_animal_with_bad_input_is_refused_and_stores_nothing(a, api, change, status, name, words):
    before = db_state()
    response = api.post(f"/households/{a.hid}/animals", {**ANIMAL, **change}, token=a.owner_token)
    refused(response, status, name, before, words=words)


def test_adding_an_animal_needs_name_species_and_source(a, api):
    before = db_state()
    response = api.post(f"/households/{a.hid}/animals", {"name": "Crumpet"}, token=a.owner_token)
    refused(response, 422, "species", before, words="species is required")
    assert {p["field"] for p in response.json()["problems"]} == {"species", "source"}


@pytest.mark.parametrize("raw, name", [(b"{not json", "body"), (b"", "body"), (b"[1, 2]", "name"), (b"null", "name")])
def test_a_body_that_is_not_a_json_object_is_refused(a, api, raw, name):
    before = db_state()
    response = api.call("POST", f"/households/{a.hid}/animals", raw=raw, token=a.owner_token)
    assert response.status_code in (400, 422)
    assert field(response) == name
    assert db_state() == before


def test_adding_an_animal_into_an_occupied_cage_is_refused_with_every_reason(a, api):
    before = db_state()
    response = api.post(
        f"/households/{a.hid}/animals", {**ANIMAL, "sex": "male", "cage": "Whiskerina's cage"}, token=a.owner_token
    )
    refused(response, 409, "cage", before)
    codes = {r["code"] for r in response.json()["reasons"]}
    assert {"quarantine_not_finished", "introduction_not_done"} <= codes


def test_editing_an_animal_changes_only_what_is_sent(a, api):
    url = f"/households/{a.hid}/animals/{a.rat.public_id}"
    response = api.patch(
        url, {"notes": "Loves peas.", "birth_date": (today() - timedelta(days=200)).isoformat()}, token=a.carer_token
    )
    assert response.status_code == 200, response.content
    assert response.json()["notes"] == "Loves peas." and response.json()["name"] == "Whiskerina"
    a.rat.refresh_from_db()
    assert a.rat.notes == "Loves peas." and a.rat.birth_date is not None
    cleared = api.patch(url, {"birth_date": None}, token=a.carer_token)
    assert cleared.json()["birth_date"] is None


@pytest.mark.parametrize(
    "change, status, name",
    [
        ({"sex": "sometimes"}, 400, "sex"),
        ({"status": "sleeping"}, 400, "status"),
        ({"name": ""}, 400, "name"),
        ({"arrival_date": today().isoformat()}, 400, "arrival_date"),  # after its first session
        ({"birth_date": "2026-13-01"}, 422, "birth_date"),
        ({"extended_hold_opt_in": "perhaps"}, 422, "extended_hold_opt_in"),
    ],
)
def test_editing_an_animal_with_bad_input_changes_nothing(a, api, change, status, name):
    before = db_state()
    response = api.patch(f"/households/{a.hid}/animals/{a.rat.public_id}", change, token=a.owner_token)
    refused(response, status, name, before)


def test_progress_of_an_animal(a, api):
    body = api.get(f"/households/{a.hid}/animals/{a.rat.public_id}/progress", token=a.viewer_token).json()
    assert body["animal_id"] == a.rat.public_id and body["step_id"] == "treats-in-cage"
    assert body["sessions_counted"] == 1 and body["history"][0]["direction"] == "start"
    earlier = (today() - timedelta(days=30)).isoformat()
    past = api.get(f"/households/{a.hid}/animals/{a.rat.public_id}/progress?date={earlier}", token=a.viewer_token)
    assert past.json()["as_of"] == earlier and past.json()["sessions_counted"] == 0


@pytest.mark.parametrize(
    "value, status",
    [
        ("2026-02-30", 422),
        ("soon", 422),
        ("1900-01-01", 400),
        ("9999-12-31", 400),
    ],
)
def test_progress_refuses_a_bad_date(a, api, value, status):
    response = api.get(f"/households/{a.hid}/animals/{a.rat.public_id}/progress?date={value}", token=a.owner_token)
    assert response.status_code == status and field(response) == "date"


# --- sessions -----------------------------------------------------------------------------------


def session_body(a, **change) -> dict:
    return {
        "animals": [a.rat.public_id],
        "started_at": ago(hours=2),
        "duration_seconds": 600,
        "activities": ["talked", "treat_in_cage"],
        **change,
    }


def test_logging_a_session_returns_it_with_its_alerts(a, api):
    response = api.post(
        f"/households/{a.hid}/sessions", session_body(a, activities=["talked", "petted"]), token=a.owner_token
    )
    assert response.status_code == 201, response.content
    [s] = response.json()["sessions"]
    assert "petting_too_early" in [x["code"] for x in s["alerts"]], s["alerts"]
    assert all(x["level"] in ("stop", "warning", "caution") and x["message"] for x in s["alerts"])
    assert s["step_before"] == s["step_after"] == "treats-in-cage"
    assert Session.objects.get(public_id=s["id"]).alerts == s["alerts"]


def test_logging_an_extended_hold_held_through_fear_returns_a_stop_alert(a, api):
    body = session_body(
        a,
        activities=["talked"],
        observations=["froze", "squeaked"],
        duration_seconds=1800,
        extended_hold_seconds=1500,
        extended_hold_end="completed",
    )
    response = api.post(f"/households/{a.hid}/sessions", body, token=a.owner_token)
    assert response.status_code == 201, response.content
    [s] = response.json()["sessions"]
    (alert,) = [x for x in s["alerts"] if x["code"] == "extended_hold_not_stopped"]
    assert alert["level"] == "stop"
    assert "froze, squeaked or squealed when touched" in alert["message"]
    assert Session.objects.get(public_id=s["id"]).alerts == s["alerts"]


def test_one_sitting_with_two_animals_logs_a_session_for_each(a, api):
    body = session_body(
        a, animals=[a.rat.public_id, a.newcomer.public_id], started_at=ago(hours=1), activities=["talked"]
    )
    sessions = api.post(f"/households/{a.hid}/sessions", body, token=a.owner_token).json()["sessions"]
    assert {s["animal_name"] for s in sessions} == {"Whiskerina", "Pipkin"}
    assert len({s["sitting"] for s in sessions}) == 1


def test_a_session_can_be_given_its_end_instead_of_its_length(a, api):
    start = timezone.now() - timedelta(hours=3)
    body = session_body(
        a, started_at=start.isoformat(), duration_seconds=None, ended_at=(start + timedelta(minutes=7)).isoformat()
    )
    [s] = api.post(f"/households/{a.hid}/sessions", body, token=a.owner_token).json()["sessions"]
    assert s["duration_seconds"] == 420


@pytest.mark.parametrize(
    "change, status, name, words",
    [
        ({"activities": ["juggled"]}, 400, "activities", "unknown activity"),
        ({"observations": ["levitated"]}, 400, "observations", "unknown observation"),
        ({"activities": [], "observations": []}, 400, "activities", "nothing to record"),
        ({"duration_seconds": -60}, 400, "duration_seconds", "ends before it starts"),
        ({"duration_seconds": 0}, 400, "duration_seconds", ""),
        ({"duration_seconds": 10**30}, 400, "duration_seconds", "not plausible"),
        ({"duration_seconds": None}, 400, "duration_seconds", "how long"),
        ({"ended_at": ago(hours=1)}, 400, "ended_at", "not both"),
        ({"started_at": ago(days=-2)}, 400, "started_at", "future"),
        ({"started_at": "2026-02-30T10:00:00"}, 422, "started_at", "started_at is not valid"),
        ({"started_at": "0001-01-01T00:00:00+14:00"}, 400, "started_at", "too far"),
        ({"started_at": "9999-12-31T23:59:59-12:00"}, 400, "started_at", "too far"),
        ({"started_at": ago(days=365)}, 400, "started_at", "arrived on"),
        ({"animals": []}, 400, "animals", "at least one animal"),
        ({"animals": ["no-such-rat"]}, 400, "animals", "no animal with id"),
        ({"animals": ["x"] * 5000}, 400, "animals", "the limit is 100"),
        ({"animals": "Whiskerina"}, 422, "animals", ""),
        ({"holds": [5, "five"]}, 422, "holds.1", ""),
        ({"holds": [-3]}, 400, "holds", "hold '-3': a hold must be more than zero seconds"),
        ({"holds": [10**12]}, 400, "holds", "longer than the session"),
        ({"holds": [1] * 51}, 400, "holds", "too many"),
        ({"extended_hold_seconds": 60}, 400, "extended_hold_end", "how the extended hold ended"),
        ({"extended_hold_seconds": 60, "extended_hold_end": "exploded"}, 400, "extended_hold_end", "unknown"),
        ({"extended_hold_end": "completed"}, 400, "extended_hold_seconds", "without its length"),
        ({"notes": "z" * 2001}, 400, "notes", "the limit is 2000"),
        ({"notes": "\u0000"}, 400, "body", "NUL"),
        ({"surprise": 1}, None, None, ""),  # unknown fields are ignored, as JSON APIs do
    ],
)
def test_logging_a_session_with_bad_input_is_refused_and_stores_nothing(a, api, change, status, name, words):
    before = db_state()
    response = api.post(f"/households/{a.hid}/sessions", session_body(a, **change), token=a.owner_token)
    if status is None:
        assert response.status_code == 201
        return
    refused(response, status, name, before, words=words)


# --- each message names the field it is about, as the web and the command line do -----------------


@pytest.mark.parametrize(
    "change, name, says",
    [
        ({"holds": [-3]}, "holds", "Hold '-3': a hold must be more than zero seconds."),
        ({"holds": [0]}, "holds", "Hold '0': a hold must be more than zero seconds."),
        ({"duration_seconds": 0}, "duration_seconds", "Length: the session ends before it starts"),
        ({"duration_seconds": -300}, "duration_seconds", "Length: the session ends before it starts"),
        ({"started_at": "2026-13-01T10:00:00"}, "started_at", "started_at is not valid"),
        ({"started_at": "1900-01-01T10:00:00"}, "started_at", "started_at 1900-01-01: too far from today"),
    ],
    ids=["negative-hold", "zero-hold", "zero-length", "negative-length", "impossible-date", "far-date"],
)
def test_a_refused_session_names_the_field(a, api, change, name, says):
    response = api.post(f"/households/{a.hid}/sessions", session_body(a, **change), token=a.owner_token)
    assert response.status_code in (400, 422)
    assert (field(response), detail(response)[: len(says)]) == (name, says)


@pytest.mark.parametrize(
    "value, says",
    [
        ("2026-13-01", "date is not valid"),
        ("1066-10-14", "date '1066-10-14': too far from today"),
    ],
)
def test_a_refused_day_names_the_date(a, api, value, says):
    response = api.get(f"/households/{a.hid}/today?date={value}", token=a.viewer_token)
    assert (field(response), detail(response)[: len(says)]) == ("date", says)


def test_an_animal_of_another_household_cannot_be_named_in_a_session(a, b, api):
    before = db_state()
    response = api.post(
        f"/households/{a.hid}/sessions", session_body(a, animals=[b.rat.public_id]), token=a.owner_token
    )
    refused(response, 400, "animals", before, words="no animal with id")
    assert "Zanzibar" not in detail(response)


def test_sessions_are_listed_newest_first_and_filtered(a, api):
    api.post(
        f"/households/{a.hid}/sessions",
        session_body(a, animals=[a.newcomer.public_id], started_at=ago(hours=1)),
        token=a.owner_token,
    )
    url = f"/households/{a.hid}/sessions"
    everything = api.get(url, token=a.viewer_token).json()
    assert everything["count"] == 2
    assert [s["animal_name"] for s in everything["items"]] == ["Pipkin", "Whiskerina"]
    only_rat = api.get(f"{url}?animal={a.rat.public_id}", token=a.viewer_token).json()
    assert [s["id"] for s in only_rat["items"]] == [a.session.public_id]
    yesterday = (today() - timedelta(days=1)).isoformat()
    by_day = api.get(f"{url}?date_from={yesterday}&date_to={yesterday}", token=a.viewer_token).json()
    assert [s["id"] for s in by_day["items"]] == [a.session.public_id]
    assert api.get(f"{url}?date_from=2100-01-01", token=a.viewer_token).json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    "query, status, name",
    [
        ("animal=nobody", 404, None),
        ("date_from=2026-02-30", 422, "date_from"),
        ("date_to=never", 422, "date_to"),
        ("date_from=2026-05-02&date_to=2026-05-01", 400, "date_to"),
    ],
)
def test_session_filters_refuse_bad_values(a, api, query, status, name):
    response = api.get(f"/households/{a.hid}/sessions?{query}", token=a.owner_token)
    assert response.status_code == status and field(response) == name


def test_a_session_is_shown_by_its_id(a, api):
    body = api.get(f"/households/{a.hid}/sessions/{a.session.public_id}", token=a.viewer_token).json()
    assert body["animal"] == a.rat.public_id and body["activities"] == ["talked"] and body["duration_seconds"] == 300
    assert api.get(f"/households/{a.hid}/sessions/nope", token=a.viewer_token).status_code == 404


def test_correcting_a_session_keeps_what_is_not_sent(a, api):
    url = f"/households/{a.hid}/sessions/{a.session.public_id}"
    response = api.patch(url, {"notes": "Actually ten minutes.", "duration_seconds": 600}, token=a.carer_token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["notes"] == "Actually ten minutes." and body["duration_seconds"] == 600
    assert body["activities"] == ["talked"]
    assert body["started_at"] == api.get(url, token=a.owner_token).json()["started_at"]
    a.session.refresh_from_db()
    assert a.session.duration_seconds == 600


@pytest.mark.parametrize(
    "change, status, name",
    [
        ({"activities": ["juggled"]}, 400, "activities"),
        ({"duration_seconds": -1}, 400, "duration_seconds"),
        ({"started_at": ago(days=-1)}, 400, "started_at"),
        ({"holds": "lots"}, 422, "holds"),
        ({"ended_at": "2026-02-30T00:00:00Z"}, 422, "ended_at"),
    ],
)
def test_correcting_a_session_with_bad_input_changes_nothing(a, api, change, status, name):
    before = db_state()
    response = api.patch(f"/households/{a.hid}/sessions/{a.session.public_id}", change, token=a.owner_token)
    refused(response, status, name, before)


def test_deleting_a_session(a, api):
    url = f"/households/{a.hid}/sessions/{a.session.public_id}"
    response = api.delete(url, token=a.carer_token)
    assert response.status_code == 204 and response.content == b""
    assert not Session.objects.filter(pk=a.session.pk).exists()
    assert api.delete(url, token=a.carer_token).status_code == 404


# --- today and the vocabulary -------------------------------------------------------------------


def test_today_plans_each_animal(a, api):
    body = api.get(f"/households/{a.hid}/today", token=a.viewer_token).json()
    assert body["date"] == today().isoformat()
    plans = {p["name"]: p for p in body["animals"]}
    assert set(plans) == {"Whiskerina", "Pipkin"}
    assert plans["Pipkin"]["quarantine"]["days_left"] > 0 and plans["Whiskerina"]["quarantine"] is None
    assert all(t["text"] for p in plans.values() for t in p["tasks"])
    assert body["introductions"][0]["id"] == a.intro.public_id


def test_today_for_another_day(a, api):
    day = (today() - timedelta(days=1)).isoformat()
    body = api.get(f"/households/{a.hid}/today?date={day}", token=a.viewer_token).json()
    assert body["date"] == day
    rat = next(p for p in body["animals"] if p["name"] == "Whiskerina")
    assert rat["sessions_today"] == 1


@pytest.mark.parametrize("value, status", [("2026-02-30", 422), ("tomorrow", 422), ("1066-10-14", 400)])
def test_today_refuses_a_bad_date(a, api, value, status):
    response = api.get(f"/households/{a.hid}/today?date={value}", token=a.viewer_token)
    assert response.status_code == status and field(response) == "date"


def test_todays_plan_is_the_same_as_the_command_lines(a, api, monkeypatch):
    """The same question gets the same answer: `gentling today --json` and GET /today."""
    api.post(f"/households/{a.hid}/sessions", session_body(a, started_at=ago(minutes=20)), token=a.owner_token)
    monkeypatch.setenv("GENTLING_KEEPER", a.viewer.username)
    out = io.StringIO()
    assert cli(["today", "--json", "--household", a.household.name], now=timezone.now(), stdout=out) == 0
    from_cli = json.loads(out.getvalue())
    from_api = api.get(f"/households/{a.hid}/today", token=a.viewer_token).json()
    assert [(p["id"], p["tasks"]) for p in from_api["animals"]] == [(p["id"], p["tasks"]) for p in from_cli["animals"]]
    assert from_api == from_cli
    assert any(t["done_today"] for p in from_api["animals"] for t in p["tasks"])


def test_the_vocabulary(a, api):
    body = api.get("/vocab", token=a.viewer_token).json()
    assert "treat_in_cage" in [x["name"] for x in body["activities"]]
    assert "red_tears" in [x["name"] for x in body["observations"]]
    assert {"normal", "danger"} == {x["kind"] for x in body["introduction_behaviours"]}


# --- reminders ----------------------------------------------------------------------------------


def test_a_keeper_reads_and_changes_their_reminders(a, api):
    url = f"/households/{a.hid}/reminders"
    assert api.call("GET", url, token=a.viewer_token).json() == {
        "at": "18:00",
        "by": "none",
        "about": "all",
        "cares_for": [],
        "time_zone": "UTC",
    }

    changed = api.call(
        "PATCH",
        url,
        token=a.viewer_token,
        json_body={"at": "07:45", "by": "push", "about": "mine", "cares_for": [a.rat.public_id]},
    )

    assert changed.status_code == 200, changed.content
    assert changed.json() == {
        "at": "07:45",
        "by": "push",
        "about": "mine",
        "cares_for": [a.rat.public_id],
        "time_zone": "UTC",
    }
    assert api.call("GET", url, token=a.owner_token).json()["by"] == "none"  # the owner's own are apart


def test_bad_reminders_are_refused_with_the_field(a, api):
    response = api.call("PATCH", f"/households/{a.hid}/reminders", token=a.owner_token, json_body={"at": "25:61"})

    assert response.status_code == 400
    assert response.json()["field"] == "at" and "hours and minutes" in response.json()["detail"]
