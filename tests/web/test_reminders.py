"""The reminders page (Data & reminders), this device's push subscription, and the unsubscribe
link of a reminder email (issue 15, part 1)."""

from __future__ import annotations

import base64
import json
import os
import re
import uuid

from django.urls import reverse

from gentling.models import PushSubscription, Reminders
from gentling.services.digest import unsubscribe_token
from gentling.services.reminders import ReminderChoice, set_reminders
from tests.factories import make_animal

from .helpers import db_state, messages_of, today


def _page(household):
    return reverse("reminders", args=[household.public_id])


def _form(**over):
    return {"remind_at": "07:30", "channel": "push", "scope": "all", "time_zone": "", "email": "", **over}


def test_a_keeper_sets_their_reminders(client, carer, household):
    luna = make_animal(household, today=today(), name="Luna", days_ago=5)
    client.force_login(carer)

    response = client.post(
        _page(household),
        _form(
            channel="email", email="carl@example.org", scope="mine", cares_for=[luna.public_id], once=uuid.uuid4().hex
        ),
    )

    assert response.status_code == 302
    r = Reminders.objects.get(membership__keeper=carer)
    assert (f"{r.remind_at:%H:%M}", r.channel, r.scope) == ("07:30", "email", "mine")
    assert list(r.cares_for.all()) == [luna]
    assert messages_of(client.get(response["Location"])) == ["Saved: email every day at 07:30."]


def test_a_viewer_may_be_reminded_too(client, viewer, household):
    client.force_login(viewer)

    response = client.post(_page(household), _form())

    assert response.status_code == 302
    assert Reminders.objects.get(membership__keeper=viewer).channel == "push"


def test_a_bad_choice_is_said_at_its_field_and_nothing_changes(client, owner, household):
    client.force_login(owner)
    before = db_state()

    response = client.post(_page(household), _form(channel="email"))

    assert response.status_code == 200
    assert "Email reminders need your email address" in response.content.decode()
    assert db_state() == before and not Reminders.objects.exclude(channel="none").exists()


def test_an_outsider_gets_nothing(client, outsider, household):
    client.force_login(outsider)
    assert client.get(_page(household)).status_code == 404
    assert client.post(_page(household), _form()).status_code == 404


def test_the_page_carries_the_push_key_and_the_links_to_subscribe(client, owner, household):
    client.force_login(owner)

    body = client.get(_page(household)).content.decode()

    key = re.search(r'data-vapid="([A-Za-z0-9_-]+)"', body).group(1)
    assert len(base64.urlsafe_b64decode(key + "=")) == 65
    assert reverse("push_subscribe", args=[household.public_id]) in body


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_this_devices_subscription_is_saved_once_and_can_be_removed(client, owner, household):
    client.force_login(owner)
    sub = {
        "endpoint": "https://push.example.org/send/abc",
        "keys": {"p256dh": _b64(b"\x04" + os.urandom(64)), "auth": _b64(os.urandom(16))},
    }
    url = reverse("push_subscribe", args=[household.public_id])

    for _ in range(2):  # a double tap, or the page asking again
        assert client.post(url, json.dumps(sub), content_type="application/json").status_code == 201
    assert PushSubscription.objects.filter(keeper=owner).count() == 1

    off = reverse("push_unsubscribe", args=[household.public_id])
    client.post(off, json.dumps({"endpoint": sub["endpoint"]}), content_type="application/json")
    assert not PushSubscription.objects.exists()


def test_a_subscription_that_is_not_one_is_refused_with_a_reason(client, owner, household):
    client.force_login(owner)
    url = reverse("push_subscribe", args=[household.public_id])

    bad_json = client.post(url, "{not json", content_type="application/json")
    bad_keys = client.post(
        url, json.dumps({"endpoint": "https://push.example.org/x", "keys": {}}), content_type="application/json"
    )

    assert bad_json.status_code == bad_keys.status_code == 400
    assert "push keys are not ones Gentling can use" in bad_keys.json()["error"]
    assert not PushSubscription.objects.exists()


def test_the_unsubscribe_link_works_without_logging_in(client, owner, household):
    owner.email = "olive@example.org"
    owner.save()
    r = set_reminders(keeper=owner, household=household, choice=ReminderChoice(channel="both"))
    url = reverse("unsubscribe", args=[unsubscribe_token(r)])

    asked = client.get(url)
    assert asked.status_code == 200 and "Stop the daily reminder emails for Maple Street?" in asked.content.decode()
    assert Reminders.objects.get(pk=r.pk).channel == "both"  # a link scanner's GET changes nothing

    done = client.post(url)
    assert done.status_code == 200 and "No more reminder emails for Maple Street" in done.content.decode()
    assert Reminders.objects.get(pk=r.pk).channel == "push"


def test_a_mail_clients_one_click_unsubscribe(client, owner, household):
    owner.email = "olive@example.org"
    owner.save()
    r = set_reminders(keeper=owner, household=household, choice=ReminderChoice(channel="email"))

    response = client.post(reverse("unsubscribe", args=[unsubscribe_token(r)]), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200 and Reminders.objects.get(pk=r.pk).channel == "none"


def test_a_changed_token_is_404_and_changes_nothing(client, owner, household):
    r = set_reminders(keeper=owner, household=household, choice=ReminderChoice(channel="push"))
    token = unsubscribe_token(r)

    response = client.post(reverse("unsubscribe", args=[token[:-3] + "abc"]))

    assert response.status_code == 404 and Reminders.objects.get(pk=r.pk).channel == "push"
