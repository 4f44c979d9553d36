"""The session screen on a phone (issue 14, part 1): a tap selects, visibly; what the step does
not ask for yet is under "Other" and recorded all the same; its warning appears beside it, says
when it will be fine, and is counted on Save; Today then shows one short summary."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import login
from .test_screenshots import SHOTS, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tap_selects_visibly_and_a_warning_sits_beside_what_caused_it(page, rat_home):
    household, rat = rat_home
    login(page)
    page.goto(f"/h/{household.public_id}/")
    page.get_by_role("group", name="Start a session with").get_by_label(rat.name).check()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url("**/sessions/open/**")

    # Nothing is ticked in advance; a tap ticks, and the tick shows.
    talked = page.get_by_label("Talked to them")
    expect(talked).not_to_be_checked()
    talked.check()
    expect(talked).to_be_checked()
    tick = page.evaluate(
        "() => getComputedStyle(document.querySelector('input[value=talked] + span'), '::before').content"
    )
    assert "\u2713" in tick, tick

    # Petting is not part of this step: it is under "Other", and can be recorded all the same.
    petted = page.get_by_label("Petted")
    expect(petted).to_be_hidden()
    page.get_by_text("Other: not part of this step yet").click()
    petted.check()

    # The warning appears beside the taps, says when petting will be fine, and Save counts it.
    beside = page.locator("#beside-activities .alert.warning")
    expect(beside).to_contain_text(f"{rat.name}: Petting comes after")
    expect(beside).to_contain_text(re.compile(r"Petting from about \d{1,2} [A-Z][a-z]+"))
    save = page.get_by_role("button", name=re.compile("^Save session"))
    expect(save).to_have_text("Save session · 1 warning")
    gap = page.evaluate(
        """() => document.querySelector('#beside-activities').getBoundingClientRect().top
                 - document.querySelector('#taps-now').getBoundingClientRect().bottom"""
    )
    assert 0 <= gap < 60, f"the warning is {gap} px away from the taps that caused it"
    # Save rests in sight, above the tab bar, wherever the keeper has scrolled to.
    petted.scroll_into_view_if_needed()
    button, tabs = save.bounding_box(), page.locator(".tabbar").bounding_box()
    assert button["y"] >= 0 and button["y"] + button["height"] <= tabs["y"] + 1, (button, tabs)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-session-warning.png"))

    # Untapping takes the warning away again.
    petted.uncheck()
    expect(beside).to_have_count(0)
    expect(save).to_have_text("Save session")
    petted.check()
    expect(save).to_have_text("Save session · 1 warning")

    # Saved: Today shows one short summary, the warning said once.
    save.click()
    page.wait_for_url(re.compile(r"/h/[^/]+/$"))
    summary = page.locator(".messages li")
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text(f"Saved the session with {rat.name}.")
    expect(summary).to_contain_text(f"{rat.name}: Petting comes after")
    shoot(page, "phone-today-after-saving")
