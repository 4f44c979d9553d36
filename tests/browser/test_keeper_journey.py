"""A new keeper's first day, on a phone: sign up, make a household, add a rat,
run a timed session with the hold stopwatch, and see it on Today and the rat's page."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TREATS_STEP = "Treats with your hand in the cage"
TREATS_TASK = re.compile(r"Rest your hand in the cage with treats")


def timer_text(page) -> str:
    return page.locator(".timer[data-started]").inner_text()


def seconds(clock: str) -> int:
    parts = [int(x) for x in clock.split(":")]
    total = 0
    for part in parts:
        total = total * 60 + part
    return total


def test_first_day_with_a_new_rat(page, live_server, transactional_db):
    # Sign up.
    page.goto("/")
    page.get_by_role("link", name="Sign up free").click()
    page.get_by_label("Username").fill("olive")
    page.get_by_label("Password", exact=True).fill("a-long-Gentle-passphrase-42")
    page.get_by_label("Password confirmation").fill("a-long-Gentle-passphrase-42")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/households/$"))
    expect(page.locator(".messages")).to_contain_text("Welcome, olive")

    # Create a household.
    page.get_by_label("Name").fill("Olive's rats")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_role("button", name="Create household").click()
    expect(page).to_have_url(re.compile(r"/h/[^/]+/animals/new/$"))

    # Add a rat that came home four days ago: past settling in (3 days for a pet-store rat).
    arrival = timezone.now().astimezone(ZoneInfo("Europe/London")).date() - timedelta(days=4)
    page.get_by_label("Name").fill("Whiskers")
    page.get_by_label("Species").select_option("rat")
    page.get_by_label("Came from").select_option("pet_store")
    page.get_by_label("Arrived home on").fill(arrival.isoformat())
    page.get_by_role("button", name="Add animal").click()
    expect(page).to_have_url(re.compile(r"/h/[^/]+/$"))

    # Today: the rat's card is on the treats step, nothing done yet.
    card = page.locator("article.card", has=page.get_by_role("link", name="Whiskers"))
    expect(card).to_contain_text(TREATS_STEP)
    treats_task = card.locator(".tasks li", has_text=TREATS_TASK)
    expect(treats_task.locator(".count")).to_have_text("0 of 2")

    # Start a session with the rat.
    page.get_by_role("group", name="Start a session with").get_by_label("Whiskers").check()
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/sessions/open/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Session with Whiskers")

    # The timer runs.
    first = timer_text(page)
    page.wait_for_timeout(1500)
    second = timer_text(page)
    assert first != second, f"the session timer did not advance: {first!r} then {second!r}"
    assert seconds(second) > seconds(first)

    # Tap what happened.
    treats = page.get_by_label("Treats in the cage, hand inside")
    took = page.get_by_label("Took a treat")
    treats.check()
    took.check()
    expect(treats).to_be_checked()
    expect(took).to_be_checked()

    # The hold stopwatch, under "Other" at this step: pick up, wait, put down.
    page.get_by_text("Other: not part of this step yet").click()
    hold = page.locator("#hold-button")
    hold.click()
    expect(hold).to_have_text("Put down: stop hold")
    page.wait_for_timeout(1200)
    hold.click()
    expect(hold).to_have_text("Pick up: start hold")
    expect(page.locator("#id_holds")).to_have_value(re.compile(r"^\d+$"))
    expect(page.locator("#holds-list")).to_contain_text("Hold 1")

    # The htmx check warns before saving: pick-ups are not part of this step yet.
    alerts = page.locator("#beside-holds")
    expect(alerts.locator(".alert.warning")).to_contain_text("Pick-ups are not part of")
    expect(alerts).to_contain_text(TREATS_STEP)

    # A reload keeps the same start: the timer shows the time elapsed, not 00:00.
    page.wait_for_timeout(1500)
    before = seconds(timer_text(page))
    page.reload()
    after_text = timer_text(page)
    assert after_text != "00:00", "after a reload the session timer started again from zero"
    assert seconds(after_text) >= before >= 2, (before, after_text)

    # The reload keeps what was tapped (the check saved it as a draft), and "Other" opens by itself
    # on the hold it holds. Save, and the button said how many warnings there are.
    expect(treats).to_be_checked()
    expect(took).to_be_checked()
    expect(page.locator("#id_holds")).to_have_value(re.compile(r"^\d+$"))
    expect(page.locator("details.other")).to_have_attribute("open", "")
    page.locator("#id_holds").fill("1")
    expect(page.get_by_role("button", name=re.compile(r"^Save session · \d warnings?$"))).to_be_visible()
    page.get_by_role("button", name=re.compile("^Save session")).click()

    # Back on Today: one session, and the treats task counts it.
    expect(page).to_have_url(re.compile(r"/h/[^/]+/$"))
    expect(page.locator(".messages")).to_contain_text("Saved the session with Whiskers.")
    expect(card).to_contain_text("1 session logged this day")
    expect(treats_task.locator(".count")).to_have_text("1 of 2")

    # The rat's page: the sessions chart loads and the session is listed.
    card.get_by_role("link", name="Whiskers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Whiskers")
    chart = page.get_by_role("img", name="Chart: Sessions per day for Whiskers")
    chart.scroll_into_view_if_needed()
    wait_until(page, "img => img.complete && img.naturalWidth > 0", chart.element_handle())
    assert chart.evaluate("img => img.naturalWidth") > 0
    sessions = page.locator("h2:text-is('Sessions') + ul.timeline > li")
    expect(sessions).to_have_count(1)
    expect(sessions.first).to_contain_text("Treats in the cage, hand inside")
    expect(sessions.first).to_contain_text("Took a treat")
    expect(sessions.first).to_contain_text(re.compile(r"hold \d+ s"))
    expect(sessions.first).to_contain_text("olive")
