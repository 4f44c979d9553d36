"""Protocols on the web (issue 16): the list, an owner's upload with a preview (nothing stored
until confirmed; a bad file named by its line), an animal put on a lab protocol, the session
screen's bout timer, technique, own words and measures, and a move on the animal page."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gentling.models import Animal, HouseholdProtocol, OpenSession, ProtocolMove, Session
from gentling.services.sessions import open_session
from tests.factories import make_animal

from .helpers import db_state, text, today

HOUSE = (Path(__file__).parent.parent / "data" / "protocols" / "house-gentle.toml").read_text(encoding="utf-8")


def once() -> str:
    return uuid.uuid4().hex


def test_the_protocols_page_lists_the_lab_protocols(client, viewer, household):
    client.force_login(viewer)
    page = text(client.get(reverse("protocols", args=[household.public_id])))
    for title in (
        "Rat tickling (lab)",
        "Mouse tunnel handling (lab)",
        "Mouse cup handling (lab)",
        "Mouse 3-day hand habituation (lab)",
    ):
        assert title in page
    assert "Add your own protocol" not in page  # owners only


def test_an_owner_previews_an_upload_then_adds_it(client, owner, household):
    client.force_login(owner)
    url = reverse("protocols", args=[household.public_id])
    preview = client.post(url, {"file": SimpleUploadedFile("house.toml", HOUSE.encode()), "once": once()})
    shown = text(preview)
    assert "Preview: Our rescue's gentle method (version 1)" in shown and "Blanket time" in shown
    assert not HouseholdProtocol.objects.exists()  # a preview stores nothing
    added = client.post(url, {"text": HOUSE, "name": "house.toml", "confirm": "add", "once": once()})
    assert added.status_code == 302
    assert HouseholdProtocol.objects.get().protocol_id == "house-gentle"


def test_a_bad_upload_is_named_by_file_line_step_and_field_and_nothing_is_stored(client, owner, household):
    client.force_login(owner)
    bad = HOUSE.replace(
        'sessions = 2\ndistinct_days = 2\nrequires_activities = ["scritches"]',
        'sessions = -2\ndistinct_days = 2\nrequires_activities = ["scritches"]',
    )
    before = db_state()
    page = text(
        client.post(
            reverse("protocols", args=[household.public_id]),
            {"file": SimpleUploadedFile("ours.toml", bad.encode()), "once": once()},
        )
    )
    line = bad.splitlines().index("sessions = -2") + 1
    assert f"ours.toml, line {line}, step 'scritches', field 'advance.sessions'" in page
    assert db_state() == before


def test_a_rat_is_added_on_rat_tickling_and_its_session_screen_has_the_bout_timer_and_measures(
    client, carer, household
):
    client.force_login(carer)
    form = {
        "name": "Tick",
        "species": "rat",
        "sex": "female",
        "source": "breeder",
        "arrival_date": str(today() - timedelta(days=3)),
        "protocol": "rat-tickling",
        "status": "active",
        "cage": "",
        "once": once(),
    }
    assert client.post(reverse("animal_new", args=[household.public_id]), form).status_code == 302
    tick = Animal.objects.get(name="Tick")
    assert tick.protocol == "rat-tickling"
    timer = open_session(keeper=carer, household=household, animals=[tick], now=timezone.now())
    page = client.get(reverse("session_open", args=[household.public_id, timer.public_id]))
    body = page.content.decode()
    assert 'data-on="15" data-rest="15" data-total="120"' in body and 'data-activity="tickled"' in body
    assert "Flip them and pin them for 2-4 s" in body
    assert 'name="measure_calls_50khz"' in body and 'max="2000"' in body
    assert 'value="tickled"' in body  # the protocol's own activity, as a tap

    url = reverse("session_open", args=[household.public_id, timer.public_id])
    refused = client.post(url, {"activities": ["tickled"], "measure_calls_50khz": "-4", "holds": "", "once": once()})
    assert "between 0 and 2000 calls" in text(refused) and not Session.objects.exists()
    saved = client.post(
        url,
        {
            "activities": ["tickled"],
            "measure_calls_50khz": "41",
            "measure_calls_22khz": "",
            "holds": "",
            "once": once(),
        },
    )
    assert saved.status_code == 302
    assert Session.objects.get().measures == {"calls_50khz": 41}
    assert not OpenSession.objects.exists()


def test_an_owner_moves_an_animal_on_its_page_and_the_move_is_recorded(client, owner, carer, household):
    rat = make_animal(household, today=today(), name="Mover", days_ago=40)
    client.force_login(owner)
    page = text(client.get(reverse("animal", args=[household.public_id, rat.public_id])))
    assert "Protocol: Rat handling ladder" in page and "Move Mover to another protocol" in page
    moved = client.post(
        reverse("animal_protocol", args=[household.public_id, rat.public_id]),
        {"to": "rat-tickling", "how": "restarted", "once": once()},
        follow=True,
    )
    assert "Moved Mover from Rat handling ladder to Rat tickling (lab), starting again at step 'tickling'" in text(
        moved
    )
    assert ProtocolMove.objects.get().how == "restarted"
    client.force_login(carer)
    assert "Move Mover to another protocol" not in text(
        client.get(reverse("animal", args=[household.public_id, rat.public_id]))
    )


# Days from arrival to the last step for a breeder's animal, by the published schedules (as in
# tests/api/test_protocols.py): tickling on 3 days, tunnel lifts on 5, cup lifts 8 on 5, 3D one a day.
SCHEDULES = {
    "rat-tickling": ("rat", 5),
    "mouse-tunnel": ("mouse", 7),
    "mouse-cup": ("mouse", 7),
    "mouse-3d": ("mouse", 5),
}


@pytest.mark.parametrize("ref", list(SCHEDULES))
def test_each_lab_protocol_followed_day_by_day_on_the_web(client, owner, household, ref):
    """Logged on the "Log a session" page, as the Today page's step says, morning and evening."""
    from gentling.domain.protocol import StepKind, lab_protocol

    species, days = SCHEDULES[ref]
    protocol = lab_protocol(ref)
    arrival = today() - timedelta(days=days + 2)
    animal = make_animal(
        household, today=today(), name="Lab", species=species, source="breeder", days_ago=days + 2, protocol=ref
    )
    client.force_login(owner)
    visited = []
    for n in range(days + 1):
        on = arrival + timedelta(days=n)
        page = text(client.get(reverse("today", args=[household.public_id]) + f"?date={on.isoformat()}"))
        step = next(s for s in protocol.steps if s.title in page)
        visited.append(step.id)
        if step.kind is StepKind.MAINTENANCE:
            break
        allows = [x for x in step.allows if x not in ("still_hand_test",)]
        for hour in ("09:00", "17:00"):
            answer = client.post(
                reverse("session_log", args=[household.public_id]),
                {
                    "animals": [animal.public_id],
                    "started_at": f"{on.isoformat()}T{hour}",
                    "minutes": "5",
                    "seconds": "0",
                    "activities": ["talked", *allows],
                    "observations": ["approached", "took_treat", "ate_from_fingers", "relaxed"],
                    "holds": "2" if "picked_up" in allows else "",
                    "notes": "",
                    "once": once(),
                },
            )
            assert answer.status_code == 302, text(answer)
    assert list(dict.fromkeys(visited)) == [s.id for s in protocol.steps]
    assert len(visited) - 1 == days
    assert Session.objects.filter(animal=animal, protocol=ref).count() == 2 * days


def test_an_upload_too_big_or_not_utf8_is_refused_plainly(client, owner, household):
    client.force_login(owner)
    url = reverse("protocols", args=[household.public_id])
    big = text(client.post(url, {"file": SimpleUploadedFile("big.toml", b"#" * 70_000), "once": once()}))
    latin = text(
        client.post(url, {"file": SimpleUploadedFile("latin.toml", "# caf\xe9".encode("latin-1")), "once": once()})
    )
    assert "big.toml: the file is over 64 KB" in big
    assert "latin.toml: not UTF-8 text" in latin
    assert not HouseholdProtocol.objects.exists()
