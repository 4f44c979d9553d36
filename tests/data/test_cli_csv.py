"""`gentling csv sessions|meetings [FILE] [--household H]`."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gentling.cli.main import main
from tests.factories import log

from .helpers import csv_dicts, csv_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def cli(monkeypatch, capsys):
    def run(*argv: str, as_: str = "olive-owner"):
        monkeypatch.setenv("GENTLING_KEEPER", as_)
        capsys.readouterr()
        buf = io.StringIO()
        code = main(list(argv), stdout=buf)
        captured = capsys.readouterr()
        return code, buf.getvalue() + captured.out, captured.err

    return run


@pytest.fixture
def logged(owner, household, animals):
    log(
        owner,
        household,
        [animals[0]],
        now=timezone.now(),
        ago=timedelta(hours=3),
        activities=("talked", "picked_up"),
        holds=(8, 20),
    )
    log(owner, household, animals, now=timezone.now(), ago=timedelta(hours=1), notes="=1+1")


def test_sessions_to_a_file_with_a_json_summary(cli, logged, tmp_path):
    target = tmp_path / "sessions.csv"
    code, out, err = cli("csv", "sessions", str(target), "--json")
    assert code == 0, err
    assert json.loads(out) == {"file": str(target), "rows": 3}
    rows = csv_dicts(target.read_bytes())
    assert len(rows) == 3
    assert rows[0]["hold_seconds"] == "8;20"
    assert {r["notes"] for r in rows[1:]} == {"'=1+1"}


def test_sessions_to_standard_output(cli, logged):
    code, out, _ = cli("csv", "sessions")
    assert code == 0
    rows = csv_rows(out)
    assert rows[0][0] == "session_id" and len(rows) == 4


def test_a_human_summary_names_the_file(cli, logged, tmp_path):
    code, out, _ = cli("csv", "meetings", str(tmp_path / "m.csv"))
    assert code == 0
    assert "0 meetings from Maple Street" in " ".join(out.split())
    assert csv_rows((tmp_path / "m.csv").read_bytes()) == [
        [
            "meeting_id",
            "introduction_id",
            "newcomers",
            "residents",
            "day",
            "started_at",
            "duration_seconds",
            "behaviours",
            "danger",
            "notes",
        ]
    ]


def test_a_viewer_may_export(cli, logged):
    code, out, _ = cli("csv", "sessions", as_="vera-viewer")
    assert code == 0 and len(csv_rows(out)) == 4


def test_household_chooses_among_several(cli, logged, other_household, owner):
    from gentling.services.households import add_member

    add_member(by=other_household.memberships.get().keeper, household=other_household, keeper=owner, role="viewer")
    code, _, err = cli("csv", "sessions")
    assert code == 1 and "several households" in err
    code, out, _ = cli("csv", "sessions", "--household", "Elsewhere")
    assert code == 0 and len(csv_rows(out)) == 1


def test_an_outsider_cannot_name_another_household(cli, logged, other_household):
    code, out, err = cli("csv", "sessions", "--household", "Maple Street", as_="otto-outsider")
    assert code == 1
    assert "Whiskers" not in out + err


def test_json_without_a_file_is_refused(cli, logged):
    code, out, _ = cli("csv", "sessions", "--json")
    assert code == 1
    assert json.loads(out)["field"] == "file"


def test_an_unwritable_file_is_a_clear_error(cli, logged, tmp_path):
    code, _, err = cli("csv", "sessions", str(tmp_path / "no-such-dir" / "x.csv"))
    assert code == 1 and "Cannot write" in err


def test_an_unknown_export_is_a_usage_error(cli):
    with pytest.raises(SystemExit) as exc:
        cli("csv", "passwords")
    assert exc.value.code == 2
