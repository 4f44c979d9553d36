"""The PDF a rescue hands to an adopter: what it says, on A4 and on US Letter."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from .helpers import long_date, page_sizes, pdf_text

pytestmark = pytest.mark.django_db  # the test database must exist for the shared `ghost_report`

A4 = (595.3, 841.9)
LETTER = (612.0, 792.0)


def test_the_pdf_names_the_animal_and_where_he_stands(ghost_report):
    text = pdf_text(ghost_report.a4)
    assert "Ghost" in text
    assert ghost_report.step_title in text
    assert "Handover report" in text or "HANDOVER REPORT" in text


def test_the_pdf_quotes_his_favourite_treats_from_the_notes(ghost_report):
    text = pdf_text(ghost_report.a4).lower()
    assert "peas" in text and "blueberries" in text
    assert "took a pea from my fingers" in text
    assert "soft food from a spoon" in text  # his profile notes
    assert "banana" not in text  # "doesn't like banana" is not a favourite


def test_the_pdf_has_the_quarantine_dates_and_the_sneeze(ghost_report):
    text = pdf_text(ghost_report.a4)
    started, ends = ghost_report.quarantine_dates
    assert f"{long_date(started)} – {long_date(ends)}" in text
    assert "Sneezing" in text
    assert "Introduction to Pepper and Salt" in text


def test_every_page_says_gentling_is_a_coach_not_a_vet(ghost_report):
    pages = PdfReader(io.BytesIO(ghost_report.a4)).pages
    assert all("coach, not a vet" in " ".join(p.extract_text().split()) for p in pages)


def test_the_pdf_gives_first_days_advice_from_the_protocol(ghost_report):
    text = pdf_text(ghost_report.a4)
    assert "Talk to Ghost every day" in text
    assert "Settling in" in text
    assert "Picking them up or petting them" in text  # what settling in avoids


@pytest.mark.parametrize("paper, size", [("a4", A4), ("letter", LETTER)])
def test_the_paper_size_is_a4_by_default_and_letter_on_request(ghost_report, paper, size):
    data = ghost_report.a4 if paper == "a4" else ghost_report.letter
    for width, height in page_sizes(data):
        assert width == pytest.approx(size[0], abs=1.5)
        assert height == pytest.approx(size[1], abs=1.5)


def test_the_report_is_a_few_pages_on_either_paper(ghost_report):
    assert 1 <= ghost_report.a4_pages <= 4
    assert 1 <= ghost_report.letter_pages <= 4
    assert len(page_sizes(ghost_report.a4)) == ghost_report.a4_pages
