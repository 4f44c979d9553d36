"""The `gentling` command line, driven in-process against the test database.

Each test calls `main([...], now=NOW, stdout=buf)` as a given keeper (the
GENTLING_KEEPER environment variable) and checks the exit code, the output,
and what was (or was not) stored.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

import gentling
from gentling.models import Animal, Household, Session
from tests.cli_harness import cli_runner
from tests.factories import make_animal

from .conftest import NOW, TODAY

pytestmark = pytest.mark.django_db

OWNER, CARER, VIEWER, OUTSIDER = "olive-owner", "carl-carer", "vera-viewer", "otto-outsider"
RAT_PROTOCOL = Path(gentling.__file__).parent / "protocols" / "rat-handling.toml"


@pytest.fixture
def cli(monkeypatch, capsys):
    return cli_runner(monkeypatch, capsys, keeper=OWNER, now=NOW)


def counts() -> tuple[int, int, int]:
    return Household.objects.count(), Animal.objects.count(), Session.objects.count()


def day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def task_activities(today_json: dict, name: str) -> list[str]:
    (animal,) = [a for a in today_json["animals"] if a["name"] == name]
    return [t["activity"] for t in animal["tasks"]]


# --- households -----------------------------------------------------------------


def test_household_add_then_list_json(cli, settings):
    settings.GENTLING_DEFAULT_TIME_ZONE = "UTC"  # what GENTLING_TIME_ZONE sets; the shifted-clock run changes it
    r = cli("household", "add", "My rats")
    assert r.code == 0, r.err
    assert "My rats" in r.text

    r = cli("household", "list", "--json")
    assert r.code == 0
    (row,) = r.json["households"]
    assert row["name"] == "My rats"
    assert row["role"] == "owner"
    assert row["animals"] == 0
    assert row["time_zone"] == "UTC"
    assert Household.objects.get(public_id=row["id"]).name == "My rats"


def test_household_add_json_and_duplicate_name_is_refused(cli):
    r = cli("household", "add", "My rats", "--json")
    assert r.code == 0
    assert r.json["name"] == "My rats"
    before = counts()
    r = cli("household", "add", "My rats", "--json")
    assert r.code == 1
    assert r.json["field"] == "name"
    assert "already" in r.json["error"]
    assert counts() == before


def test_household_list_shows_only_the_keepers_own(cli, household, other_household):
    names = [h["name"] for h in cli("household", "list", "--json", as_=VIEWER).json["households"]]
    assert names == ["Maple Street"]
    rows = cli("household", "list", "--json", as_=OUTSIDER).json["households"]
    assert [h["name"] for h in rows] == ["Elsewhere"]


# --- animals --------------------------------------------------------------------


def test_animal_add_rescue_rat_arriving_today(cli, household):
    r = cli("animal", "add", "Whiskers", "--species", "rat", "--source", "rescue", "--json")
    assert r.code == 0, r.err
    data = r.json
    assert data["name"] == "Whiskers"
    assert data["species"] == "rat"
    assert data["source"] == "rescue"
    assert data["arrival_date"] == TODAY.isoformat()
    assert data["day_number"] == 0
    assert data["status"] == "active"
    assert data["step"] == "settling-in"
    assert data["alerts"] == []
    animal = Animal.objects.get(public_id=data["id"])
    assert animal.household == household
    assert animal.arrival_date == TODAY


def test_animal_add_human_output(cli, household):
    r = cli("animal", "add", "Whiskers", "--species", "rat", "--source", "pet_store", "--age", "10w")
    assert r.code == 0, r.err
    assert "Added Whiskers." in r.text
    animal = Animal.objects.get(name="Whiskers")
    assert animal.birth_date == TODAY - timedelta(weeks=10)
    assert animal.birth_date_estimated is True


def test_animal_list_json(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    make_animal(household, today=TODAY, name="Nibbles", species="mouse", source="pet_store", days_ago=5)
    r = cli("animal", "list", "--json")
    assert r.code == 0
    assert r.json["household"] == "Maple Street"
    rows = {a["name"]: a for a in r.json["animals"]}
    assert set(rows) == {"Whiskers", "Nibbles"}
    assert rows["Nibbles"]["species"] == "mouse"
    assert rows["Nibbles"]["day_number"] == 5
    assert rows["Whiskers"]["step"] == "settling-in"
    assert all("step_title" in a and "id" in a for a in rows.values())


def test_animal_show_json_by_name_and_by_id(cli, household):
    animal = make_animal(household, today=TODAY, name="Whiskers", sex="male", cage="Big cage", notes="Likes peas")
    by_name = cli("animal", "show", "whiskers", "--json")
    assert by_name.code == 0
    by_id = cli("animal", "show", animal.public_id, "--json")
    assert by_id.json == by_name.json
    data = by_name.json
    assert data["id"] == animal.public_id
    assert data["sex"] == "male"
    assert data["cage"] == "Big cage"
    assert data["notes"] == "Likes peas"
    assert data["step"] == "settling-in"


def test_animal_show_is_open_to_a_viewer(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    r = cli("animal", "show", "Whiskers", "--json", as_=VIEWER)
    assert r.code == 0
    assert r.json["name"] == "Whiskers"


def test_animal_edit_rename_status_and_cage(cli, household):
    animal = make_animal(household, today=TODAY, name="Whiskers")
    r = cli("animal", "edit", "Whiskers", "--name", "Sir Whiskers", "--json")
    assert r.code == 0, r.err
    assert r.json["name"] == "Sir Whiskers"

    r = cli("animal", "edit", "Sir Whiskers", "--cage", "Tall cage", "--json")
    assert r.code == 0, r.err
    assert r.json["cage"] == "Tall cage"
    assert r.json["alerts"] == []  # an empty cage: not an introduction

    r = cli("animal", "edit", animal.public_id, "--status", "adopted", "--json")
    assert r.code == 0, r.err
    assert r.json["status"] == "adopted"

    animal.refresh_from_db()
    assert (animal.name, animal.status, animal.cage.name) == ("Sir Whiskers", "adopted", "Tall cage")
    # Adopted animals leave the default list, and come back with --all.
    assert cli("animal", "list", "--json").json["animals"] == []
    assert [a["name"] for a in cli("animal", "list", "--all", "--json").json["animals"]] == ["Sir Whiskers"]


def test_moving_a_newcomer_into_an_occupied_cage_is_refused_with_the_reason(cli, household):
    make_animal(household, today=TODAY, name="Whiskers", sex="female", cage="Big cage", days_ago=60)
    make_animal(household, today=TODAY, name="Nibbles", sex="female", days_ago=2)
    r = cli("animal", "edit", "Nibbles", "--cage", "Big cage", "--json")
    assert r.code == 1
    assert "quarantine" in r.json["error"] and "introduced" in r.json["error"]
    assert Animal.objects.get(name="Nibbles").cage is None


def test_an_owner_can_override_the_housing_guardrail_with_a_reason(cli, household):
    make_animal(household, today=TODAY, name="Whiskers", sex="female", cage="Big cage", days_ago=60)
    make_animal(household, today=TODAY, name="Nibbles", sex="female", days_ago=2)
    refused = cli("animal", "edit", "Nibbles", "--cage", "Big cage", "--override-reason", "vet advice", as_=CARER)
    assert refused.code == 1 and "owner" in refused.text
    r = cli("animal", "edit", "Nibbles", "--cage", "Big cage", "--override-reason", "Sisters, vet advice", "--json")
    assert r.code == 0
    assert {a["code"] for a in r.json["alerts"]} >= {"quarantine_not_finished", "introduction_not_done"}
    stay = Animal.objects.get(name="Nibbles").cage_stays.get()
    assert stay.override_reason == "Sisters, vet advice"
    assert "quarantine_not_finished" in stay.overridden


def test_a_viewer_cannot_edit_an_animal(cli, household):
    animal = make_animal(household, today=TODAY, name="Whiskers")
    r = cli("animal", "edit", "Whiskers", "--name", "Renamed", as_=VIEWER)
    assert r.code == 1
    assert "not change" in r.text
    animal.refresh_from_db()
    assert animal.name == "Whiskers"


# --- today: the acceptance check -----------------------------------------


def test_acceptance_rescue_rat_today_is_talk_only_and_treats_in_cage_start_three_days_later(cli, household):
    """A rescue rat that arrives today: today's only task is to talk to it; three
    days later (the end of a rescue's settling-in), treats in the cage start."""
    r = cli("animal", "add", "Whiskers", "--species", "rat", "--source", "rescue")
    assert r.code == 0, r.err

    today = cli("today", "--json")
    assert today.code == 0
    assert today.json["date"] == TODAY.isoformat()
    assert task_activities(today.json, "Whiskers") == ["talked"]

    later = cli("today", "--date", day(3), "--json")
    assert later.code == 0
    assert later.json["date"] == day(3)
    assert "treat_in_cage" in task_activities(later.json, "Whiskers")
    assert "talked" in task_activities(later.json, "Whiskers")

    # The day before, still settling: still only talking.
    assert task_activities(cli("today", "--date", day(2), "--json").json, "Whiskers") == ["talked"]


def test_today_human_output_names_the_animal_and_the_talk_task(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    r = cli("today")
    assert r.code == 0
    assert "Whiskers" in r.text
    assert "Settling in" in r.text
    assert "Talk to them" in r.text


def test_today_into_a_pipe_prints_each_line_whole(cli, household):
    # A pipe or a file gets plain lines, never wrapped at the terminal's width: easy to grep.
    make_animal(household, today=TODAY, name="Whiskers")
    long_name = "The rats of the old farmhouse on the hill, their friends and their many cousins"
    Household.objects.filter(pk=household.pk).update(name=long_name)
    lines = cli("today").out.splitlines()
    assert any(line.endswith(f": {long_name}") and line.startswith("Today, ") for line in lines), lines[:3]
    assert "\x1b[" not in cli("today").out  # no colour codes in a pipe


def test_today_marks_the_talk_task_done_after_logging_it(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    assert cli("log", "Whiskers", "--did", "talked", "--at", "10:00").code == 0
    (animal,) = cli("today", "--json").json["animals"]
    (task,) = animal["tasks"]
    assert task["activity"] == "talked" and task["is_done"] is True
    assert animal["sessions_today"] == 1


def test_today_with_a_malformed_date_is_refused(cli, household):
    r = cli("today", "--date", "next tuesday", "--json")
    assert r.code == 1
    assert r.json["field"] == "date"


# --- log ------------------------------------------------------------------------


def test_log_backdated_session_with_activities_holds_and_observations(cli, household):
    make_animal(household, today=TODAY, name="Whiskers", source="breeder", days_ago=10)
    r = cli(
        "log",
        "Whiskers",
        "--did",
        "talked,treat_in_cage",
        "--did",
        "rewarded",
        "--holds",
        "3,2",
        "--saw",
        "took_treat",
        "--saw",
        "approached",
        "--at",
        "2026-11-24 18:00",
        "--length",
        "10m",
        "--json",
    )
    assert r.code == 0, r.err
    (s,) = r.json["sessions"]
    assert s["animal_name"] == "Whiskers" and s["animal"] == Animal.objects.get(name="Whiskers").public_id
    assert s["day"] == "2026-11-24"
    assert s["started_at"].startswith("2026-11-24T18:00")
    assert s["duration_seconds"] == 600
    assert set(s["activities"]) == {"talked", "treat_in_cage", "rewarded", "picked_up"}
    assert s["holds"] == [3, 2]
    assert set(s["observations"]) == {"took_treat", "approached"}

    stored = Session.objects.get(public_id=s["id"])
    assert stored.day.isoformat() == "2026-11-24"
    assert stored.duration_seconds == 600
    assert stored.holds == [3, 2]
    assert stored.keeper.username == OWNER


def test_log_handling_while_settling_in_is_saved_with_an_alert(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    r = cli("log", "Whiskers", "--did", "talked,treat_in_cage", "--saw", "took_treat", "--at", "11:00", "--json")
    assert r.code == 0, r.err
    (s,) = r.json["sessions"]
    codes = [a["code"] for a in s["alerts"]]
    assert "handled_while_settling" in codes
    assert all({"code", "level", "message"} <= set(a) for a in s["alerts"])
    # Nothing a keeper did is lost: the session is stored, alerts and all.
    stored = Session.objects.get(public_id=s["id"])
    assert "handled_while_settling" in [a["code"] for a in stored.alerts]


def test_log_human_output_shows_the_alert(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    r = cli("log", "Whiskers", "--did", "treat_in_cage", "--at", "11:00")
    assert r.code == 0
    assert "Saved: Whiskers" in r.text
    assert "settling in" in r.text.lower()


def test_log_for_two_says_a_shared_warning_once_with_both_names(cli, household):
    for name in ("Luna", "Nova"):
        make_animal(household, today=TODAY, name=name, days_ago=5, cage="Top Deck", sex="female")
    r = cli("log", "Luna", "Nova", "--did", "talked,petted", "--at", "11:00")
    assert r.code == 0, r.err
    assert "Saved: Luna" in r.text and "Saved: Nova" in r.text
    assert r.text.count("Petting comes after they eat calmly") == 1
    assert "Luna, Nova: Petting comes after they eat calmly" in " ".join(r.text.split())


def test_log_an_extended_hold_held_through_fear_shows_a_stop_alert(cli, household):
    make_animal(household, today=TODAY, name="Whiskers", days_ago=40, extended_hold_opt_in=True)
    r = cli(
        "log",
        "Whiskers",
        "--did",
        "talked",
        "--saw",
        "froze,squeaked",
        "--extended-hold",
        "25m",
        "--extended-hold-end",
        "completed",
        "--length",
        "30m",
        "--at",
        "11:00",
    )
    assert r.code == 0, r.err
    assert "STOP: Whiskers: Seen during the extended hold: froze, squeaked or squealed when touched." in r.text
    assert "end the hold at the first stop sign" in r.text
    (alert,) = [a for a in Session.objects.get().alerts if a["code"] == "extended_hold_not_stopped"]
    assert alert["level"] == "stop"


def test_log_one_sitting_with_two_animals(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    make_animal(household, today=TODAY, name="Nibbles")
    r = cli("log", "Whiskers", "Nibbles", "--did", "talked", "--at", "09:00", "--json")
    assert r.code == 0
    assert sorted(s["animal_name"] for s in r.json["sessions"]) == ["Nibbles", "Whiskers"]
    sittings = set(Session.objects.values_list("sitting", flat=True))
    assert len(sittings) == 1


def test_a_carer_can_log(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    r = cli("log", "Whiskers", "--did", "talked", "--at", "09:00", as_=CARER)
    assert r.code == 0, r.err
    assert Session.objects.get().keeper.username == CARER


# --- progress and vocab ---------------------------------------------------------


def test_progress_json(cli, household):
    make_animal(household, today=TODAY, name="Whiskers", days_ago=6)
    assert cli("log", "Whiskers", "--did", "talked", "--at", "09:00").code == 0
    r = cli("progress", "Whiskers", "--json")
    assert r.code == 0
    data = r.json
    assert {"step_id", "evidence", "history", "next_milestone"} <= set(data)
    assert data["animal"] == "Whiskers"
    assert data["step_id"] == "treats-in-cage"
    assert [h["to_step"] for h in data["history"]] == ["settling-in", "treats-in-cage"]
    assert data["history"][0]["direction"] == "start"
    assert data["next_milestone"]["step_id"] == "treats-from-fingers"
    assert data["sessions_counted"] == 1


def test_progress_json_while_settling(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    data = cli("progress", "Whiskers", "--json").json
    assert data["step_id"] == "settling-in"
    assert data["next_milestone"]["step_id"] == "treats-in-cage"
    assert data["next_milestone"]["expected_date"] == day(3)


def test_progress_human_output(cli, household):
    make_animal(household, today=TODAY, name="Whiskers")
    r = cli("progress", "Whiskers")
    assert r.code == 0
    assert "Whiskers: Settling in" in r.text
    assert "History" in r.text


def test_vocab_json(cli):
    r = cli("vocab", "--json")
    assert r.code == 0
    data = r.json
    activities = [a["name"] for a in data["activities"]]
    observations = [o["name"] for o in data["observations"]]
    assert {"talked", "treat_in_cage", "picked_up"} <= set(activities)
    assert {"took_treat", "fled", "bit"} <= set(observations)
    assert all(a["name"] and a["meaning"] for a in data["activities"])


def test_vocab_human_output(cli):
    r = cli("vocab")
    assert r.code == 0
    assert "treat_in_cage" in r.text and "took_treat" in r.text


# --- protocol check -------------------------------------------------------------


def test_protocol_check_the_shipped_rat_protocol(cli):
    r = cli("protocol", "check", str(RAT_PROTOCOL))
    assert r.code == 0, r.err
    assert "valid" in r.text
    r = cli("protocol", "check", str(RAT_PROTOCOL), "--json")
    assert r.code == 0
    assert r.json["valid"] is True
    assert r.json["id"] == "rat-handling"
    assert r.json["steps"][:2] == ["settling-in", "treats-in-cage"]


def _broken_copy(tmp_path: Path) -> Path:
    text = RAT_PROTOCOL.read_text(encoding="utf-8")
    marker = 'activity = "treat_in_cage"\ntext = "Rest your hand'
    assert marker in text, "the shipped file changed: update this test's marker"
    broken = tmp_path / "my-rats.toml"
    broken.write_text(text.replace(marker, 'activity = "juggling"\ntext = "Rest your hand', 1), encoding="utf-8")
    return broken


def test_protocol_check_a_broken_copy_names_file_step_and_field(cli, tmp_path):
    broken = _broken_copy(tmp_path)
    r = cli("protocol", "check", str(broken), "--json")
    assert r.code == 1
    data = r.json
    assert data["valid"] is False
    assert "my-rats.toml" in data["file"]
    assert data["step"] == "treats-in-cage"
    assert data["field"] == "plan[0].activity"
    assert "juggling" in data["error"]


def test_protocol_check_a_broken_copy_human_output(cli, tmp_path):
    r = cli("protocol", "check", str(_broken_copy(tmp_path)))
    assert r.code == 1
    assert "my-rats.toml" in r.err
    assert "treats-in-cage" in r.text
    assert "juggling" in r.text


def test_protocol_check_a_file_that_is_not_toml(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("id = [unclosed\n", encoding="utf-8")
    r = cli("protocol", "check", str(bad), "--json")
    assert r.code == 1
    assert r.json["valid"] is False
    assert "bad.toml" in r.json["file"]


def test_protocol_check_a_missing_file(cli, tmp_path):
    r = cli("protocol", "check", str(tmp_path / "nope.toml"), "--json")
    assert r.code == 1
    assert r.json["valid"] is False


# --- verify and demo ------------------------------------------------------------


def test_verify_passes_after_logging(cli, household):
    make_animal(household, today=TODAY, name="Whiskers", days_ago=5)
    for when in ("2026-11-23 09:00", "2026-11-24 09:00", "2026-11-25 09:00"):
        r = cli("log", "Whiskers", "--did", "talked,treat_in_cage", "--saw", "took_treat", "--at", when)
        assert r.code == 0, r.err
    r = cli("verify", "--json")
    assert r.code == 0
    assert r.json["checked"] >= 1
    assert r.json["mismatches"] == []
    assert cli("verify").code == 0


def test_demo_creates_a_realistic_household_and_verify_still_passes(cli):
    r = cli("demo", "--json")
    assert r.code == 0, r.err
    assert r.json["household"] == "Demo" and r.json["created"] is True
    demo = Household.objects.get(public_id=r.json["id"])
    assert demo.name == "Demo"
    animals = list(demo.animals.all())
    assert len(animals) == 5
    kinds = sorted((a.species, a.source) for a in animals)
    assert kinds == sorted(
        [("rat", "breeder"), ("rat", "pet_store"), ("rat", "pet_store"), ("rat", "rescue"), ("mouse", "pet_store")]
    )
    for a in animals:
        assert Session.objects.filter(animal=a).exists(), f"{a.name} has no sessions"
    assert not Session.objects.filter(started_at__gt=NOW).exists()

    listed = cli("animal", "list", "--household", "Demo", "--json")
    assert len(listed.json["animals"]) == 5
    r = cli("verify", "--json")
    assert r.code == 0
    assert r.json["mismatches"] == []
    assert r.json["checked"] >= 5

    # A second run keeps the existing demo.
    again = cli("demo", "--json")
    assert again.code == 0 and again.json["created"] is False
    assert Household.objects.filter(name="Demo").count() == 1


# --- bad input: exit 1, a clear message, nothing stored ---------------------------


@pytest.fixture
def whiskers(household):
    """A rescue rat that arrived five days ago, in the owner's household."""
    return make_animal(household, today=TODAY, name="Whiskers", days_ago=5)


def refused(cli, *argv, as_=OWNER, field=None, says=None):
    """Run a command that must be refused: exit 1, an error message, nothing stored.
    Checked twice: with --json ({"error", "field"} on stdout) and as plain text (stderr)."""
    before = counts()
    r = cli(*argv, "--json", as_=as_)
    assert r.code == 1, f"expected a refusal, got {r.code}: {r.out}"
    data = r.json
    assert set(data) == {"error", "field"}
    assert data["error"].strip()
    if field is not None:
        assert data["field"] == field, data
    if says is not None:
        assert re.search(says, data["error"], re.IGNORECASE), data["error"]
    assert counts() == before

    r = cli(*argv, as_=as_)
    assert r.code == 1
    assert "Error:" in r.err
    assert r.out == ""
    if says is not None:
        assert re.search(says, " ".join(r.err.split()), re.IGNORECASE), r.err
    assert counts() == before
    return data


def test_bad_session_in_the_future(cli, whiskers):
    refused(cli, "log", "Whiskers", "--did", "talked", "--at", "2026-11-26 10:00", field="started_at", says="future")


def test_bad_session_later_today_is_still_the_future(cli, whiskers):
    refused(cli, "log", "Whiskers", "--did", "talked", "--at", "18:00", field="started_at", says="future")


def test_bad_session_date_that_does_not_exist(cli, whiskers):
    refused(
        cli, "log", "Whiskers", "--did", "talked", "--at", "2026-02-30 10:00", field="started_at", says="not a date"
    )


@pytest.mark.parametrize("length", ["--length=-5m", "--length=-5", "--length=0", "--length=0m", "--length=ten"])
def test_bad_session_length(cli, whiskers, length):
    refused(cli, "log", "Whiskers", "--did", "talked", "--at", "10:00", length, field="length")


def test_bad_session_length_zero_as_separate_argument(cli, whiskers):
    refused(
        cli,
        "log",
        "Whiskers",
        "--did",
        "talked",
        "--at",
        "10:00",
        "--length",
        "0",
        field="length",
        says="more than zero",
    )


# --- each message names the field it is about ----------------------------------------


@pytest.mark.parametrize(
    "argv, field, says",
    [
        (("--holds", "-3"), "holds", "Hold '-3': a hold must be more than zero seconds."),
        (("--holds=-3",), "holds", "Hold '-3': a hold must be more than zero seconds."),
        (("--holds", "2,0"), "holds", "Hold '0': a hold must be more than zero seconds."),
        (("--holds", "2,abc"), "holds", "Hold 'abc': not a length of time."),
        (("--length", "-5m"), "length", "Length '-5m': a length must be more than zero seconds."),
        (("--length", "0"), "length", "Length '0': a length must be more than zero seconds."),
        (("--length", "ten"), "length", "Length 'ten': not a length of time."),
        (
            ("--extended-hold", "-25m", "--extended-hold-end", "completed"),
            "extended_hold_seconds",
            "Extended hold '-25m': an extended hold must be more than zero seconds.",
        ),
    ],
    ids=[
        "negative-hold",
        "negative-hold-joined",
        "zero-hold",
        "letters-hold",
        "negative-length",
        "zero-length",
        "words-length",
        "negative-extended-hold",
    ],
)
def test_a_refused_session_names_the_field(cli, whiskers, argv, field, says):
    refused(cli, "log", "Whiskers", "--did", "talked", "--at", "10:00", *argv, field=field, says=re.escape(says))


@pytest.mark.parametrize(
    "argv, field, says",
    [
        (
            ("log", "Whiskers", "--did", "talked", "--at", "2026-13-01 10:00"),
            "started_at",
            "Start '2026-13-01 10:00': not a date and time.",
        ),
        (("today", "--date", "2026-13-01"), "date", "Date '2026-13-01': not a date. Write it as YYYY-MM-DD"),
        (("progress", "Whiskers", "--date", "1900-01-01"), "date", "Date '1900-01-01': too far from today"),
        (
            ("animal", "add", "Bob", "--species", "rat", "--source", "rescue", "--arrived", "2026-13-01"),
            "arrival_date",
            "Arrival date '2026-13-01': not a date.",
        ),
        (
            ("animal", "add", "Bob", "--species", "rat", "--source", "rescue", "--born", "yesterday-ish"),
            "birth_date",
            "Birth date 'yesterday-ish': not a date.",
        ),
        (
            ("animal", "add", "Bob", "--species", "rat", "--source", "rescue", "--age", "-3w"),
            "age",
            "Age '-3w': not an age.",
        ),
    ],
    ids=["start", "today", "progress", "arrival", "birth", "age"],
)
def test_a_refused_date_names_the_field(cli, whiskers, argv, field, says):
    refused(cli, *argv, field=field, says=re.escape(says))


def test_bad_session_length_negative_as_separate_argument(cli, whiskers):
    """`--length -5m`, typed the natural way, is a refused request (exit 1 and a
    message about the length), like `--length=-5m`; not an argparse usage error."""
    before = counts()
    try:
        r = cli("log", "Whiskers", "--did", "talked", "--at", "10:00", "--length", "-5m", "--json")
    except SystemExit as exc:
        pytest.fail(
            f"`gentling log ... --length -5m` exited {exc.code} with an argparse usage error "
            "('expected one argument') instead of exit 1 with a message about the length"
        )
    assert r.code == 1
    assert r.json["field"] == "length"
    assert counts() == before


def test_bad_session_longer_than_six_hours(cli, whiskers):
    refused(cli, "log", "Whiskers", "--did", "talked", "--at", "2026-11-24 10:00", "--length", "7h", field="ended_at")


def test_bad_hold_of_three_days(cli, whiskers):
    refused(
        cli,
        "log",
        "Whiskers",
        "--did",
        "talked,picked_up",
        "--holds",
        "259200",
        "--at",
        "10:00",
        field="holds",
        says="longer than the session",
    )


def test_bad_holds_adding_up_to_more_than_the_session(cli, whiskers):
    refused(
        cli,
        "log",
        "Whiskers",
        "--did",
        "picked_up",
        "--holds",
        "50,50",
        "--length",
        "90s",
        "--at",
        "10:00",
        field="holds",
    )


def test_bad_hold_of_zero_seconds(cli, whiskers):
    refused(cli, "log", "Whiskers", "--did", "picked_up", "--holds", "0", "--at", "10:00", field="holds")


def test_bad_unknown_animal(cli, whiskers):
    refused(cli, "log", "Snowball", "--did", "talked", "--at", "10:00", says="Snowball")


def test_bad_unknown_activity(cli, whiskers):
    refused(cli, "log", "Whiskers", "--did", "talked,juggling", "--at", "10:00", field="activities", says="juggling")


def test_bad_unknown_observation(cli, whiskers):
    refused(
        cli, "log", "Whiskers", "--did", "talked", "--saw", "sang", "--at", "10:00", field="observations", says="sang"
    )


def test_bad_session_with_nothing_to_record(cli, whiskers):
    refused(cli, "log", "Whiskers", "--at", "10:00", field="activities")


def test_bad_name_over_100_characters(cli, household):
    refused(cli, "animal", "add", "W" * 101, "--species", "rat", "--source", "rescue", field="name", says="100")


def test_name_of_exactly_100_characters_is_fine(cli, household):
    r = cli("animal", "add", "W" * 100, "--species", "rat", "--source", "rescue")
    assert r.code == 0, r.err


def test_bad_unknown_source(cli, household):
    refused(cli, "animal", "add", "Whiskers", "--species", "rat", "--source", "zoo", field="source")


def test_bad_session_for_an_animal_of_another_household(cli, whiskers, other_household):
    make_animal(other_household, today=TODAY, name="Shadow")
    refused(cli, "log", "Shadow", "--did", "talked", "--at", "10:00", says="No animal")


def test_bad_outsider_cannot_see_or_touch_anything(cli, whiskers, other_household):
    refused(cli, "animal", "show", "Whiskers", as_=OUTSIDER, says="No animal")
    refused(cli, "log", "Whiskers", "--did", "talked", "--at", "10:00", as_=OUTSIDER, says="No animal")
    refused(cli, "today", "--household", "Maple Street", as_=OUTSIDER, says="No household")
    refused(cli, "log", whiskers.public_id, "--did", "talked", "--at", "10:00", as_=OUTSIDER)


def test_bad_viewer_cannot_log(cli, whiskers):
    refused(cli, "log", "Whiskers", "--did", "talked", "--at", "10:00", as_=VIEWER, says="view .* not change")


def test_bad_session_before_the_animal_arrived(cli, whiskers):
    refused(cli, "log", "Whiskers", "--did", "talked", "--at", f"{day(-6)} 10:00", field="started_at", says="arrived")


def test_bad_arrival_date_in_the_future(cli, household):
    refused(
        cli,
        "animal",
        "add",
        "Whiskers",
        "--species",
        "rat",
        "--source",
        "rescue",
        "--arrived",
        day(1),
        field="arrival_date",
        says="future",
    )


def test_bad_birth_after_arrival(cli, household):
    refused(
        cli,
        "animal",
        "add",
        "Whiskers",
        "--species",
        "rat",
        "--source",
        "rescue",
        "--arrived",
        day(-10),
        "--born",
        day(-5),
        field="birth_date",
        says="after the arrival",
    )


def test_bad_edit_moving_arrival_after_the_first_session(cli, whiskers):
    assert cli("log", "Whiskers", "--did", "talked", "--at", f"{day(-4)} 10:00").code == 0
    refused(cli, "animal", "edit", "Whiskers", "--arrived", day(-1), field="arrival_date")
    whiskers.refresh_from_db()
    assert whiskers.arrival_date == TODAY - timedelta(days=5)


def test_bad_notes_over_2000_characters(cli, whiskers):
    refused(cli, "log", "Whiskers", "--did", "talked", "--at", "10:00", "--notes", "x" * 2001, field="notes")


def test_only_an_owner_can_export_a_backup(cli, household, tmp_path):
    make_animal(household, today=TODAY, name="Whiskers")
    for who in (CARER, VIEWER):
        r = cli("export", str(tmp_path / f"{who}.json"), "--household", "Maple Street", as_=who)
        assert r.code == 1 and "owner" in r.text
        assert not (tmp_path / f"{who}.json").exists()
    assert cli("export", str(tmp_path / "owner.json"), as_=OWNER).code == 0
