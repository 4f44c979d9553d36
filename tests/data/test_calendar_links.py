"""Feed links: the data page shows yours; a new link revokes the old; turned off,
replaced, outsider-guessed and ex-member links are all 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.models import CalendarFeed, Membership
from gentling.services.calendar import active_feed, new_feed
from gentling.services.households import add_member

from .helpers import events

pytestmark = pytest.mark.django_db


def _ics(token: str) -> str:
    return reverse("calendar_feed", args=[token])


def test_a_keeper_has_no_link_until_they_turn_it_on(client, owner, household, animals):
    client.force_login(owner)
    body = client.get(reverse("data", args=[household.public_id])).content.decode()
    assert "Turn on the calendar link" in body
    response = client.post(reverse("calendar_new", args=[household.public_id]))
    assert response.status_code == 302
    feed = active_feed(owner, household)
    body = client.get(reverse("data", args=[household.public_id])).content.decode()
    assert f"http://testserver/calendar/{feed.token}.ics" in body
    assert f"webcal://testserver/calendar/{feed.token}.ics" in body
    assert "Make a new link" in body and "Turn off" in body


def test_the_token_is_long_and_random(owner, household):
    a = new_feed(keeper=owner, household=household, now=timezone.now())
    b = new_feed(keeper=owner, household=household, now=timezone.now())
    assert len(a.token) >= 32 and a.token != b.token


def test_making_a_new_link_revokes_the_old_one(client, owner, household, animals):
    client.force_login(owner)
    client.post(reverse("calendar_new", args=[household.public_id]))
    old = active_feed(owner, household).token
    client.post(reverse("calendar_new", args=[household.public_id]))
    new = active_feed(owner, household).token
    assert new != old
    client.logout()
    assert client.get(_ics(old)).status_code == 404
    assert client.get(_ics(new)).status_code == 200
    assert CalendarFeed.objects.filter(keeper=owner, household=household, revoked_at__isnull=True).count() == 1


def test_turning_it_off_makes_the_link_404(client, owner, household, animals):
    feed = new_feed(keeper=owner, household=household, now=timezone.now())
    client.force_login(owner)
    assert client.post(reverse("calendar_off", args=[household.public_id])).status_code == 302
    client.logout()
    assert client.get(_ics(feed.token)).status_code == 404
    assert active_feed(owner, household) is None


def test_each_keeper_has_their_own_link(client, owner, carer, household, animals):
    mine = new_feed(keeper=owner, household=household, now=timezone.now())
    theirs = new_feed(keeper=carer, household=household, now=timezone.now())
    client.force_login(carer)
    client.post(reverse("calendar_off", args=[household.public_id]))
    assert client.get(_ics(mine.token)).status_code == 200
    assert client.get(_ics(theirs.token)).status_code == 404


def test_a_viewer_may_have_a_link_too(client, viewer, household, animals):
    client.force_login(viewer)
    assert client.post(reverse("calendar_new", args=[household.public_id])).status_code == 302
    feed = active_feed(viewer, household)
    assert len(events(client.get(_ics(feed.token)).content)) == 2 * 15


def test_an_unknown_token_is_404(client, household, animals):
    assert client.get(_ics("not-a-real-token-at-all")).status_code == 404


def test_an_outsider_cannot_make_a_link_for_a_household_not_theirs(client, outsider, household):
    client.force_login(outsider)
    assert client.post(reverse("calendar_new", args=[household.public_id])).status_code == 404
    assert not CalendarFeed.objects.filter(keeper=outsider).exists()


def test_an_outsiders_own_link_shows_only_their_household(client, outsider, other_household, household, animals):
    feed = new_feed(keeper=outsider, household=other_household, now=timezone.now())
    body = client.get(_ics(feed.token)).content.decode()
    assert "Zanzibar" in body
    assert "Whiskers" not in body and "Maple Street" not in body


def test_a_keeper_who_left_the_household_gets_404(client, owner, carer, household, animals):
    feed = new_feed(keeper=carer, household=household, now=timezone.now())
    assert client.get(_ics(feed.token)).status_code == 200
    Membership.objects.filter(keeper=carer, household=household).delete()
    response = client.get(_ics(feed.token))
    assert response.status_code == 404
    assert "Whiskers" not in response.content.decode()


def test_joining_again_does_not_revive_an_old_link(client, owner, carer, household, animals):
    feed = new_feed(keeper=carer, household=household, now=timezone.now())
    Membership.objects.filter(keeper=carer, household=household).delete()
    add_member(by=owner, household=household, keeper=carer, role="carer")
    assert client.get(_ics(feed.token)).status_code == 404
    fresh = new_feed(keeper=carer, household=household, now=timezone.now())
    assert client.get(_ics(fresh.token)).status_code == 200


def test_a_deactivated_keepers_link_is_404(client, carer, household, animals):
    feed = new_feed(keeper=carer, household=household, now=timezone.now())
    carer.is_active = False
    carer.save()
    assert client.get(_ics(feed.token)).status_code == 404


def test_the_feed_only_answers_get(client, owner, household, animals):
    feed = new_feed(keeper=owner, household=household, now=timezone.now())
    assert client.post(_ics(feed.token)).status_code == 405


def test_a_head_request_is_answered_for_apps_that_check_first(client, owner, household, animals):
    feed = new_feed(keeper=owner, household=household, now=timezone.now())
    assert client.head(_ics(feed.token)).status_code == 200
