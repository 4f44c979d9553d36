"""The reminders page on a phone (issue 15): choosing a time and a way, the animals asked only
for "only the animals I care for", and this device's notifications turned on and off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login
from .test_screenshots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_reminders_on_a_phone(page, rat_home):
    from gentling.models import Reminders

    household, rat = rat_home
    login(page)
    page.goto(f"/h/{household.public_id}/")
    page.get_by_role("link", name="More").click()
    page.get_by_role("link", name="Data & reminders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")

    cares = page.get_by_role("group", name="The animals I care for")
    expect(cares).to_be_hidden()
    page.get_by_label("Only the animals I care for").check()
    expect(cares).to_be_visible()
    cares.get_by_label(rat.name).check()
    page.get_by_label("Remind me at").fill("07:45")
    page.get_by_label("A notification on my phone").check()
    # This device has no subscription yet: it is offered one, and nothing to turn off.
    expect(page.locator("#push-state")).to_have_text("Notifications are off for this device.")
    expect(page.get_by_role("button", name="Turn on notifications here")).to_be_visible()
    expect(page.get_by_role("button", name="Turn them off here")).to_be_hidden()
    shoot(page, "phone-reminders")
    page.get_by_role("button", name="Save reminders").click()

    expect(page.locator(".messages")).to_contain_text("Saved: a notification on my phone every day at 07:45.")
    r = Reminders.objects.get()
    assert (r.channel, r.scope, f"{r.remind_at:%H:%M}") == ("push", "mine", "07:45")
    assert list(r.cares_for.all()) == [rat]
