"""Every message on the web names the field it is about, in the keeper's words: the services'
messages ("Hold '-3': ...") and Django's own ("Length (minutes): Ensure this value ..."). The
session screen's live check and a message at the top of a page show them away from the field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.models import IntroductionMeeting, OpenSession, Session
from gentling.services.arrivals import start_introduction
from gentling.services.sessions import open_session
from tests.factories import log, make_animal

from .helpers import db_state, text, today


@pytest.fixture
def rat(household):
    return make_animal(household, today=today(), name="Whiskerina", days_ago=5)


@pytest.fixture
def timer(owner, household, rat):
    opened = open_session(keeper=owner, household=household, animals=[rat], now=timezone.now())
    OpenSession.objects.update(started_at=timezone.now() - timedelta(minutes=10))
    return opened


def _check(client, household, timer, **data):
    """The session screen's live check (htmx): what saving now would say."""
    response = client.post(
        reverse("session_check", args=[household.public_id, timer.public_id]), {"activities": ["talked"], **data}
    )
    assert response.status_code == 200
    return text(response)


@pytest.mark.parametrize(
    "data, says",
    [
        ({"holds": "-3"}, "Hold '-3': a hold must be more than zero seconds."),
        ({"holds": "3, 0"}, "Hold '0': a hold must be more than zero seconds."),
        ({"holds": "3, x"}, "Hold 'x': write each pick-up's seconds as a whole number"),
        ({"extended_hold_minutes": "-5"}, "Extended hold (minutes): Ensure this value is greater than or equal to 0."),
        ({"extended_hold_minutes": "many"}, "Extended hold (minutes): Enter a whole number."),
    ],
    ids=["negative-hold", "zero-hold", "letters-hold", "negative-extended-hold", "words-extended-hold"],
)
def test_the_live_check_names_the_field(client, owner, household, timer, data, says):
    client.force_login(owner)
    assert says in _check(client, household, timer, **data)


@pytest.mark.parametrize(
    "data, says",
    [
        ({"holds": "-3"}, "Hold '-3': a hold must be more than zero seconds."),
        ({"extended_hold_minutes": "-5"}, "Extended hold (minutes): Ensure this value is greater than or equal to 0."),
    ],
    ids=["negative-hold", "negative-extended-hold"],
)
def test_saving_the_session_screen_names_the_field(client, owner, household, timer, data, says):
    client.force_login(owner)
    response = client.post(
        reverse("session_open", args=[household.public_id, timer.public_id]), {"activities": ["talked"], **data}
    )
    assert response.status_code == 200
    assert says in text(response)
    assert not Session.objects.exists()


@pytest.fixture
def logged(owner, household, rat):
    return log(owner, household, [rat], now=timezone.now(), ago=timedelta(days=1), minutes=5)[0].session


@pytest.mark.parametrize(
    "over, says",
    [
        ({"holds": "-3"}, "Hold '-3': a hold must be more than zero seconds."),
        ({"length": "0"}, "Length '0': a length must be more than zero seconds."),
        ({"length": "-5"}, "Length '-5': a length must be more than zero seconds."),
        ({"length": "ten"}, "Length 'ten': not a length of time. Write e.g. 90s, 10m or 1h5m."),
        ({"started_at": "2026-13-01T10:00"}, "Started at: Enter a valid date/time."),
        ({"started_at": ""}, "Started at: This field is required."),
    ],
    ids=["negative-hold", "zero-length", "negative-length", "words-length", "impossible-date", "no-date"],
)
def test_editing_a_session_names_the_field(client, owner, household, logged, over, says):
    client.force_login(owner)
    data = {
        "started_at": f"{timezone.localtime(logged.started_at):%Y-%m-%dT%H:%M}",
        "length": "5",
        "activities": ["talked"],
        "holds": "",
        **over,
    }
    before = db_state()
    response = client.post(reverse("session_edit", args=[household.public_id, logged.public_id]), data)
    assert response.status_code == 200
    assert says in text(response)
    assert db_state() == before


@pytest.mark.parametrize(
    "minutes, says",
    [
        ("0", "Length (minutes): Ensure this value is greater than or equal to 1."),
        ("-5", "Length (minutes): Ensure this value is greater than or equal to 1."),
        ("", "Length (minutes): This field is required."),
    ],
    ids=["zero", "negative", "missing"],
)
def test_a_meeting_of_no_length_names_the_length(client, owner, household, minutes, says):
    resident = make_animal(household, today=today(), name="Rosa", sex="female", days_ago=120, cage="Big cage")
    newcomer = make_animal(household, today=today(), name="Nova", sex="female", days_ago=40, cage="Nova's cage")
    intro = start_introduction(
        keeper=owner,
        household=household,
        newcomers=[newcomer],
        residents=[resident],
        cage_name="Big cage",
        day=today() - timedelta(days=6),
    )
    client.force_login(owner)
    response = client.post(
        reverse("introduction", args=[household.public_id, intro.public_id]),
        {"minutes": minutes, "behaviours": ["sniffing"]},
    )
    assert response.status_code == 200
    assert says in text(response)
    assert not IntroductionMeeting.objects.exists()


@pytest.mark.parametrize(
    "over, says",
    [
        ({"arrival_date": "2026-13-01"}, "Arrived home on: Enter a valid date."),
        ({"birth_date": "soon"}, "Born on: Enter a valid date."),
        ({"arrival_date": (today() + timedelta(days=3)).isoformat()}, "Arrival date "),
    ],
    ids=["impossible-arrival", "words-birth", "future-arrival"],
)
def test_a_bad_date_on_the_animal_form_names_the_date(client, owner, household, over, says):
    data = {
        "name": "Nibbles",
        "species": "rat",
        "sex": "female",
        "source": "pet_store",
        "arrival_date": (today() - timedelta(days=2)).isoformat(),
        "birth_date": "",
        "cage": "",
        "status": "active",
        "notes": "",
        **over,
    }
    client.force_login(owner)
    response = client.post(reverse("animal_new", args=[household.public_id]), data)
    assert response.status_code == 200
    assert says in text(response)


def test_a_bad_day_on_today_names_the_date(client, owner, household, rat):
    client.force_login(owner)
    response = client.get(reverse("today", args=[household.public_id]), {"date": "2026-13-01"})
    assert "Date '2026-13-01': not a date. Write it as YYYY-MM-DD" in text(response)
