"""Fixtures for the handover report: the web fixtures (owner, carer, viewer, outsider,
household) and the demo's rescue rat Ghost, made realistic with a photo, a health
check with a sign during his quarantine, and a session note naming his treats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from gentling.domain.validation import SessionInput
from gentling.models import Animal
from gentling.services.animals import set_photo
from gentling.services.arrivals import record_health_check
from gentling.services.demo import ensure_demo
from gentling.services.households import add_member, local_keeper
from gentling.services.progress import local_today
from gentling.services.sessions import log_session
from tests.web.conftest import other_household  # noqa: F401  (a fixture, re-exported for pytest)
from tests.web.helpers import png_bytes

TREAT_NOTE = "Took a pea from my fingers, then came back for blueberries. Still doesn't like banana."


def make_ghost(owner, now):
    """The demo household (owner: `owner`) and its rescue rat Ghost, with a photo, a
    sneeze on a health check in quarantine, and a session note about treats."""
    demo, _ = ensure_demo(keeper=owner, now=now)
    ghost = Animal.objects.get(household=demo, name="Ghost")
    today = local_today(demo, now)
    set_photo(animal=ghost, upload=SimpleUploadedFile("ghost.png", png_bytes(size=(40, 40)), content_type="image/png"))
    record_health_check(
        keeper=owner,
        animal=ghost,
        day=today - timedelta(days=12),
        signs=["sneezing"],
        notes="A few sneezes at the new bedding.",
        now=now,
    )
    record_health_check(keeper=owner, animal=ghost, day=today - timedelta(days=11), signs=[], now=now)
    start = now - timedelta(minutes=40)
    log_session(
        keeper=owner,
        household=demo,
        animals=[ghost],
        now=now,
        entry=SessionInput(
            start,
            start + timedelta(minutes=8),
            ["talked", "treat_from_fingers"],
            [],
            ["ate_from_fingers"],
            notes=TREAT_NOTE,
        ),
    )
    return demo, Animal.objects.get(pk=ghost.pk)


@pytest.fixture
def ghost(owner, viewer):
    """Ghost in a demo household where `owner` is the owner and `viewer` a viewer."""
    demo, animal = make_ghost(owner, timezone.now())
    add_member(by=owner, household=demo, keeper=viewer, role="viewer")
    return animal


@dataclass(frozen=True)
class Rendered:
    """Ghost's report, made once for the module: plain values only, the database rolled back."""

    html: str
    a4: bytes
    a4_pages: int
    letter: bytes
    letter_pages: int
    step_title: str
    quarantine_dates: tuple  # (started_on, ends_on)


@pytest.fixture(scope="package")
def ghost_report(django_db_setup, django_db_blocker) -> Rendered:
    from gentling.services.arrivals import quarantine_of
    from gentling.services.report import handover_report, report_html, report_pdf

    with django_db_blocker.unblock(), transaction.atomic():
        now = timezone.now()
        _, animal = make_ghost(local_keeper("rita-rescue"), now)
        report = handover_report(animal, now)
        html = report_html(report)
        a4, letter = report_pdf(html), report_pdf(report_html(report, paper="letter"))
        q = quarantine_of(animal, report.made_on)
        rendered = Rendered(
            html, a4.data, a4.pages, letter.data, letter.pages, report.progress.step_title, (q.started_on, q.ends_on)
        )
        transaction.set_rollback(True)
    return rendered
