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
