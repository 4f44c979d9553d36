"""An introduction in the browser: log a meeting with the timer, and see a danger
outcome stop it and step it back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def introduction(keeper):
    from gentling.services.arrivals import start_introduction
    from gentling.services.households import create_household
    from gentling.services.progress import local_today
    from tests.factories import make_animal

    household = create_household(keeper=keeper, name="Olive's rats", time_zone="UTC")
    today = local_today(household, timezone.now())

    doe = {"sex": "female", "source": "pet_store", "keeper": keeper}
    rosa = make_animal(household, today=today, name="Rosa", days_ago=120, cage="Big cage", **doe)
    nova = make_animal(household, today=today, name="Nova", days_ago=40, cage="Nova's cage", **doe)  # out of quarantine
    intro = start_introduction(
        keeper=keeper,
        household=household,
        newcomers=[nova],
        residents=[rosa],
        cage_name="Big cage",
        day=today - timedelta(days=6),
    )
    return household, intro


def test_log_meetings_and_a_danger_stops_the_introduction(page, introduction):
    household, intro = introduction
    login(page)
    page.goto(f"/h/{household.public_id}/introductions/{intro.public_id}/")
    assert page.locator(".ladder li[aria-current=step]").inner_text().startswith("Meetings on neutral ground")

    # The meeting timer fills in the length; normal dominance is not danger.
    page.get_by_role("button", name="Start meeting timer").click()
    page.wait_for_timeout(600)
    page.get_by_role("button", name="Stop").click()
    assert int(page.locator("#id_minutes").input_value()) >= 1
    page.locator("#id_minutes").fill("35")
    page.get_by_text("Pinning the newcomer on its back").click()
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_load_state()
    assert "Good meetings (30 minutes or more, no danger): 1 of 3" in " ".join(page.inner_text("main").split())
    assert "Pinning the newcomer" in page.locator(".timeline").first.inner_text()

    # Blood: stop, separate now, one stage back.
    page.locator("#id_minutes").fill("10")
    page.get_by_text("Any blood").click()
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_load_state()
    alert = page.locator(".messages .alert").first.inner_text()
    assert "Separate them now" in alert and "towel or gloves" in alert
    assert page.locator(".ladder li[aria-current=step]").inner_text().startswith("Cages side by side")
    assert page.locator(".alert.stop").filter(has_text="Last danger").count() == 1
