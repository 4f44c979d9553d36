"""Today's "Needs attention" (issue 15, part 5): the items with where to act, "Not today"."""

import re
import uuid
from datetime import timedelta

from django.urls import reverse

from tests.factories import make_animal

from .helpers import today


def test_today_lists_what_needs_attention_with_where_to_act_and_not_today(client, owner, household):
    never = make_animal(household, today=today(), name="Never", days_ago=6)
    client.force_login(owner)
    url = reverse("today", args=[household.public_id])

    body = client.get(url).content.decode()

    section = re.search(r'<section class="card attention".*?</section>', body, re.S).group(0)
    assert "Never: no session since settling in." in section
    assert reverse("animal", args=[household.public_id, never.public_id]) in section
    assert f'name="key" value="missed:{never.public_id}"' in section

    client.post(
        reverse("attention_dismiss", args=[household.public_id]),
        {"key": f"missed:{never.public_id}", "once": uuid.uuid4().hex},
    )
    assert 'class="card attention"' not in client.get(url).content.decode()


def test_another_day_lists_nothing_to_attend(client, owner, household):
    make_animal(household, today=today(), name="Never", days_ago=6)
    client.force_login(owner)
    other = (today() - timedelta(days=1)).isoformat()

    body = client.get(reverse("today", args=[household.public_id]) + f"?date={other}").content.decode()

    assert 'class="card attention"' not in body


def test_a_viewer_sees_the_list_without_not_today(client, viewer, household):
    make_animal(household, today=today(), name="Never", days_ago=6)
    client.force_login(viewer)

    body = client.get(reverse("today", args=[household.public_id])).content.decode()

    assert "Never: no session since settling in." in body and "Not today" not in body
