"""A double tap on Save: two requests finish the same timer at the same moment. The session
is stored once; the second finish is told it was already saved (it once stored it twice on
PostgreSQL, 8 of 8 tries, and on SQLite said "Name at least one animal").

Runs on the test run's database (SQLite by default, PostgreSQL with DATABASE_URL), with
real threads and their own connections (`file_db`), released together by a barrier."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from gentling.domain.validation import SessionInput
from gentling.models import OpenSession, Session
from gentling.services import sessions as svc
from gentling.services.households import create_household, local_keeper
from gentling.services.progress import verify_snapshots
from tests.factories import make_animal
from tests.moments import at

TODAY = date(2026, 11, 25)
NOW = at(TODAY, hour=18)
TRIES = 4
WAIT_SECONDS = 30


def _timer(household, keeper, animals, now=NOW):
    return svc.open_session(keeper=keeper, household=household, animals=animals, now=now - timedelta(minutes=5))


def _setup(today=TODAY):
    keeper = local_keeper("tap-owner")
    household = create_household(keeper=keeper, name="Tap Street", time_zone="UTC")
    animals = [
        make_animal(household, today=today, name=name, source="breeder", days_ago=10) for name in ("Clover", "Basil")
    ]
    return keeper, household, animals


@pytest.mark.slow
def test_two_finishes_at_once_store_the_session_once(file_db):
    keeper, household, animals = _setup()
    entry = SessionInput(NOW, NOW, ["talked", "treat_in_cage"], observations=["took_treat"])
    for attempt in range(TRIES):
        timer = _timer(household, keeper, animals)
        barrier = threading.Barrier(2, timeout=WAIT_SECONDS)

        def finish():
            try:
                barrier.wait()
                return svc.finish_open_session(
                    keeper=keeper,
                    household=household,
                    public_id=timer.public_id,
                    entry=entry,
                    now=NOW + timedelta(minutes=attempt),
                )
            except svc.AlreadySaved as exc:
                return exc
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = [f.result(timeout=WAIT_SECONDS) for f in [pool.submit(finish), pool.submit(finish)]]
        saved = [o for o in outcomes if isinstance(o, list)]
        told = [o for o in outcomes if isinstance(o, svc.AlreadySaved)]
        assert (len(saved), len(told)) == (1, 1), outcomes
        assert Session.objects.filter(sitting=timer.public_id).count() == 2  # one per animal, once
        assert {s.pk for s in told[0].sessions} == {item.session.pk for item in saved[0]}
    assert Session.objects.count() == 2 * TRIES
    assert not OpenSession.objects.exists()
    assert verify_snapshots()[1] == []


@pytest.mark.django_db
def test_a_second_save_on_the_web_is_told_it_was_already_saved(client):
    now = timezone.now()  # the web app reads the clock: the whole test runs on it
    keeper, household, animals = _setup(now.date())
    client.force_login(keeper)
    timer = _timer(household, keeper, animals, now)
    url = reverse("session_open", args=[household.public_id, timer.public_id])
    assert client.post(url, {"activities": ["talked"]}).status_code == 302
    again = client.post(url, {"activities": ["talked"]}, follow=True)
    assert again.status_code == 200
    body = again.content.decode()
    assert "Already saved: this session with Basil, Clover was saved a moment ago, once." in body
    assert Session.objects.filter(sitting=timer.public_id).count() == 2


@pytest.mark.django_db
def test_a_discarded_timer_is_not_found():
    keeper, household, animals = _setup()
    timer = _timer(household, keeper, animals)
    public_id = timer.public_id
    timer.delete()
    with pytest.raises(svc.NotFound):
        svc.finish_open_session(
            keeper=keeper, household=household, public_id=public_id, entry=SessionInput(NOW, NOW, ["talked"]), now=NOW
        )


@pytest.mark.slow
def test_one_key_sent_twice_at_once_stores_one_session(file_db):
    """The API's retry from a phone whose first answer was lost, arriving with the first."""
    import json

    from django.test import Client

    from gentling.services.api_tokens import create_token

    now = timezone.now()  # the API reads the clock: the whole test runs on it
    keeper, household, animals = _setup(now.date())
    token = create_token(keeper=keeper, name="phone", now=now)[1]
    body = json.dumps(
        {
            "animals": [animals[0].public_id],
            "started_at": (now - timedelta(hours=1)).isoformat(),
            "duration_seconds": 300,
            "activities": ["talked"],
        }
    )
    for attempt in range(TRIES):
        barrier = threading.Barrier(2, timeout=WAIT_SECONDS)

        def send():
            try:
                barrier.wait()
                return Client().post(
                    f"/api/v1/households/{household.public_id}/sessions",
                    body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}",
                    HTTP_IDEMPOTENCY_KEY=f"tap-{attempt}",
                )
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = [f.result(timeout=WAIT_SECONDS) for f in [pool.submit(send), pool.submit(send)]]
        assert first.status_code == second.status_code == 201, (first.content, second.content)
        assert json.loads(first.content) == json.loads(second.content)
    assert Session.objects.count() == TRIES


@pytest.mark.slow
def test_one_form_token_sent_twice_at_once_adds_one_animal(file_db):
    """A double tap on a web form: both sends carry the form's one-time token (web/once.py)."""
    from django.test import Client

    from gentling.models import Animal

    now = timezone.now()  # the web app reads the clock: the whole test runs on it
    keeper, household, _ = _setup(now.date())
    url = reverse("animal_new", args=[household.public_id])
    form = {
        "name": "Nibbles",
        "species": "rat",
        "sex": "female",
        "source": "pet_store",
        "status": "active",
        "arrival_date": now.date().isoformat(),
    }
    for attempt in range(TRIES):
        barrier = threading.Barrier(2, timeout=WAIT_SECONDS)
        phones = [Client(), Client()]
        for phone in phones:
            phone.force_login(keeper)

        def send(phone):
            try:
                barrier.wait()
                return phone.post(url, {**form, "once": f"tap-{attempt}"})
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = [f.result(timeout=WAIT_SECONDS) for f in [pool.submit(send, p) for p in phones]]
        assert first.status_code == second.status_code == 302, (first.content, second.content)
        assert first["Location"] == second["Location"]
    assert Animal.objects.filter(name="Nibbles").count() == TRIES
