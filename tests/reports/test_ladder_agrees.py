"""The animal page and the handover report show one ladder (domain/ladder.py)."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from gentling.domain.protocol import StepKind, shipped_protocol
from gentling.services.report import handover_report, report_html
from tests.factories import make_animal
from tests.web.helpers import today

EXTENDED_TITLE = next(s.title for s in shipped_protocol("rat").steps if s.kind is StepKind.EXTENDED_HOLD)


def _page_states(client, household, animal) -> dict[str, str]:
    body = client.get(reverse("animal", args=[household.public_id, animal.public_id])).content.decode()
    ladder = re.search(r'<ol class="ladder">(.*?)</ol>', body, re.S).group(1)
    return {_title(inner): cls for cls, inner in re.findall(r'<li class="(\w+)"[^>]*>(.*?)</li>', ladder, re.S)}


def _title(inner: str) -> str:
    return next(t for t in (s.title for s in shipped_protocol("rat").steps) if t in inner)


def test_the_page_and_the_report_agree_on_every_rung(client, owner, household):
    animal = make_animal(household, today=today(), name="Pip", days_ago=3)
    client.force_login(owner)
    page = _page_states(client, household, animal)
    report = handover_report(animal, timezone.now())
    assert page == {rung.step.title: rung.state for rung in report.ladder}
    assert page[EXTENDED_TITLE] == "skipped"  # not opted in: not chosen, not ahead
    html = report_html(report)
    assert html.count(": not chosen") == 1
