"""An animal that has left the household (adopted, passed away) is in no new session, whichever
way a keeper asks. The service refuses with one message; the web app, the API and the command
line each show that message and save nothing. Its past sessions can still be corrected: they
are its history (the handover report reads them).

The web app and the API read the real clock, so these tests run on it too."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.domain.errors import InvalidInput
from gentling.domain.validation import SessionInput
from gentling.models import Animal, OpenSession, Session
from gentling.services import sessions as svc
from gentling.services.animals import AnimalDetails, edit_animal
from tests.cli_harness import cli_runner
from tests.factories import log, make_animal, make_token


def refusal(name: str, status: str) -> str:
    return (
        f"{name} is no longer here (status: {status}): no new session can be logged for an animal that has "
        f"left. If that is a mistake, set {name}'s status back to Active first."
    )


ADOPTED = refusal("Gonzo", "Adopted")


def _entry() -> SessionInput:
    start = timezone.now() - timedelta(hours=1)
    return SessionInput(start, start + timedelta(minutes=10), ["talked"])


def _leaves(animal, status: str = "adopted") -> None:
    edit_animal(animal=animal, details=AnimalDetails(status=status), today=timezone.now().date())


@pytest.fixture
def clover(household):
    return make_animal(household, today=timezone.now().date(), name="Clover", source="breeder", days_ago=20)


@pytest.fixture
def gonzo(household, owner):
    """A rat with one session from before it was adopted."""
    gonzo = make_animal(household, today=timezone.now().date(), name="Gonzo", source="breeder", days_ago=20)
    log(owner, household, [gonzo], now=timezone.now(), notes="first week")
    _leaves(gonzo)
    return Animal.objects.get(pk=gonzo.pk)


def _saved() -> tuple[int, int]:
    return Session.objects.count(), OpenSession.objects.count()


# --- the service: one rule, one message ------------------------------------------------------


@pytest.mark.parametrize("status, label", [("adopted", "Adopted"), ("passed_away", "Passed away")])
def test_logging_for_an_animal_that_has_left_is_refused(owner, household, clover, status, label):
    _leaves(clover, status)
    clover.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        svc.log_session(keeper=owner, household=household, animals=[clover], entry=_entry(), now=timezone.now())
    assert (refused.value.field, refused.value.message) == ("animals", refusal("Clover", label))
    assert _saved() == (0, 0)


def test_a_sitting_with_one_animal_that_has_left_saves_nothing_for_the_others(owner, household, clover, gonzo):
    before = _saved()
    with pytest.raises(InvalidInput, match="Gonzo is no longer here"):
        svc.log_session(keeper=owner, household=household, animals=[clover, gonzo], entry=_entry(), now=timezone.now())
    assert _saved() == before


def test_the_timer_neither_starts_nor_previews_for_an_animal_that_has_left(owner, household, clover, gonzo):
    before = _saved()
    with pytest.raises(InvalidInput) as refused:
        svc.open_session(keeper=owner, household=household, animals=[clover, gonzo], now=timezone.now())
    assert refused.value.message == ADOPTED
    with pytest.raises(InvalidInput) as refused:
        svc.preview_alerts(keeper=owner, household=household, animals=[gonzo], entry=_entry(), now=timezone.now())
    assert refused.value.message == ADOPTED
    assert _saved() == before


def test_a_timer_is_not_saved_for_an_animal_that_left_while_it_ran(owner, household, clover):
    timer = svc.open_session(keeper=owner, household=household, animals=[clover], now=timezone.now())
    _leaves(clover)
    with pytest.raises(InvalidInput) as refused:
        svc.finish_open_session(
            keeper=owner, household=household, public_id=timer.public_id, entry=_entry(), now=timezone.now()
        )
    assert refused.value.message == refusal("Clover", "Adopted")
    assert _saved() == (0, 1)  # the timer stays, for the keeper to discard


def test_an_animal_that_leaves_while_its_session_is_being_saved_is_refused(owner, household, clover, monkeypatch):
    """Where the animal stands is read before the write transaction; the animal may leave in between."""
    real = svc.around_session

    def around_then_adopted(animal, new, today):
        found = real(animal, new, today)
        if not Animal.objects.get(pk=clover.pk).has_left:
            _leaves(clover)
        return found

    monkeypatch.setattr(svc, "around_session", around_then_adopted)
    with pytest.raises(InvalidInput) as refused:
        svc.log_session(keeper=owner, household=household, animals=[clover], entry=_entry(), now=timezone.now())
    assert refused.value.message == refusal("Clover", "Adopted")
    assert _saved() == (0, 0)


def test_a_session_from_before_the_animal_left_can_still_be_corrected(owner, household, gonzo):
    session = Session.objects.get(animal=gonzo)
    item = svc.edit_session(
        keeper=owner,
        household=household,
        public_id=session.public_id,
        entry=SessionInput(session.started_at, session.ended_at, ["talked"], notes="first week, shy"),
        now=timezone.now(),
    )
    assert item.session.pk == session.pk
    assert Session.objects.get(pk=session.pk).notes == "first week, shy"


# --- the web app -----------------------------------------------------------------------------


def test_the_web_timer_does_not_start_for_an_animal_that_has_left(client, owner, household, clover, gonzo):
    client.force_login(owner)
    before = _saved()
    response = client.post(
        reverse("session_start", args=[household.public_id]),
        {"animals": [clover.public_id, gonzo.public_id]},
        follow=True,
    )
    assert response.status_code == 200
    assert ADOPTED in [str(m) for m in response.context["messages"]]
    assert _saved() == before


def test_the_web_save_of_a_timer_for_an_animal_that_left_meanwhile_shows_why(client, owner, household, clover):
    timer = svc.open_session(
        keeper=owner, household=household, animals=[clover], now=timezone.now() - timedelta(minutes=5)
    )
    _leaves(clover)
    client.force_login(owner)
    response = client.post(
        reverse("session_open", args=[household.public_id, timer.public_id]), {"activities": ["talked"]}
    )
    assert response.status_code == 200
    assert refusal("Clover", "Adopted") in html.unescape(response.content.decode())
    assert _saved() == (0, 1)


def test_the_web_edit_of_a_session_from_before_the_animal_left_is_saved(client, owner, household, gonzo):
    session = Session.objects.get(animal=gonzo)
    client.force_login(owner)
    start = f"{session.started_at:%Y-%m-%dT%H:%M}"  # the household keeps UTC
    response = client.post(
        reverse("session_edit", args=[household.public_id, session.public_id]),
        {"activities": ["talked"], "started_at": start, "length": 10, "notes": "first week, shy"},
    )
    assert response.status_code == 302, response.content.decode()
    assert Session.objects.get(pk=session.pk).notes == "first week, shy"


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def bearer(owner):
    return {"HTTP_AUTHORIZATION": "Bearer " + make_token(owner, now=timezone.now())}


def test_the_api_refuses_to_log_for_an_animal_that_has_left(client, household, clover, gonzo, bearer):
    before = _saved()
    response = client.post(
        f"/api/v1/households/{household.public_id}/sessions",
        {
            "animals": [clover.public_id, gonzo.public_id],
            "started_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "duration_seconds": 600,
            "activities": ["talked"],
        },
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 400
    assert response.json() == {"detail": ADOPTED, "field": "animals"}
    assert _saved() == before


def test_the_api_corrects_a_session_from_before_the_animal_left(client, household, gonzo, bearer):
    session = Session.objects.get(animal=gonzo)
    response = client.patch(
        f"/api/v1/households/{household.public_id}/sessions/{session.public_id}",
        {"notes": "first week, shy"},
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 200, response.content
    assert Session.objects.get(pk=session.pk).notes == "first week, shy"


# --- the command line ------------------------------------------------------------------------


def test_the_command_line_refuses_to_log_for_an_animal_that_has_left(monkeypatch, capsys, household, gonzo):
    cli = cli_runner(monkeypatch, capsys, keeper="olive-owner", now=timezone.now())
    before = _saved()
    r = cli("log", "Gonzo", "--did", "talked")
    assert r.code == 1
    assert ADOPTED in r.text
    r = cli("log", "Gonzo", "--did", "talked", "--json")
    assert (r.code, r.json) == (1, {"error": ADOPTED, "field": "animals"})
    assert _saved() == before
