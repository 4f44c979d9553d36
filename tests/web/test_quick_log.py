"""Quick log on Today (issue 14, part 2): a tap on a task logs it, for the animal or its cage,
counts once on a double tap, and can be undone from the toast that follows."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from gentling.models import Session
from tests.factories import make_animal

from .helpers import db_state, messages_of, text, today


@pytest.fixture
def pair(household):
    return [
        make_animal(household, today=today(), name=name, days_ago=5, cage="Top Deck", sex="female")
        for name in ("Luna", "Nova")
    ]


def _tap(client, household, animal, activity="treat_in_cage", **extra):
    data = {"task": f"{animal.public_id}:{activity}", "once": uuid.uuid4().hex, **extra}
    return client.post(reverse("quick_log", args=[household.public_id]), data)


def test_todays_tasks_are_buttons_that_log(client, owner, household, pair):
    client.force_login(owner)

    body = client.get(reverse("today", args=[household.public_id])).content.decode()

    assert f'name="task" value="{pair[0].public_id}:treat_in_cage"' in body
    assert f'name="task" value="{pair[0].public_id}:talked"' in body
    assert 'name="whole_cage"' in body  # two in the cage


def test_a_viewer_and_another_day_show_tasks_that_cannot_be_tapped(client, viewer, owner, household, pair):
    client.force_login(viewer)
    assert 'name="task"' not in client.get(reverse("today", args=[household.public_id])).content.decode()
    client.force_login(owner)
    other_day = reverse("today", args=[household.public_id]) + "?date=2020-01-01"
    assert 'name="task"' not in client.get(other_day).content.decode()


def test_a_tap_logs_and_today_offers_to_undo_it(client, owner, household, pair):
    client.force_login(owner)

    response = _tap(client, household, pair[0])

    assert response.status_code == 302
    assert response["Location"] == reverse("today", args=[household.public_id]) + f"#animal-{pair[0].public_id}"
    (s,) = Session.objects.all()
    assert (s.animal, s.activities) == (pair[0], ["treat_in_cage"])
    page = client.get(response["Location"])
    toast = re.search(r'<div class="toast" role="status">(.*?)</div>', page.content.decode(), re.S).group(1)
    assert "Logged “Treats in the cage, hand inside” for Luna." in toast
    assert f'name="sitting" value="{s.sitting}"' in toast
    assert reverse("session_edit", args=[household.public_id, s.public_id]) in toast  # add what was seen
    assert re.search(r"1 of 2", text(page))  # the task counts it
    assert messages_of(page) == []  # nothing to warn about: the toast says it all
    assert "toast" not in client.get(response["Location"]).content.decode()  # once


def test_a_double_tap_logs_once(client, owner, household, pair):
    client.force_login(owner)
    once = uuid.uuid4().hex

    first = _tap(client, household, pair[0], once=once)
    again = _tap(client, household, pair[0], once=once)

    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert Session.objects.count() == 1


def test_the_whole_cage_when_chosen(client, owner, household, pair):
    client.force_login(owner)

    _tap(client, household, pair[0], whole_cage="on")

    assert sorted(s.animal.name for s in Session.objects.all()) == ["Luna", "Nova"]


def test_undo_takes_it_back_and_a_second_undo_says_so(client, owner, household, pair):
    client.force_login(owner)
    _tap(client, household, pair[0], whole_cage="on")
    sitting = Session.objects.first().sitting
    undo = reverse("quick_log_undo", args=[household.public_id])

    first = client.post(undo, {"sitting": sitting, "once": uuid.uuid4().hex})
    assert not Session.objects.exists()
    assert messages_of(client.get(first["Location"])) == ["Undone: nothing of that log was kept for Luna and Nova."]

    again = client.post(undo, {"sitting": sitting, "once": uuid.uuid4().hex})
    assert "Nothing to undo: it was undone already" in messages_of(client.get(again["Location"]))[0]


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_no_one_else_can_undo(client, owner, household, pair, who, request):
    client.force_login(owner)
    _tap(client, household, pair[0])
    sitting = Session.objects.get().sitting
    client.force_login(request.getfixturevalue(who))
    before = db_state()

    response = client.post(reverse("quick_log_undo", args=[household.public_id]), {"sitting": sitting})

    assert response.status_code in (403, 404)
    assert db_state() == before


def test_a_carer_cannot_undo_the_owners_log(client, owner, carer, household, pair):
    client.force_login(owner)
    _tap(client, household, pair[0])
    client.force_login(carer)

    response = client.post(
        reverse("quick_log_undo", args=[household.public_id]), {"sitting": Session.objects.get().sitting}
    )

    assert Session.objects.count() == 1
    assert "Nothing to undo" in messages_of(client.get(response["Location"]))[0]


@pytest.mark.parametrize(
    "task, words",
    [
        ("{aid}:picked_up", "is not one of Luna's tasks today that a tap can log"),
        ("{aid}:extended_hold", "is not one of Luna's tasks today that a tap can log"),
        ("{aid}:" + "x" * 5000, "is not one of Luna's tasks today that a tap can log"),
    ],
    ids=["not-this-step", "needs-its-timer", "oversized"],
)
def test_a_task_a_tap_cannot_log_is_refused_plainly(client, owner, household, pair, task, words):
    client.force_login(owner)
    before = db_state()

    response = client.post(
        reverse("quick_log", args=[household.public_id]), {"task": task.format(aid=pair[0].public_id)}
    )

    assert db_state() == before
    assert any(words in m for m in messages_of(client.get(response["Location"])))


def test_an_unknown_animal_is_404_and_saves_nothing(client, owner, household, pair):
    client.force_login(owner)
    before = db_state()

    response = client.post(reverse("quick_log", args=[household.public_id]), {"task": "nosuchanimal:talked"})

    assert response.status_code == 404 and db_state() == before


def test_a_cage_mates_warning_is_said_with_the_log(client, owner, household, pair):
    newbie = make_animal(
        household,
        today=today(),
        keeper=owner,
        name="Newbie",
        days_ago=0,
        cage="Top Deck",
        sex="female",
        override_reason="Luna's sister, from the same litter and the same rescue.",
    )
    client.force_login(owner)

    response = _tap(client, household, pair[0], whole_cage="on")

    assert Session.objects.filter(animal=newbie).exists()  # recorded: what was done is never lost
    (shown,) = messages_of(client.get(response["Location"]))
    assert shown.startswith("Logged “Treats in the cage, hand inside” for Luna, Newbie and Nova.\nNewbie: ")
    assert "Still settling in" in shown
