"""A cohort's page on a phone and a desktop (issue 16, part 4): days to each step, compared with
another cohort, and the curve; screenshots, and axe finds nothing serious."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, login
from .test_accessibility import audit, report
from .test_screenshots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size, viewport", [("phone", PHONE), ("desktop", DESKTOP)], ids=["phone", "desktop"])
def test_a_cohort_compared_with_another(new_context, rat_home, size, viewport):
    from gentling.services.cohorts import create_cohort
    from tests.factories import bring_to_step

    household, rat = rat_home
    keeper = household.memberships.get().keeper
    ready = bring_to_step(keeper, household, "first-pickups", now=timezone.now(), name="Biscuit", cage="Girls")
    create_cohort(keeper=keeper, household=household, name="Pet store", animals=[rat.public_id])
    page = new_context(viewport=viewport).new_page()
    login(page)

    page.goto(f"/h/{household.public_id}/cohorts/")
    page.get_by_label("Name").fill("Breeder girls")
    page.get_by_role("group", name="Its animals").get_by_label(ready.name).check()
    page.get_by_role("button", name="Make cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Breeder girls")
    page.get_by_role("group", name="Compare with").get_by_label("Pet store").check()
    page.get_by_role("button", name="Show").click()

    table = page.get_by_role("table")
    expect(table).to_contain_text("Breeder girls (1)")
    expect(table).to_contain_text("Pet store (1)")
    chart = page.get_by_role(
        "img", name="Chart: the share of each group that reached the step by each day after arrival"
    )
    expect(chart).to_be_visible()
    assert page.evaluate("() => document.querySelector('figure.chart img').naturalWidth") > 0
    shoot(page, f"{size}-cohort")
    problems = audit(page, {"cohort": page.url, "cohorts": f"/h/{household.public_id}/cohorts/"})
    assert not problems, report(problems)


def test_a_tickling_cohorts_call_counts_over_sessions_on_a_phone(new_context, rat_home):
    from datetime import datetime, time, timedelta

    from gentling.domain.validation import SessionInput
    from gentling.services.cohorts import create_cohort
    from gentling.services.sessions import log_session
    from tests.factories import make_animal

    household, _ = rat_home
    keeper = household.memberships.get().keeper
    today = timezone.localdate()
    rats = [
        make_animal(household, today=today, name=n, source="breeder", days_ago=8, protocol="rat-tickling")
        for n in ("Ada", "Bea")
    ]
    for n, rat in enumerate(rats):
        for d in range(3):
            start = datetime.combine(today - timedelta(days=5 - d), time(9), timezone.get_current_timezone())
            entry = SessionInput(
                start, start + timedelta(minutes=3), ["tickled"], measures={"calls_50khz": 20 + 15 * d + 5 * n}
            )
            log_session(keeper=keeper, household=household, animals=[rat], entry=entry, now=start + timedelta(hours=1))
    cohort = create_cohort(keeper=keeper, household=household, name="Tickled", animals=[r.public_id for r in rats])
    page = new_context(viewport=PHONE).new_page()
    login(page)
    page.goto(f"/h/{household.public_id}/cohorts/{cohort.public_id}/")

    section = page.get_by_role("region", name="Measures over sessions")
    expect(section.get_by_label("Measure")).to_have_value("calls_50khz")
    expect(section.get_by_role("table")).to_contain_text("52.5")  # (50 + 55) / 2 at the 3rd session
    chart = section.get_by_role(
        "img", name="Chart: the mean of the measure over each group's animals, session by session"
    )
    chart.scroll_into_view_if_needed()
    assert page.evaluate("() => document.querySelector('#measures-h ~ figure img').naturalWidth") > 0
    shoot(page, "phone-cohort-measures")
    problems = audit(page, {"cohort with measures": page.url})
    assert not problems, report(problems)
