"""Today's "Needs attention" on a phone (issue 15, part 5): the item links to where to act, and
"Not today" hides it until tomorrow."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import login
from .test_screenshots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_attention_list_on_today(page, rat_home):
    from gentling.services.progress import local_today
    from tests.factories import make_animal

    household, _ = rat_home
    quiet = make_animal(
        household, today=local_today(household, timezone.now()), name="Pepper", days_ago=8, cage="Small cage"
    )
    login(page)
    page.goto(f"/h/{household.public_id}/")

    section = page.get_by_role("region", name="Needs attention")
    expect(section).to_contain_text("Pepper: no session since settling in.")
    shoot(page, "phone-today-attention")

    section.get_by_role("link", name="Pepper: no session since settling in", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(quiet.name)
    page.go_back()
    page.get_by_role("region", name="Needs attention").get_by_role("button", name="Not today").click()
    expect(page.get_by_role("region", name="Needs attention")).to_have_count(0)
