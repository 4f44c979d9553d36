"""Cages and guarded moves, quarantines and health checks, introductions and meetings, and backups:
each endpoint's happy path, and bad input refused with a clear 4xx JSON answer that changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from gentling.models import CageStay, HealthCheck, Household, Introduction, IntroductionMeeting
from tests.factories import make_animal

from .helpers import ago, db_state, detail, today
from .test_endpoints import refused

pytestmark = pytest.mark.django_db


# --- cages and moves ----------------------------------------------------------------------------


def test_cages_list_who_lives_where(a, api):
    body = api.get(f"/households/{a.hid}/cages", token=a.viewer_token).json()
    assert {c["name"]: [x["name"] for x in c["animals"]] for c in body["items"]} == {
        "Big Cage": [],
        "Whiskerina's cage": ["Whiskerina"],
    }


def test_moving_an_animal_into_a_new_cage_and_out_again(a, api):
    url = f"/households/{a.hid}/animals/{a.rat.public_id}/move"
    moved = api.post(url, {"cage": "Annex"}, token=a.carer_token)
    assert moved.status_code == 200, moved.content
    assert moved.json() == {"animal": a.rat.public_id, "cage": "Annex", "alerts": []}
    a.rat.refresh_from_db()
    assert a.rat.cage.name == "Annex"
    out = api.post(url, {"cage": ""}, token=a.carer_token).json()
    assert out["cage"] is None


def test_a_guarded_move_is_refused_with_every_reason(a, api):
    before = db_state()
    response = api.post(
        f"/households/{a.hid}/animals/{a.newcomer.public_id}/move", {"cage": "Whiskerina's cage"}, token=a.owner_token
    )
    refused(response, 409, "cage", before, words="override")
    reasons = response.json()["reasons"]
    assert {r["code"] for r in reasons} == {"quarantine_not_finished", "introduction_not_done"}
    assert all(r["message"] in detail(response) for r in reasons)


def test_an_owner_can_override_a_refused_move_with_a_reason(a, api):
    response = api.post(
        f"/households/{a.hid}/animals/{a.newcomer.public_id}/move",
        {"cage": "Whiskerina's cage", "override_reason": "The vet says they are littermates."},
        token=a.owner_token,
    )
    assert response.status_code == 200, response.content
    assert {x["level"] for x in response.json()["alerts"]} == {"warning"}
    stay = CageStay.objects.get(animal=a.newcomer)
    assert stay.override_reason.startswith("The vet") and "quarantine_not_finished" in stay.overridden


def test_only_an_owner_can_override(a, api):
    before = db_state()
    response = api.post(
        f"/households/{a.hid}/animals/{a.newcomer.public_id}/move",
        {"cage": "Whiskerina's cage", "override_reason": "Trust me."},
        token=a.carer_token,
    )
    refused(response, 403, None, before, words="only an owner")


@pytest.mark.parametrize(
    "body, status, name",
    [
        ({"cage": "c" * 101}, 400, "cage"),
        ({"cage": "bad\u0001name"}, 400, "cage"),
        ({}, 422, "cage"),
        ({"cage": None}, 422, "cage"),
        ({"cage": "Whiskerina's cage", "override_reason": "r" * 2001}, 400, "override_reason"),
    ],
)
def test_a_move_with_bad_input_changes_nothing(a, api, body, status, name):
    before = db_state()
    response = api.post(f"/households/{a.hid}/animals/{a.newcomer.public_id}/move", body, token=a.owner_token)
    refused(response, status, name, before)


# --- quarantine and health checks ---------------------------------------------------------------


def test_quarantines_list_the_newcomer(a, api):
    [q] = api.get(f"/households/{a.hid}/quarantines", token=a.viewer_token).json()["items"]
    assert q["animal"] == a.newcomer.public_id and q["days_left"] > 0 and q["air_space"] == "another_room"


def test_a_health_check_records_signs_and_an_illness_sign_marks_the_quarantine(a, api):
    url = f"/households/{a.hid}/animals/{a.newcomer.public_id}/health-checks"
    well = api.post(url, {}, token=a.carer_token)
    assert well.status_code == 201, well.content
    assert well.json()["signs"] == [] and well.json()["day"] == today().isoformat()
    ill = api.post(url, {"signs": ["red_tears"], "notes": "Both eyes."}, token=a.carer_token).json()
    assert ill["signs"] == ["red_tears"] and ill["quarantine_ends_on"] >= well.json()["quarantine_ends_on"]
    [q] = api.get(f"/households/{a.hid}/quarantines", token=a.viewer_token).json()["items"]
    assert q["last_sign_on"] == today().isoformat()
    assert HealthCheck.objects.filter(animal=a.newcomer).count() == 2


@pytest.mark.parametrize(
    "body, status, name, words",
    [
        ({"signs": ["glowing"]}, 400, "signs", "unknown health sign"),
        ({"signs": ["took_treat"]}, 400, "signs", "unknown health sign"),
        ({"day": (today() + timedelta(days=1)).isoformat()}, 400, "day", "future"),
        ({"day": (today() - timedelta(days=10)).isoformat()}, 400, "day", "arrived on"),
        ({"day": "2026-02-30"}, 422, "day", ""),
        ({"day": "1815-06-18"}, 400, "day", "too far"),
        ({"notes": "n" * 2001}, 400, "notes", "limit"),
        ({"signs": "sneezing"}, 422, "signs", ""),
    ],
)
def test_a_health_check_with_bad_input_stores_nothing(a, api, body, status, name, words):
    before = db_state()
    response = api.post(f"/households/{a.hid}/animals/{a.newcomer.public_id}/health-checks", body, token=a.owner_token)
    refused(response, status, name, before, words=words)


# --- introductions ------------------------------------------------------------------------------


def test_introductions_list_and_detail(a, api):
    [intro] = api.get(f"/households/{a.hid}/introductions", token=a.viewer_token).json()["items"]
    assert intro["id"] == a.intro.public_id and intro["stage"] == "scent-swap"
    assert intro["waiting_until"] and [n["name"] for n in intro["newcomers"]] == ["Pipkin"]
    detail_ = api.get(f"/households/{a.hid}/introductions/{a.intro.public_id}", token=a.viewer_token).json()
    assert detail_["meetings"] == [] and detail_["cage"] == "Big Cage"
    assert api.get(f"/households/{a.hid}/introductions/nope", token=a.viewer_token).status_code == 404


def test_starting_an_introduction(a, api):
    body = {"newcomers": [a.newcomer.public_id], "residents": [a.rat.public_id], "cage": "Palace"}
    response = api.post(f"/households/{a.hid}/introductions", body, token=a.carer_token)
    assert response.status_code == 201, response.content
    assert response.json()["cage"] == "Palace" and response.json()["meetings"] == []
    assert Introduction.objects.filter(household=a.household).count() == 2


@pytest.mark.parametrize(
    "make, status, name, words",
    [
        (lambda a, m: {"newcomers": [a.rat.public_id], "residents": [a.rat.public_id]}, 400, "animals", "both"),
        (lambda a, m: {"newcomers": [], "residents": [a.rat.public_id]}, 400, "animals", "at least one"),
        (lambda a, m: {"newcomers": ["ghost"], "residents": [a.rat.public_id]}, 400, "newcomers", "no animal"),
        (lambda a, m: {"newcomers": [m.public_id], "residents": [a.rat.public_id]}, 400, "animals", "rats and mice"),
        (
            lambda a, m: {"newcomers": [a.newcomer.public_id], "residents": [a.rat.public_id], "cage": "c" * 200},
            400,
            "cage",
            "limit",
        ),
        (lambda a, m: {"newcomers": a.newcomer.public_id, "residents": [a.rat.public_id]}, 422, "newcomers", ""),
    ],
)
def test_starting_an_introduction_with_bad_input_stores_nothing(a, api, make, status, name, words):
    mouse = make_animal(a.household, today=today(), name="Squeak", days_ago=30, species="mouse", source="breeder")
    before = db_state()
    response = api.post(f"/households/{a.hid}/introductions", make(a, mouse), token=a.owner_token)
    refused(response, status, name, before, words=words)


@pytest.fixture
def ready(a, api):
    """An introduction between two rats long out of quarantine: meetings may start."""
    nutmeg = make_animal(a.household, today=today(), name="Nutmeg", days_ago=60, sex="female")
    body = {"newcomers": [nutmeg.public_id], "residents": [a.rat.public_id]}
    return api.post(f"/households/{a.hid}/introductions", body, token=a.owner_token).json()["id"]


def test_logging_meetings_and_a_danger_sign(a, api, ready):
    url = f"/households/{a.hid}/introductions/{ready}/meetings"
    calm = api.post(url, {"duration_seconds": 900, "behaviours": ["sniffing", "pinning"]}, token=a.carer_token)
    assert calm.status_code == 201, calm.content
    assert calm.json()["alerts"] == []
    danger = api.post(
        url, {"duration_seconds": 300, "started_at": ago(minutes=5), "behaviours": ["blood"]}, token=a.carer_token
    ).json()
    assert [(x["code"], x["level"]) for x in danger["alerts"]] == [("separate_now", "stop")]
    meetings = api.get(f"/households/{a.hid}/introductions/{ready}", token=a.viewer_token).json()["meetings"]
    assert [m["behaviours"] for m in meetings] == [["sniffing", "pinning"], ["blood"]]


@pytest.mark.parametrize(
    "body, status, name, words",
    [
        ({"duration_seconds": 600, "behaviours": ["waltzing"]}, 400, "behaviours", "unknown behaviour"),
        ({"duration_seconds": 0}, 400, "duration_seconds", "Length: a meeting must last more than zero seconds"),
        ({"duration_seconds": -600}, 400, "duration_seconds", "Length: a meeting must last more than zero seconds"),
        ({"duration_seconds": 10**15}, 400, "duration_seconds", "12 hours"),
        ({"duration_seconds": 600, "started_at": ago(days=-1)}, 400, "started_at", "future"),
        ({"duration_seconds": 600, "started_at": "2026-02-30T10:00:00"}, 422, "started_at", ""),
        ({"duration_seconds": 600, "notes": "n" * 2001}, 400, "notes", "limit"),
        ({"behaviours": ["sniffing"]}, 422, "duration_seconds", "required"),
    ],
)
def test_a_meeting_with_bad_input_stores_nothing(a, api, ready, body, status, name, words):
    before = db_state()
    response = api.post(f"/households/{a.hid}/introductions/{ready}/meetings", body, token=a.owner_token)
    refused(response, status, name, before, words=words)


def test_no_meetings_before_the_quarantine_ends(a, api):
    before = db_state()
    response = api.post(
        f"/households/{a.hid}/introductions/{a.intro.public_id}/meetings",
        {"duration_seconds": 600},
        token=a.owner_token,
    )
    refused(response, 400, "started_at", before, words="quarantine runs until")
    assert not IntroductionMeeting.objects.exists()


def test_recording_that_the_shared_cage_was_cleaned(a, api):
    url = f"/households/{a.hid}/introductions/{a.intro.public_id}/cleaned"
    response = api.call("POST", url, raw=b"", token=a.carer_token)
    assert response.status_code == 200, response.content
    assert response.json() == {"id": a.intro.public_id, "cage_cleaned_on": today().isoformat()}
    assert api.post(url, {"day": today().isoformat()}, token=a.carer_token).status_code == 200
    a.intro.refresh_from_db()
    assert a.intro.cage_cleaned_on == today()


@pytest.mark.parametrize(
    "day, status, words",
    [
        ("2026-02-30", 422, ""),
        ("0001-01-01", 400, "too far"),
        ((today() + timedelta(days=1)).isoformat(), 400, "future"),
        ((today() - timedelta(days=1)).isoformat(), 400, "introduction started on"),
    ],
)
def test_a_cleaning_on_a_bad_day_is_refused(a, api, day, status, words):
    before = db_state()
    response = api.post(
        f"/households/{a.hid}/introductions/{a.intro.public_id}/cleaned", {"day": day}, token=a.owner_token
    )
    refused(response, status, "day", before, words=words)


# --- backups ------------------------------------------------------------------------------------


def test_an_owner_exports_the_household_and_others_may_not(a, api):
    response = api.get(f"/households/{a.hid}/export", token=a.owner_token)
    # Streamed, never built whole in memory: a rescue's backup runs to hundreds of MB.
    assert response.streaming and response["Content-Type"] == "application/json; charset=utf-8"
    backup = response.json()
    assert backup["format"] == "gentling-backup" and [h["id"] for h in backup["households"]] == [a.hid]
    assert len(backup["households"][0]["animals"]) == 2
    for token in (a.carer_token, a.viewer_token):
        response = api.get(f"/households/{a.hid}/export", token=token)
        assert response.status_code == 403 and "owner" in detail(response)


def test_a_backup_restores_a_household(a, api):
    backup = api.get(f"/households/{a.hid}/export", token=a.owner_token).json()
    Household.objects.filter(pk=a.household.pk).delete()
    response = api.post("/households/import", backup, token=a.owner_token)
    assert response.status_code == 201, response.content
    assert response.json() == {
        "households": 1,
        "animals": 2,
        "sessions": 1,
        "note": (
            "Not restored as members: a-carer (carer), a-viewer (viewer). A backup never gives anyone access: "
            "invite them again from People. The sessions they logged are kept, without their name."
        ),
    }
    animals = api.get(f"/households/{a.hid}/animals", token=a.owner_token).json()
    assert [x["name"] for x in animals["items"]] == ["Pipkin", "Whiskerina"]


@pytest.mark.parametrize(
    "raw, words",
    [
        (b"", "not valid"),
        (b"{broken", "not valid"),
        (b"[]", "not valid"),
        (b"{}", "not a gentling backup"),
        (
            json.dumps(
                {
                    "format": "gentling-backup",
                    "version": 7,
                    "exported_at": "2026-01-01T00:00:00Z",
                    "keepers": [],
                    "households": [],
                }
            ).encode(),
            "version 7",
        ),
        (b'{"format": "gentling-backup", "version": 1, "notes": "a\\u0000b"}', "NUL"),
    ],
)
def test_a_bad_backup_imports_nothing(a, api, raw, words):
    before = db_state()
    response = api.call("POST", "/households/import", raw=raw, token=a.owner_token)
    refused(response, 400, "file", before, words=words)


def test_a_backup_with_a_date_out_of_range_imports_nothing(a, api):
    """Found by probing the import: an arrival in 9999 overflowed the engine's date arithmetic (a 500)."""
    backup = api.get(f"/households/{a.hid}/export", token=a.owner_token).json()
    Household.objects.filter(pk=a.household.pk).delete()
    backup["households"][0]["animals"][0]["arrival_date"] = "9999-12-31"
    before = db_state()
    refused(api.post("/households/import", backup, token=a.owner_token), 400, "file", before, words="in the future")


def test_a_backup_already_imported_is_refused_whole(a, api):
    backup = api.get(f"/households/{a.hid}/export", token=a.owner_token).json()
    before = db_state()
    refused(
        api.post("/households/import", backup, token=a.owner_token),
        400,
        "file",
        before,
        words="already in this database",
    )


def test_an_oversized_backup_is_refused_before_it_is_read(a, api):
    before = db_state()
    response = api.call(
        "POST", "/households/import", raw=b"{}", token=a.owner_token, CONTENT_LENGTH=str(60 * 1024 * 1024)
    )
    refused(response, 400, "file", before, words="50 MB")
