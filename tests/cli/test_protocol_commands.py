"""`gentling protocol add | list | show`: a household's own protocols beside the ladders and lab ones."""

from __future__ import annotations

import pytest

from gentling.models import HouseholdProtocol
from tests.cli_harness import cli_runner

from .conftest import CARER, HOUSE, NOW, house_file, ok

pytestmark = pytest.mark.django_db

# A step-level mistake in the sample: an activity the protocol does not know.
BAD_ACTIVITY = {'requires_activities = ["blanket_time"]': 'requires_activities = ["juggling"]'}


def test_protocol_add_uploads_the_file_and_says_what_it_added(cli, household):
    r = ok(cli("protocol", "add", str(HOUSE)))
    assert "Added house-gentle version 1: Our rescue's gentle method (4 steps)." in r.text
    (row,) = HouseholdProtocol.objects.filter(household=household)
    assert (row.protocol_id, row.version) == ("house-gentle", 1)
    assert row.text == HOUSE.read_text(encoding="utf-8")


def test_protocol_add_a_new_version_and_json(cli, tmp_path):
    ok(cli("protocol", "add", str(HOUSE)))
    r = ok(cli("protocol", "add", str(house_file(tmp_path, version=2)), "--json"))
    assert r.json == {"ref": "house-gentle", "version": 2, "title": "Our rescue's gentle method", "steps": 4}
    r = cli("protocol", "add", str(HOUSE))  # version 1 again: not newer
    assert r.code == 1
    assert "set version = 3" in r.text
    assert HouseholdProtocol.objects.count() == 2


def test_protocol_add_a_bad_file_names_its_line_step_and_field_and_stores_nothing(cli, tmp_path):
    bad = house_file(tmp_path, changes=BAD_ACTIVITY)
    line = bad.read_text(encoding="utf-8").splitlines().index('requires_activities = ["juggling"]') + 1
    r = cli("protocol", "add", str(bad))
    assert r.code == 1
    assert r.out == ""
    assert f"{bad.name}, line {line}, step 'blanket', field 'advance.requires_activities'" in r.text
    assert "juggling" in r.text
    assert not HouseholdProtocol.objects.exists()


def test_protocol_add_a_missing_or_unreadable_file_is_a_clear_error(cli, tmp_path):
    r = cli("protocol", "add", str(tmp_path / "nope.toml"), "--json")
    assert r.code == 1
    assert r.json == {"error": f"{tmp_path / 'nope.toml'}: no such file.", "field": "file"}
    latin = tmp_path / "latin.toml"
    latin.write_bytes(HOUSE.read_bytes().replace(b"gentle method", b"m\xe9thode douce"))
    r = cli("protocol", "add", str(latin), "--json")
    assert r.code == 1
    assert r.json["error"] == f"{latin}: not UTF-8 text; save it as UTF-8 and try again."
    r = cli("protocol", "add", str(tmp_path), "--json")  # a directory
    assert r.code == 1
    assert r.json["error"].startswith(f"{tmp_path}: cannot be read (")
    assert not HouseholdProtocol.objects.exists()


def test_protocol_add_is_for_owners_only(cli):
    r = cli("protocol", "add", str(HOUSE), as_=CARER)
    assert r.code == 1
    assert "Only an owner" in r.text
    assert not HouseholdProtocol.objects.exists()


def test_protocol_list_shows_ladders_lab_protocols_and_every_household_version(cli, tmp_path):
    ok(cli("protocol", "add", str(HOUSE)))
    ok(cli("protocol", "add", str(house_file(tmp_path, version=2, changes={"gentle method": "gentler method"}))))
    rows = ok(cli("protocol", "list", "--json")).json["protocols"]
    listed = [(r["ref"], r["kind"], r["version"], r["species"]) for r in rows]
    assert listed == [
        ("ladder", "ladder", 1, ["rat"]),
        ("ladder", "ladder", 1, ["mouse"]),
        ("rat-tickling", "lab", 1, ["rat"]),
        ("mouse-tunnel", "lab", 1, ["mouse"]),
        ("mouse-cup", "lab", 1, ["mouse"]),
        ("mouse-3d", "lab", 1, ["mouse"]),
        ("house-gentle", "household", 1, ["rat"]),
        ("house-gentle", "household", 2, ["rat"]),
    ]
    assert [r["title"] for r in rows[-2:]] == ["Our rescue's gentle method", "Our rescue's gentler method"]
    text = ok(cli("protocol", "list")).text
    for word in ("Rat tickling (lab)", "house-gentle", "Our rescue's gentler method", "household", "lab"):
        assert word in text


def test_protocol_show_a_lab_protocol_has_bouts_technique_and_measures(cli):
    r = ok(cli("protocol", "show", "rat-tickling"))
    assert "Rat tickling (lab)" in r.text
    assert "rat-tickling, version 1, lab, for rat" in r.text
    assert "Bouts: 15 s Tickle / 15 s Rest for 2 min" in r.text
    assert "Technique: Rest your hand in the cage first; Touch the rat's back" in r.text
    assert "Record --measure calls_50khz=N: 50-kHz calls, 0 to 2000 calls" in r.text
    assert "Record --measure approach_seconds=N: Seconds to approach the hand, 0 to 180 s" in r.text
    assert "--measure calls_22khz=N: 22-kHz calls, 0 to 2000 calls (above 0 is a fear sign)" in r.text
    assert "--did tickled: Tickled (bouts)" in r.text
    assert ok(cli("protocol", "show", "rat-tickling", "--json")).json["id"] == "rat-tickling"


def test_protocol_show_a_household_protocol_and_the_old_species_form(cli):
    ok(cli("protocol", "add", str(HOUSE)))
    r = ok(cli("protocol", "show", "house-gentle"))
    assert "Our rescue's gentle method" in r.text
    assert "house-gentle, version 1, household, for rat" in r.text
    assert "Record --measure minutes_on_blanket=N: Minutes on the blanket, 0 to 120 min" in r.text
    assert "Bouts:" not in r.text
    r = ok(cli("protocol", "show", "rat"))
    assert "Rat handling ladder" in r.text
    assert "rat-handling, version 1, ladder, for rat" in r.text
    assert ok(cli("protocol", "show", "mouse", "--json")).json["id"] == "mouse-handling"


def test_protocol_show_an_unknown_ref_lists_the_known_ones(cli):
    ok(cli("protocol", "add", str(HOUSE)))
    r = cli("protocol", "show", "rat-tikling")
    assert r.code == 1
    assert "No protocol 'rat-tikling'" in r.text
    assert "rat, mouse, rat-tickling, mouse-tunnel, mouse-cup, mouse-3d, house-gentle" in r.text


def test_protocol_show_a_lab_protocol_needs_no_household(monkeypatch, capsys, db):
    lonely = cli_runner(monkeypatch, capsys, keeper="nina-nohousehold", now=NOW)
    assert "Bouts: 15 s Tickle" in ok(lonely("protocol", "show", "rat-tickling")).text
    r = lonely("protocol", "show", "house-gentle")
    assert r.code == 1
    assert "No protocol 'house-gentle' ships with Gentling" in r.text
    assert "You have no household yet" in r.text
