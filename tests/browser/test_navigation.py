"""Finding one's way on a phone: a household's menu is a tab bar at the bottom (Today, Animals,
Guide, More), nothing is hidden behind sideways scrolling, and More holds the rest (base.html)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


def test_on_a_phone_the_menu_is_a_tab_bar_within_reach(page, keeper, rat_home):
    household, _ = rat_home
    login(page)
    page.goto(f"/h/{household.public_id}/")
    tabs = page.get_by_role("navigation", name="Main, at the bottom")
    expect(tabs.get_by_role("link")).to_have_text(["Today", "Animals", "Guide", "More"])
    box = tabs.bounding_box()
    assert box is not None and box["y"] + box["height"] == pytest.approx(844, abs=1)  # along the bottom edge
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    expect(tabs.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    tabs.get_by_role("link", name="Animals").click()
    expect(
        page.get_by_role("navigation", name="Main, at the bottom").get_by_role("link", name="Animals")
    ).to_have_attribute("aria-current", "page")
    page.get_by_role("navigation", name="Main, at the bottom").get_by_role("link", name="More").click()
    for name in ("People", "Data & reminders", "Households", "Log a session you have had"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/h/" not in url)


def test_on_a_desktop_the_menu_stays_at_the_top(new_context, keeper, rat_home):
    household, _ = rat_home
    page = new_context(viewport=DESKTOP).new_page()
    login(page)
    page.goto(f"/h/{household.public_id}/")
    expect(page.get_by_role("navigation", name="Main, at the bottom")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Main", exact=True).get_by_role("button", name="Log out")
    ).to_be_visible()
