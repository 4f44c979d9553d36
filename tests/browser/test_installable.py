"""The installable app, in Debian's Chromium on a phone viewport: Chromium finds nothing that
stops it installing Gentling (its own check, over the DevTools protocol), the service worker
takes over, and a page opened once still opens with no network (web/views/app.py, sw.js)."""

from __future__ import annotations

import pytest

from .conftest import login, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER_READY = "navigator.serviceWorker.controller !== null"


def test_chromium_finds_gentling_installable(profile_context, keeper, rat_home):
    page = profile_context.new_page()
    login(page)
    page.goto("/today")
    assert page.get_by_role("heading", name="Today").first.is_visible()
    wait_until(page, WORKER_READY)
    cdp = page.context.new_cdp_session(page)
    found = cdp.send("Page.getInstallabilityErrors")
    assert found["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")


def test_today_opened_once_opens_again_with_no_network(page, keeper, rat_home):
    household, rat = rat_home
    login(page)
    page.goto(f"/h/{household.public_id}/")
    wait_until(page, WORKER_READY)
    page.reload()  # now through the worker, which keeps it
    assert page.get_by_text("Whiskers").first.is_visible()
    page.context.set_offline(True)
    try:
        page.reload()
        assert page.get_by_text("Whiskers").first.is_visible()
        page.goto(f"/h/{household.public_id}/people/")  # never opened: said so, plainly
        assert page.get_by_role("heading", name="No connection").is_visible()
    finally:
        page.context.set_offline(False)


def test_logging_out_forgets_the_pages_kept(page, keeper, rat_home):
    household, _ = rat_home
    login(page)
    page.goto(f"/h/{household.public_id}/")
    wait_until(page, WORKER_READY)
    page.reload()
    assert page.evaluate("caches.keys().then(k => k.some(n => n.startsWith('gentling-pages-')))")
    page.get_by_role("link", name="More").click()  # on a phone, logging out is under More
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/h/" not in url)
    page.goto("/accounts/login/")
    wait_until(page, "caches.keys().then(k => !k.some(n => n.startsWith('gentling-pages-')))")
    page.context.set_offline(True)
    try:
        page.goto(f"/h/{household.public_id}/")
        assert page.get_by_role("heading", name="No connection").is_visible()
    finally:
        page.context.set_offline(False)
