"""Where WeasyPrint's system libraries are missing, the app still runs and says why there is no PDF."""

from __future__ import annotations

import html
import io
import sys

import pytest
from django.urls import reverse

from gentling.cli.main import main
from tests.factories import make_animal
from tests.web.helpers import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_weasyprint(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now raises ImportError


def test_the_pdf_endpoint_answers_503_with_the_printable_page(client, owner, household, no_weasyprint):
    pip = make_animal(household, today=today(), name="Pip", days_ago=5)
    client.force_login(owner)
    response = client.get(reverse("animal_report_pdf", args=[household.public_id, pip.public_id]))
    assert response.status_code == 503
    body = html.unescape(response.content.decode())
    assert "needs WeasyPrint's system libraries" in body
    assert "Pip" in body  # the report itself, to print from the browser


def test_the_cli_says_so_and_exits_1(monkeypatch, capsys, owner, household, tmp_path, no_weasyprint):
    make_animal(household, today=today(), name="Pip", days_ago=5)
    monkeypatch.setenv("GENTLING_KEEPER", owner.username)
    code = main(["report", "Pip", "--pdf", str(tmp_path / "pip.pdf")], stdout=io.StringIO())
    assert code == 1
    assert "needs WeasyPrint's system libraries" in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "pip.pdf").exists()
