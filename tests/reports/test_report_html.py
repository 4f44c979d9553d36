"""The printable page: standalone, with its charts and photo inline, ready for paper."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from gentling.services.report import handover_report, report_html
from tests.factories import make_animal
from tests.web.helpers import today

pytestmark = pytest.mark.django_db


def test_the_four_progress_charts_are_inline_svg(ghost_report):
    assert ghost_report.html.count("<svg") == 4
    assert ghost_report.html.count('class="gentling-chart"') == 4


def test_the_photo_is_embedded_as_a_data_uri(ghost_report):
    assert re.search(r'<img class="photo" src="data:image/png;base64,[A-Za-z0-9+/=]{40,}"', ghost_report.html)


def test_the_page_stands_alone_with_its_own_print_css(ghost_report):
    html = ghost_report.html
    assert "@page" in html and "size: A4" in html
    assert "<link" not in html and "<script" not in html  # nothing to fetch: it prints and saves as one file
    assert "break-inside: avoid" in html


def test_letter_paper_sets_the_page_size(household):
    animal = make_animal(household, today=today(), name="Pip", days_ago=5)
    html = report_html(handover_report(animal, timezone.now()), paper="letter")
    assert "size: Letter" in html


def test_an_animal_without_a_photo_gets_its_initial_and_no_data_uri(household):
    animal = make_animal(household, today=today(), name="Pip", notes="", days_ago=5)
    html = report_html(handover_report(animal, timezone.now()))
    assert "data:image" not in html
    assert 'aria-label="No photo yet"' in html
    assert "No favourite treat is noted yet" in html
    assert html.count('class="gentling-chart"') == 4  # empty charts say so, in place


def test_a_new_arrival_gets_one_settling_in_card_not_two(household):
    animal = make_animal(household, today=today(), name="Pip", days_ago=0)
    html = report_html(handover_report(animal, timezone.now()))
    assert "Pip is still settling in" in html
    assert "Then carry on where" not in html


def test_the_ladder_marks_the_current_step_among_all_steps(ghost_report):
    assert ghost_report.html.count('aria-current="step"') == 2  # the ladder, and the introduction's stage
    assert ghost_report.html.count('<span class="num">') == 8


def test_health_checks_are_not_counted_as_sessions(household, owner):
    from gentling.services.arrivals import record_health_check

    animal = make_animal(household, today=today(), name="Pip", days_ago=3)
    record_health_check(keeper=owner, animal=animal, day=today(), signs=[], now=timezone.now())
    report = handover_report(animal, timezone.now())
    assert report.sessions == 0
    assert "No sessions yet" in next(c.svg for c in report.charts if c.name == "sessions")
