"""Full-page screenshots of the main pages at phone and desktop sizes, for a person
to look at (test-artifacts/screenshots/, git-ignored). The data is the demo
household: five animals at different steps, with weeks of sessions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from .conftest import DESKTOP, PASSWORD, PHONE, REPO_ROOT, login, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


def load_all_images(page) -> None:
    """Lazy images below the fold would be blank in a full-page screenshot."""
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
    wait_until(page, "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")


def shoot(page, name: str) -> None:
    """A whole-page picture. Chromium's full-page capture draws sticky bars where the
    phone-sized viewport would put them, over the middle of the page; a viewport as
    tall as the page puts them where they rest instead."""
    page.wait_for_load_state("networkidle")
    load_all_images(page)
    page.evaluate("window.scrollTo(0, 0)")
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    path = SHOTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
    assert path.stat().st_size > 0, f"{path} is empty"


@pytest.mark.parametrize("size, viewport", [("phone", PHONE), ("desktop", DESKTOP)], ids=["phone", "desktop"])
def test_screenshots_of_the_main_pages(new_context, keeper, size, viewport):
    from gentling.models import Animal
    from gentling.services.demo import ensure_demo

    household, _ = ensure_demo(keeper=keeper, now=timezone.now())
    biscuit = Animal.objects.get(household=household, name="Biscuit")
    SHOTS.mkdir(parents=True, exist_ok=True)
    h = f"/h/{household.public_id}"
    page = new_context(viewport=viewport).new_page()

    page.goto("/")
    shoot(page, f"{size}-welcome")

    login(page, keeper.username, PASSWORD)
    page.goto(f"{h}/")
    shoot(page, f"{size}-today")

    page.get_by_role("group", name="Start a session with").get_by_label("Biscuit").check()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url("**/sessions/open/**")
    page.get_by_label("Took a treat").check()
    page.locator("#hold-button").click()
    with page.expect_response(lambda r: r.url.endswith("/check/")):  # the live check has answered
        page.locator("#hold-button").click()
    shoot(page, f"{size}-session")

    page.goto(f"{h}/animals/{biscuit.public_id}/")
    shoot(page, f"{size}-animal")

    page.goto(f"{h}/animals/new/")
    shoot(page, f"{size}-animal-form")

    page.goto("/guide/rat/first-pickups/")
    shoot(page, f"{size}-guide-step")
