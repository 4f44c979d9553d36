"""Who may see the report: any member of the household (it is made to be handed over); nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_animal
from tests.web.helpers import today

from .helpers import page_sizes, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def pip(household):
    return make_animal(household, today=today(), name="Pip", notes="Loves oats.", cage="Top Deck", days_ago=5)


def _urls(animal):
    args = [animal.household.public_id, animal.public_id]
    return reverse("animal_report", args=args), reverse("animal_report_pdf", args=args)


@pytest.mark.parametrize("role", ["owner", "carer", "viewer"])
def test_every_member_can_open_the_report_page(client, keepers, pip, role):
    client.force_login(keepers[role])
    page, pdf = _urls(pip)
    response = client.get(page)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pip" in body and "Oats" in body
    assert f'href="{pdf}"' in body and "Print / Save as PDF" in body


def test_a_viewer_can_download_the_pdf(client, viewer, pip):
    client.force_login(viewer)
    response = client.get(_urls(pip)[1])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="pip-handover-')
    assert response.content.startswith(b"%PDF")
    assert "Pip" in pdf_text(response.content)


def test_the_pdf_endpoint_takes_letter_paper(client, owner, pip):
    client.force_login(owner)
    response = client.get(_urls(pip)[1] + "?paper=letter")
    width, height = page_sizes(response.content)[0]
    assert (round(width), round(height)) == (612, 792)


def test_an_unknown_paper_size_is_refused(client, owner, pip):
    client.force_login(owner)
    response = client.get(_urls(pip)[1] + "?paper=tabloid")
    assert response.status_code == 400
    assert b"a4 or letter" in response.content


@pytest.mark.parametrize("which", [0, 1])
def test_an_outsider_gets_a_404_and_no_name(client, outsider, pip, which):
    client.force_login(outsider)
    response = client.get(_urls(pip)[which])
    assert response.status_code == 404
    assert b"Pip" not in response.content


@pytest.mark.parametrize("which", [0, 1])
def test_an_anonymous_visitor_is_sent_to_log_in(client, pip, which):
    url = _urls(pip)[which]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_animal_page_links_to_the_report_for_a_viewer(client, viewer, pip):
    client.force_login(viewer)
    body = client.get(reverse("animal", args=[pip.household.public_id, pip.public_id])).content.decode()
    assert f'href="{_urls(pip)[0]}"' in body and "Handover report" in body
