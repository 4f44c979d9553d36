"""An animal's page on a phone starts with its name, its step and its next milestone; the photo
comes after (issue 14, part 2). A phone shows the page in its order, one column."""

import re

from django.urls import reverse

from .helpers import text


def test_the_page_starts_with_name_step_and_next_milestone_then_the_photo(client, owner, household, rat):
    client.force_login(owner)

    response = client.get(reverse("animal", args=[household.public_id, rat.public_id]))

    body = response.content.decode()
    name, step = body.index(f"<h1>{rat.name}</h1>"), body.index('class="step-pill"')
    milestone, photo = body.index('class="next-milestone"'), body.index('class="photo"')
    assert name < step < milestone < photo
    assert re.search(r"Next: Treats closer, then from your fingers ?, about \d{1,2} [A-Z][a-z]+\.", text(response))
