"""The short add-animal form on a phone (issue 14, part 3), and a new household's time zone
proposed from the device."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, login
from .test_screenshots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_short_form_shows_what_applies_and_adds_two_that_arrived_together(page, rat_home):
    from gentling.models import Animal

    household, rat = rat_home
    login(page)
    page.goto(f"/h/{household.public_id}/animals/new/")
    shoot(page, "phone-add-animal")

    # The neutering date is for males only; the new cage's name only for a new cage.
    neutered = page.get_by_label("Neutered on (males)")
    page.get_by_text("More details").click()
    page.get_by_label("Sex").select_option("female")
    expect(neutered).to_be_hidden()
    page.get_by_label("Sex").select_option("male")
    expect(neutered).to_be_visible()
    page.get_by_label("Sex").select_option("female")
    new_cage = page.get_by_label("New cage", exact=True)
    expect(new_cage).to_be_hidden()
    page.get_by_label("Cage", exact=True).select_option("__new__")
    expect(new_cage).to_be_visible()
    expect(new_cage).to_be_focused()

    # Luna, then the one that arrived with her: the shared fields come along.
    page.get_by_label("Name").fill("Luna")
    page.get_by_label("Came from").select_option("breeder")
    new_cage.fill("Duo")
    another = page.get_by_role("button", name="Add, then another that arrived with her")
    another.click()
    expect(page.locator(".messages")).to_contain_text("Now the one that arrived with Luna.")
    expect(page.get_by_label("Came from")).to_have_value("breeder")
    expect(page.get_by_label("Cage", exact=True)).to_have_value("Duo")
    page.get_by_label("Name").fill("Nova")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Add animal").click()
    page.wait_for_url(re.compile(r"/h/[^/]+/$"))
    luna, nova = Animal.objects.get(name="Luna"), Animal.objects.get(name="Nova")
    assert luna.cage == nova.cage and luna.cage.name == "Duo"
    assert (nova.source, nova.arrival_date) == (luna.source, luna.arrival_date)


def test_a_new_household_is_proposed_the_devices_time_zone(new_context, keeper):
    page = new_context(viewport=PHONE, timezone_id="America/Toronto").new_page()
    login(page)
    page.goto("/households/")
    expect(page.get_by_label("Time zone")).to_have_value("America/Toronto")
    expect(page.locator("#zone-proposed")).to_have_text("Proposed from this device: America/Toronto.")
