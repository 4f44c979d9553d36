"""Log a session after the fact (web/views/log.py), without script: the form posts and the
session is logged by the same service as everywhere else. With script the same fields go
through the outbox to the API (tests/browser/test_outbox.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.models import Session

from .helpers import messages_of, text

pytestmark = pytest.mark.django_db


def form(rat, **over) -> dict:
    start = timezone.localtime(timezone.now() - timedelta(hours=2))
    data = {
        "animals": [rat.public_id],
        "started_at": f"{start:%Y-%m-%dT%H:%M:%S}",
        "minutes": "3",
        "seconds": "20",
        "activities": ["talked"],
        "holds": "",
        "notes": "after dinner",
    }
    return data | over


def test_the_page_offers_every_animal_still_here_and_every_activity(client, owner, household, rat):
    client.force_login(owner)
    page = client.get(reverse("session_log", args=[household.public_id]))
    shown = text(page)
    assert rat.name in shown and "Talked to them" in shown and "Petted" in shown
    assert f'data-outbox="/api/v1/households/{household.public_id}/sessions"' in page.content.decode()


def test_a_session_is_logged_to_the_second(client, owner, household, rat):
    client.force_login(owner)
    answer = client.post(reverse("session_log", args=[household.public_id]), form(rat))
    assert answer.status_code == 302 and answer["Location"] == reverse("today", args=[household.public_id])
    (session,) = Session.objects.all()
    assert session.duration_seconds == 200 and session.notes == "after dinner"
    assert messages_of(client.get(answer["Location"])) == [f"Saved the session with {rat.name}."]


@pytest.mark.parametrize(
    "over, says",
    [
        ({"minutes": "0", "seconds": "0"}, "must last more than zero seconds"),
        ({"animals": []}, "Tick at least one animal."),
        ({"activities": []}, "Nothing to record"),
        ({"seconds": "75"}, "Seconds: Ensure this value is less than or equal to 59."),
    ],
    ids=["no-length", "no-animal", "nothing-done", "seconds-over-59"],
)
def test_a_bad_session_is_refused_with_a_reason_and_nothing_is_saved(client, owner, household, rat, over, says):
    client.force_login(owner)
    answer = client.post(reverse("session_log", args=[household.public_id]), form(rat, **over))
    assert answer.status_code == 200 and says in text(answer)
    assert not Session.objects.exists()


def test_a_save_names_its_animals_and_a_refused_one_shows_the_page_with_every_animal_again(
    client, owner, household, rat, other_household
):
    """A save reads only the animals it names; when it is refused, the page offers them all again."""
    from gentling.models import Animal
    from tests.factories import make_animal

    client.force_login(owner)
    today = timezone.localdate()
    basil = make_animal(household, today=today, name="Basil", days_ago=5)
    gone = make_animal(household, today=today, name="Pepper", days_ago=5, status=Animal.Status.ADOPTED)
    theirs = make_animal(other_household, today=today, name="Stranger", days_ago=5)
    url = reverse("session_log", args=[household.public_id])

    answer = client.post(url, form(rat, animals=[rat.public_id, basil.public_id]))
    assert answer.status_code == 302 and Session.objects.count() == 2

    answer = client.post(url, form(rat, animals=[rat.public_id, gone.public_id]))
    assert answer.status_code == 200 and "Pepper is no longer here" in text(answer)
    shown = answer.content.decode()
    assert f'value="{basil.public_id}"' in shown and f'value="{rat.public_id}"' in shown
    assert f'value="{gone.public_id}"' not in shown  # only animals still here are offered

    for stranger in (theirs.public_id, "nosuchanimal"):
        answer = client.post(url, form(rat, animals=[stranger]))
        assert answer.status_code == 200 and "Select a valid choice" in text(answer)
        assert f'value="{basil.public_id}"' in answer.content.decode()
    assert Session.objects.count() == 2
