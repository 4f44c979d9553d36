"""Logging with no signal, on a phone (web/views/log.py, static/gentling/outbox.js): sessions
saved offline wait in the outbox, survive a reload, and are each stored exactly once when the
network returns, even when a send is cut off after the server saved it. A session the server
refuses stays, with its reason, until discarded. Runs on SQLite and, in CI's second pass, on
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from gentling.models import Animal, Session

from .conftest import REPO_ROOT, login, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
WORKER_READY = "navigator.serviceWorker.controller !== null"
NOTHING_WAITING = "document.getElementById('outbox-summary').textContent === 'Nothing waiting.'"


def open_log_page(page, household):
    login(page)
    page.goto(f"/h/{household.public_id}/sessions/log/")
    wait_until(page, WORKER_READY)
    page.reload()  # through the worker now, which keeps the page for offline use


def save(page, *, minutes: str, started_at: str, notes: str = "") -> None:
    page.get_by_label("Whiskers").check()
    page.get_by_label("Talked to them").check()
    page.get_by_label("Started at").fill(started_at)
    page.get_by_label("Minutes").fill(minutes)
    page.get_by_label("Notes").fill(notes)
    page.get_by_role("button", name="Save session").click()


def started(hours_ago: int) -> str:
    """A start `hours_ago`, as the form's field takes it (the test households are in UTC)."""
    return (timezone.now() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%S")


def test_two_sessions_logged_offline_are_kept_and_stored_once_when_back_online(page, keeper, rat_home):
    household, rat = rat_home
    before = Session.objects.count()
    open_log_page(page, household)
    page.context.set_offline(True)
    try:
        save(page, minutes="4", started_at=started(3), notes="first, no signal")
        save(page, minutes="6", started_at=started(2), notes="second, no signal")
        expect(page.locator("#outbox-summary")).to_contain_text("2 sessions waiting to send")
        page.reload()  # still no signal: the page comes from the worker, the sessions from the outbox
        expect(page.locator("#outbox-summary")).to_contain_text("2 sessions waiting to send")
        expect(page.locator("#outbox-banner")).to_contain_text("2 sessions waiting to send")
        assert Session.objects.count() == before
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / "phone-outbox-offline.png"), full_page=False)
    finally:
        page.context.set_offline(False)
    wait_until(page, NOTHING_WAITING, timeout=20)
    expect(page.locator("#outbox-items")).to_contain_text("Sent: Whiskers")
    notes = sorted(Session.objects.exclude(notes="Calm.").values_list("notes", flat=True))
    assert notes == ["first, no signal", "second, no signal"]
    assert Session.objects.count() == before + 2


def test_a_send_cut_off_after_the_server_saved_is_sent_again_and_stored_once(page, keeper, rat_home):
    household, rat = rat_home
    before = Session.objects.count()
    open_log_page(page, household)
    api = f"**/api/v1/households/{household.public_id}/sessions"
    cut = []

    def saved_then_lost(route):
        route.fetch()  # the server stores it...
        cut.append(route.request.headers["idempotency-key"])
        try:
            route.abort("connectionreset")  # ...and the answer never arrives
        except PlaywrightError:  # on a loaded machine the browser may have given up on it first: lost too
            pass

    page.context.route(api, saved_then_lost)
    save(page, minutes="5", started_at=started(3), notes="answer lost")
    for _ in range(100):  # the send reached the server, and its answer was lost on the way back
        if cut:
            break
        page.wait_for_timeout(100)
    assert cut and Session.objects.count() == before + 1
    page.context.unroute(api)
    page.close()  # the keeper closes the app; it sends again the next time it opens
    again = page.context.new_page()
    again.goto(f"/h/{household.public_id}/sessions/log/")
    wait_until(again, NOTHING_WAITING, timeout=20)
    assert Session.objects.count() == before + 1 and len(set(cut)) == 1  # sent again, always with its key
    assert Session.objects.filter(notes="answer lost").count() == 1


def test_a_session_the_server_refuses_stays_with_its_reason_until_discarded(page, keeper, rat_home):
    household, rat = rat_home
    before = Session.objects.count()
    open_log_page(page, household)
    page.context.set_offline(True)
    try:
        save(page, minutes="5", started_at=started(3), notes="after she left")
        Animal.objects.filter(pk=rat.pk).update(status=Animal.Status.ADOPTED)  # meanwhile, on another phone
    finally:
        page.context.set_offline(False)
    refused = page.locator(".outbox-item.refused")
    expect(refused).to_contain_text("no longer here", timeout=20_000)
    page.reload()
    expect(refused).to_contain_text("no longer here")  # never dropped silently
    expect(page.locator("#outbox-banner")).to_contain_text("1 session refused")
    refused.get_by_role("button", name="Discard").click()
    expect(page.locator(".outbox-item.refused")).to_have_count(0)
    assert Session.objects.count() == before
