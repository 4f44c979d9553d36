"""`gentling report ANIMAL`: HTML to stdout or a file, or a PDF with --pdf."""

from __future__ import annotations

import io
import json

import pytest
from django.utils import timezone

from gentling.cli.main import main
from tests.factories import make_animal
from tests.web.helpers import today

from .helpers import page_sizes, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def cli(monkeypatch, capsys):
    def run(*argv: str, as_: str):
        monkeypatch.setenv("GENTLING_KEEPER", as_)
        capsys.readouterr()
        buf = io.StringIO()
        code = main(list(argv), now=timezone.now(), stdout=buf)
        captured = capsys.readouterr()
        return code, buf.getvalue() + captured.out, " ".join(captured.err.split())

    return run


def test_the_cli_writes_ghosts_pdf(cli, ghost, owner, tmp_path):
    target = tmp_path / "ghost.pdf"
    code, out, _ = cli("report", "Ghost", "--household", "Demo", "--pdf", str(target), "--json", as_=owner.username)
    assert code == 0
    result = json.loads(out)
    assert result["file"] == str(target) and 1 <= result["pages"] <= 4
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(page_sizes(data)) == result["pages"]
    assert "Ghost" in pdf_text(data)


def test_letter_paper_from_the_cli(cli, owner, household, tmp_path):
    make_animal(household, today=today(), name="Pip", days_ago=5)
    target = tmp_path / "pip.pdf"
    code, out, _ = cli("report", "Pip", "--pdf", str(target), "--paper", "letter", as_=owner.username)
    assert code == 0
    assert "1 page" in out or "pages" in out
    assert {(round(w), round(h)) for w, h in page_sizes(target.read_bytes())} == {(612, 792)}


def test_without_pdf_the_html_goes_to_stdout(cli, viewer, household):
    make_animal(household, today=today(), name="Pip", days_ago=5)
    code, out, _ = cli("report", "Pip", as_=viewer.username)
    assert code == 0
    assert out.lstrip().startswith("<!doctype html>") and out.count("<svg") == 4


def test_html_to_a_file(cli, owner, household, tmp_path):
    make_animal(household, today=today(), name="Pip", days_ago=5)
    code, out, _ = cli("report", "Pip", "--html", str(tmp_path / "pip.html"), "--json", as_=owner.username)
    assert code == 0
    assert json.loads(out)["file"] == str(tmp_path / "pip.html")
    assert "Pip" in (tmp_path / "pip.html").read_text(encoding="utf-8")


def test_an_outsider_cannot_make_the_report(cli, outsider, household, other_household):
    make_animal(household, today=today(), name="Pip", days_ago=5)
    code, _, err = cli("report", "Pip", as_=outsider.username)
    assert code == 1
    assert "No animal called 'Pip'" in err


def test_an_unwritable_file_is_a_clear_error(cli, owner, household, tmp_path):
    make_animal(household, today=today(), name="Pip", days_ago=5)
    code, _, err = cli("report", "Pip", "--html", str(tmp_path / "missing" / "pip.html"), as_=owner.username)
    assert code == 1
    assert "Cannot write" in err
