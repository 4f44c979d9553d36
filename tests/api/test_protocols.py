"""Protocols through the API (issue 16): the lab protocols and the household's own listed, a
protocol uploaded (or refused, naming its line), an animal put on one, sessions logged with
measures day by day, and an animal moved."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from .helpers import today

HOUSE = (Path(__file__).parent.parent / "data" / "protocols" / "house-gentle.toml").read_text(encoding="utf-8")


def test_the_household_lists_the_ladders_and_the_four_lab_protocols(a, api):
    listed = api.call("GET", f"/households/{a.hid}/protocols", token=a.viewer_token).json()
    refs = {(p["ref"], p["kind"]) for p in listed}
    assert {("rat-tickling", "lab"), ("mouse-tunnel", "lab"), ("mouse-cup", "lab"), ("mouse-3d", "lab")} <= refs
    tickling = next(p for p in listed if p["ref"] == "rat-tickling")
    step = next(s for s in tickling["steps"] if s["id"] == "tickling")
    assert step["bouts"]["on_seconds"] == 15 and step["bouts"]["total_seconds"] == 120
    assert {m["name"]: m["unit"] for m in tickling["measures"]}["calls_50khz"] == "calls"


def test_an_owner_uploads_a_protocol_and_a_bad_one_names_its_line(a, api):
    bad = HOUSE.replace("max = 120", "max = 0")
    refused = api.call(
        "POST", f"/households/{a.hid}/protocols", token=a.owner_token, json_body={"text": bad, "file": "ours.toml"}
    )
    assert refused.status_code == 400
    line = int(refused.json()["detail"].split("line ")[1].split(",")[0])
    assert bad.splitlines()[line - 1] == "max = 0"
    carer = api.call("POST", f"/households/{a.hid}/protocols", token=a.carer_token, json_body={"text": HOUSE})
    assert carer.status_code == 403 and "owner" in carer.json()["detail"]
    added = api.call("POST", f"/households/{a.hid}/protocols", token=a.owner_token, json_body={"text": HOUSE})
    assert added.status_code == 201, added.content
    body = added.json()
    assert (body["ref"], body["kind"], body["version"]) == ("house-gentle", "household", 1)
    assert [t["name"] for t in body["activities"]][:2] == ["blanket_time", "scritches"]


def test_a_tickling_rat_is_logged_with_call_counts_day_by_day_and_then_moved(a, api):
    arrival = today() - timedelta(days=5)
    created = api.call(
        "POST",
        f"/households/{a.hid}/animals",
        token=a.carer_token,
        json_body={
            "name": "Tick",
            "species": "rat",
            "source": "breeder",
            "arrival_date": arrival.isoformat(),
            "protocol": "rat-tickling",
        },
    )
    assert created.status_code == 201, created.content
    rat = created.json()
    assert (rat["protocol"], rat["protocol_title"], rat["step"]) == ("rat-tickling", "Rat tickling (lab)", "tickling")
    for n in (2, 3, 4):
        start = datetime.combine(arrival + timedelta(days=n), time(9)).isoformat()
        logged = api.call(
            "POST",
            f"/households/{a.hid}/sessions",
            token=a.carer_token,
            json_body={
                "animals": [rat["id"]],
                "started_at": start,
                "duration_seconds": 300,
                "activities": ["talked", "tickled"],
                "measures": {"calls_50khz": 30 + n, "calls_22khz": 0},
            },
        )
        assert logged.status_code == 201, logged.content
        session = logged.json()["sessions"][0]
        assert (
            session["measures"] == {"calls_50khz": 30 + n, "calls_22khz": 0} and session["protocol"] == "rat-tickling"
        )
    shown = api.call("GET", f"/households/{a.hid}/animals/{rat['id']}", token=a.viewer_token).json()
    assert shown["step"] == "after-tickling"

    too_many = api.call(
        "POST",
        f"/households/{a.hid}/sessions",
        token=a.carer_token,
        json_body={
            "animals": [rat["id"]],
            "started_at": start,
            "duration_seconds": 60,
            "activities": ["tickled"],
            "measures": {"calls_50khz": 5000},
        },
    )
    assert too_many.status_code == 400 and "between 0 and 2000 calls" in too_many.json()["detail"]

    moved = api.call(
        "POST",
        f"/households/{a.hid}/animals/{rat['id']}/protocol",
        token=a.owner_token,
        json_body={"to": "ladder", "how": "restarted"},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["to_title"] == "Rat handling ladder" and moved.json()["how"] == "restarted"
    assert (
        api.call("GET", f"/households/{a.hid}/animals/{rat['id']}", token=a.viewer_token).json()["protocol"] == "ladder"
    )


# Days from arrival to the last step for a breeder's animal, by the published schedules: 2 days'
# acclimation, then tickling on 3 days; tunnel lifts on 5 days; cup lifts, 8 sessions on 5 days;
# the 3-day hand habituation, one step a day.
SCHEDULES = {
    "rat-tickling": ("rat", 5),
    "mouse-tunnel": ("mouse", 7),
    "mouse-cup": ("mouse", 7),
    "mouse-3d": ("mouse", 5),
}
CALM = ["approached", "took_treat", "ate_from_fingers", "relaxed"]


@pytest.mark.parametrize("ref", list(SCHEDULES))
def test_each_lab_protocol_followed_day_by_day_through_the_api(a, api, ref):
    species, days = SCHEDULES[ref]
    arrival = today() - timedelta(days=days + 2)
    protocol = next(
        p for p in api.call("GET", f"/households/{a.hid}/protocols", token=a.owner_token).json() if p["ref"] == ref
    )
    steps = {s["id"]: s for s in protocol["steps"]}
    made = api.call(
        "POST",
        f"/households/{a.hid}/animals",
        token=a.owner_token,
        json_body={
            "name": "Lab",
            "species": species,
            "source": "breeder",
            "arrival_date": arrival.isoformat(),
            "protocol": ref,
        },
    ).json()
    visited = []
    for n in range(days + 1):
        on = arrival + timedelta(days=n)
        day = api.call("GET", f"/households/{a.hid}/today?date={on.isoformat()}", token=a.owner_token).json()
        visited.append(next(x for x in day["animals"] if x["id"] == made["id"])["step_id"])
        if steps[visited[-1]]["kind"] == "maintenance":
            break
        allows = [x for x in steps[visited[-1]]["allows"] if x not in ("tail_lift", "still_hand_test")]
        for hour in (9, 17):
            body = {
                "animals": [made["id"]],
                "started_at": datetime.combine(on, time(hour)).isoformat(),
                "duration_seconds": 300,
                "activities": ["talked", *allows],
                "observations": CALM,
                "holds": [2] if "picked_up" in allows else [],
            }
            logged = api.call("POST", f"/households/{a.hid}/sessions", token=a.owner_token, json_body=body)
            assert logged.status_code == 201, logged.content
            assert not [x for x in logged.json()["sessions"][0]["alerts"] if x["level"] != "caution"], logged.content
    expected = [s for s in protocol["steps"] if s["kind"] != "extended_hold"]
    assert list(dict.fromkeys(visited)) == [s["id"] for s in expected]
    assert len(visited) - 1 == days  # the last step is reached on the schedule's day
