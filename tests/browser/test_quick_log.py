"""Quick log on a phone (issue 14, part 2): one tap on a task of Today logs it; a toast offers
to undo it for a few seconds, and Undo takes it back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import login
from .test_screenshots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_tap_logs_a_task_and_the_toast_undoes_it(page, rat_home):
    from gentling.models import Session

    household, rat = rat_home
    login(page)
    page.goto(f"/h/{household.public_id}/")
    card = page.locator("article.card", has=page.get_by_role("link", name=rat.name))
    treats = card.get_by_role("button", name=re.compile(rf"^Log now for {rat.name}: Rest your hand in the cage"))
    expect(treats.locator(".count")).to_have_text("1 of 2")  # the session logged earlier today
    before = Session.objects.count()

    treats.click()

    toast = page.get_by_role("status").filter(has_text="Logged")
    expect(toast).to_contain_text(f"Logged “Treats in the cage, hand inside” for {rat.name}.")
    expect(treats.locator(".count")).to_have_text("2 of 2")
    assert Session.objects.count() == before + 1
    shoot(page, "phone-today")

    toast.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text(f"Undone: nothing of that log was kept for {rat.name}.")
    assert Session.objects.count() == before
    expect(treats.locator(".count")).to_have_text("1 of 2")


def test_the_toast_goes_away_by_itself(page, rat_home):
    household, rat = rat_home
    login(page)
    page.goto(f"/h/{household.public_id}/")
    page.get_by_role("button", name=re.compile(rf"^Log now for {rat.name}: Talk to them")).click()
    toast = page.locator(".toast")
    expect(toast).to_be_visible()
    expect(toast).to_be_hidden(timeout=12_000)
