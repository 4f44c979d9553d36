"""A tickling session on a phone (issue 16, part 1): the technique, the bout timer cueing on and
rest (the page's clock is driven by the test), the protocol's own activity ticked at the end, the
call counts typed as numbers; a screenshot, and axe finds nothing serious."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import PHONE, login
from .test_accessibility import audit, report
from .test_screenshots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bout_timer_cues_each_bout_and_ticks_tickling_at_the_end(new_context, rat_home):
    from gentling.models import Session
    from gentling.services.sessions import open_session
    from tests.factories import make_animal

    household, _ = rat_home
    keeper = household.memberships.get().keeper
    today = timezone.localdate()
    tick = make_animal(household, today=today, name="Tick", source="breeder", days_ago=3, protocol="rat-tickling")
    timer = open_session(keeper=keeper, household=household, animals=[tick], now=timezone.now() - timedelta(minutes=1))
    page = new_context(viewport=PHONE).new_page()
    page.clock.install()
    login(page)
    page.goto(f"/h/{household.public_id}/sessions/open/{timer.public_id}/")

    bouts = page.locator(".bouts")
    expect(bouts).to_contain_text("4 bouts: 15 s tickle, 15 s rest, for 2 min")
    expect(page.get_by_role("listitem").filter(has_text="Flip them and pin them")).to_be_visible()
    shoot(page, "phone-session-bouts")
    page.get_by_role("button", name="Start the bouts").click()
    expect(bouts.get_by_role("timer")).to_have_text("Tickle · 15 s · bout 1 of 4")
    page.clock.run_for(16_000)
    expect(bouts.get_by_role("timer")).to_contain_text("Rest")
    page.clock.run_for(120_000)
    expect(bouts.get_by_role("timer")).to_have_text("Done: 4 bouts.")
    expect(page.locator('input[name="activities"][value="tickled"]')).to_be_checked()

    # The draft is kept as it is typed (htmx, after 300 ms): a reload (axe's) shows the count again.
    with page.expect_response(lambda r: "/check" in r.url and "measure_calls_50khz=37" in (r.request.post_data or "")):
        page.get_by_label("50-kHz calls (calls)").fill("37")
        page.get_by_label("50-kHz calls (calls)").blur()
        page.clock.run_for(1_000)
    problems = audit(page, {"session with bouts": page.url})
    assert not problems, report(problems)
    expect(page.get_by_label("50-kHz calls (calls)")).to_have_value("37")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    assert Session.objects.get(animal=tick).measures == {"calls_50khz": 37}
