"""`gentling cage`, `quarantine`, `intro`, `litter` and the arrivals parts of `today`,
driven in-process like tests/integration/test_cli.py: `main([...], now=..., stdout=buf)`
as a keeper named by GENTLING_KEEPER. The last test is the issue's acceptance story."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gentling.models import CageStay, HealthCheck, IntroductionMeeting, Litter
from tests.cli_harness import Result, cli_runner
from tests.factories import make_animal

from .conftest import NOW, TODAY, d

pytestmark = pytest.mark.django_db

OWNER, CARER, VIEWER = "olive-owner", "carl-carer", "vera-viewer"


@pytest.fixture
def cli(monkeypatch, capsys, household):
    return cli_runner(monkeypatch, capsys, keeper=OWNER, now=NOW)


def on(n: int, hour: int = 12):
    """NOW moved n days (and to `hour` UTC)."""
    return (NOW + timedelta(days=n)).replace(hour=hour)


def iso(n: int) -> str:
    return d(n).isoformat()


def ok(r: Result) -> Result:
    assert r.code == 0, r.text
    return r


@pytest.fixture
def nova(household, residents):
    """Residents Biscuit and Pepper in Big cage; Nova, a rescue, arrived today: in quarantine until TODAY + 21."""
    return make_animal(household, today=TODAY, name="Nova", sex="female", birth_date=d(-120), cage="Quarantine tub")


def start_intro(cli, now=NOW) -> str:
    r = ok(
        cli(
            "intro",
            "start",
            "--newcomers",
            "Nova",
            "--residents",
            "Biscuit,Pepper",
            "--cage",
            "Big cage",
            "--json",
            now=now,
        )
    )
    return r.json["id"]


def today_json(cli, *extra, now=NOW) -> dict:
    return ok(cli("today", "--json", *extra, now=now)).json


def animal(today: dict, name: str) -> dict:
    (found,) = [a for a in today["animals"] if a["name"] == name]
    return found


def names(refs: list[dict]) -> list[str]:
    return [r["name"] for r in refs]


# --- cage ---------------------------------------------------------------------------------


def test_cage_list_json(cli, nova):
    cages = {c["name"]: [a["name"] for a in c["animals"]] for c in ok(cli("cage", "list", "--json")).json["cages"]}
    assert cages == {"Big cage": ["Biscuit", "Pepper"], "Quarantine tub": ["Nova"]}


def test_cage_list_text(cli, nova):
    r = ok(cli("cage", "list"))
    assert "Big cage" in r.text and "Biscuit, Pepper" in r.text


def test_cage_show_json(cli, nova):
    stays = ok(cli("cage", "show", "big cage", "--json")).json
    assert stays["cage"] == "Big cage"
    assert [(s["animal_name"], s["moved_in_on"], s["moved_out_on"], s["override_reason"]) for s in stays["stays"]] == [
        ("Biscuit", iso(0), None, ""),
        ("Pepper", iso(0), None, ""),
    ]


def test_cage_show_unknown_cage(cli, nova):
    r = cli("cage", "show", "Attic")
    assert r.code == 1 and "No cage 'Attic'" in r.text


def test_refused_move_exits_1_naming_the_reason(cli, nova):
    r = cli("cage", "move", "Nova", "Big cage")
    assert r.code == 1
    assert f"in quarantine until {iso(21)}" in r.text
    assert "not been introduced" in r.text
    nova.refresh_from_db()
    assert nova.cage.name == "Quarantine tub"


def test_refused_move_json(cli, nova):
    r = cli("cage", "move", "Nova", "Big cage", "--json")
    assert r.code == 1
    assert r.json["field"] == "cage"
    assert iso(21) in r.json["error"]


def test_owner_override_is_listed_by_cage_show(cli, nova):
    r = ok(cli("cage", "move", "Nova", "Big cage", "--override-reason", "Vet cleared her; lonely", "--json", now=on(2)))
    assert r.json["cage"] == "Big cage"
    assert {a["code"] for a in r.json["alerts"]} >= {"quarantine_not_finished", "introduction_not_done"}
    stays = ok(cli("cage", "show", "Big cage", "--json", now=on(2))).json["stays"]
    (mine,) = [s for s in stays if s["animal_name"] == "Nova"]
    assert mine["override_reason"] == "Vet cleared her; lonely"
    assert set(mine["overridden"]) == {"quarantine_not_finished", "introduction_not_done"}
    assert mine["moved_in_on"] == iso(2)
    text = ok(cli("cage", "show", "Big cage", now=on(2))).text
    assert "Vet cleared her; lonely" in text


def test_carer_cannot_override(cli, nova):
    r = cli("cage", "move", "Nova", "Big cage", "--override-reason", "trust me", as_=CARER)
    assert r.code == 1 and "Only an owner" in r.text
    assert not CageStay.objects.filter(animal=nova, cage__name="Big cage").exists()


def test_viewer_cannot_move(cli, nova):
    r = cli("cage", "move", "Nova", "Hospital", as_=VIEWER)
    assert r.code == 1
    nova.refresh_from_db()
    assert nova.cage.name == "Quarantine tub"


def test_move_to_empty_cage_and_out(cli, nova):
    r = ok(cli("cage", "move", "Nova", "Hospital", "--json"))
    assert r.json == {"animal": nova.public_id, "cage": "Hospital", "alerts": []}
    r = ok(cli("cage", "move", "Nova", "--out", "--json"))
    assert r.json["cage"] is None
    assert "Moved Nova into Hospital" in ok(cli("cage", "move", "Nova", "Hospital")).text
    r = cli("cage", "move", "Nova")
    assert r.code == 1 and "--out" in r.text


def test_cage_move_text_shows_cautions(cli, household):
    make_animal(household, today=TODAY, name="Rex", sex="male", birth_date=d(-150), cage="Boys")
    make_animal(household, today=TODAY, name="Max", sex="male", birth_date=d(-150))
    r = ok(cli("cage", "move", "Max", "Boys"))
    assert "Moved Max into Boys" in r.text
    assert "Note:" in r.text and "riskiest pairing" in r.text


# --- quarantine -------------------------------------------------------------------------------


def test_quarantine_list(cli, nova):
    rows = ok(cli("quarantine", "list", "--json")).json["quarantines"]
    assert [
        (q["animal_name"], q["started_on"], q["ends_on"], q["days_left"], q["air_space"], q["last_sign_on"])
        for q in rows
    ] == [("Nova", iso(0), iso(21), 21, "another_room", None)]
    assert ok(cli("quarantine", "list", "--json", now=on(20))).json["quarantines"][0]["days_left"] == 1
    assert ok(cli("quarantine", "list", "--json", now=on(21))).json["quarantines"] == []
    assert "Nobody is in quarantine" in ok(cli("quarantine", "list", now=on(21))).text
    assert "Nova" in ok(cli("quarantine", "list")).text


def test_quarantine_check_extends(cli, nova):
    r = ok(cli("quarantine", "check", "Nova", "--signs", "red_tears,sneezing", "--json", now=on(10)))
    assert r.json == {
        "animal": nova.public_id,
        "day": iso(10),
        "signs": ["sneezing", "red_tears"],
        "notes": "",
        "quarantine_ends_on": iso(24),
    }
    row = ok(cli("quarantine", "list", "--json", now=on(10))).json["quarantines"][0]
    assert (row["last_sign_on"], row["days_left"]) == (iso(10), 14)


def test_illness_sign_in_a_handling_session_extends_quarantine(cli, nova):
    """README: extended to at least 14 days after any illness sign from a health check or a session."""
    ok(cli("log", "Nova", "--did", "talked", "--saw", "red_tears", "--length", "5m", now=on(12)))
    row = ok(cli("quarantine", "list", "--json", now=on(12))).json["quarantines"][0]
    assert (row["ends_on"], row["last_sign_on"]) == (iso(26), iso(12))


def test_quarantine_check_text_points_to_a_vet(cli, nova):
    r = ok(cli("quarantine", "check", "Nova", "--signs", "hunched", "--date", iso(2), now=on(3)))
    assert "Health check saved for Nova: hunched" in r.text
    assert "vet" in r.text.lower()
    assert f"Quarantine until {iso(21)}" in r.text  # a sign on day 2 does not shorten it
    r = ok(cli("quarantine", "check", "Nova", now=on(3)))
    assert "all well" in r.text


def test_quarantine_check_refusals(cli, nova):
    r = cli("quarantine", "check", "Nova", "--signs", "sniffles")
    assert r.code == 1 and "sniffles" in r.text
    r = cli("quarantine", "check", "Nova", "--date", iso(1))
    assert r.code == 1 and "future" in r.text
    r = cli("quarantine", "check", "Nova", as_=VIEWER)
    assert r.code == 1
    assert not HealthCheck.objects.exists()


# --- introductions ----------------------------------------------------------------------------


def test_intro_start_and_list(cli, nova):
    intro_id = start_intro(cli)
    rows = ok(cli("intro", "list", "--json")).json["introductions"]
    assert [(i["id"], names(i["newcomers"]), names(i["residents"]), i["stage"]) for i in rows] == [
        (intro_id, ["Nova"], ["Biscuit", "Pepper"], "scent-swap")
    ]
    assert "Nova" in ok(cli("intro", "list")).text
    later = ok(cli("intro", "list", "--json", now=on(24))).json["introductions"][0]
    assert later["stage"] == "side-by-side"
    assert [h["direction"] for h in later["history"]] == ["start", "up"]


def test_intro_list_empty(cli, nova):
    assert ok(cli("intro", "list", "--json")).json == {"introductions": []}
    assert "No introductions under way" in ok(cli("intro", "list")).text


def test_intro_start_refusals(cli, household, nova):
    make_animal(household, today=TODAY, name="Minnie", species="mouse", sex="female")
    r = cli("intro", "start", "--newcomers", "Minnie", "--residents", "Biscuit")
    assert r.code == 1 and "mice" in r.text
    r = cli("intro", "start", "--newcomers", "Nova,Biscuit", "--residents", "Biscuit")
    assert r.code == 1 and "both" in r.text
    r = cli("intro", "start", "--newcomers", "Ghost", "--residents", "Biscuit")
    assert r.code == 1 and "Ghost" in r.text


def test_intro_meet_during_quarantine_is_refused(cli, nova):
    intro_id = start_intro(cli)
    r = cli("intro", "meet", intro_id, "--length", "30m", now=on(10))
    assert r.code == 1 and iso(21) in r.text
    assert not IntroductionMeeting.objects.exists()


def test_intro_meet_unknown_behaviour(cli, nova):
    intro_id = start_intro(cli)
    r = cli("intro", "meet", intro_id, "--length", "30m", "--saw", "sniffing,wrestling", now=on(26))
    assert r.code == 1 and "wrestling" in r.text


def test_intro_meet_and_cleaned_json(cli, nova):
    intro_id = start_intro(cli)
    r = ok(cli("intro", "meet", intro_id, "--length", "30m", "--saw", "sniffing,pinning", "--json", now=on(26)))
    assert r.json["stage"] == "neutral-meetings" and r.json["alerts"] == []
    r = ok(cli("intro", "meet", intro_id, "--length", "20", "--at", "15:00", "--json", now=on(26, 18)))
    intro = today_json(cli, now=on(26, 18))["introductions"][0]
    assert (intro["good_meetings"], intro["meetings_needed"], intro["next_meeting_seconds"]) == (1, 3, 45 * 60)
    ok(cli("intro", "meet", intro_id, "--length", "45m", now=on(27)))
    r = ok(cli("intro", "meet", intro_id, "--length", "1h", "--json", now=on(28)))
    assert r.json["stage"] == "clean-cage"
    r = ok(cli("intro", "cleaned", intro_id, "--json", now=on(29)))
    assert r.json == {"id": intro_id, "cage_cleaned_on": iso(29)}
    assert ok(cli("intro", "list", "--json", now=on(29))).json["introductions"][0]["stage"] == "move-in"
    text = ok(cli("intro", "cleaned", intro_id, "--date", iso(29), now=on(29))).text
    assert f"cleaned on {iso(29)}" in text


def test_intro_cleaned_in_the_future_is_refused(cli, nova):
    """Like `quarantine check --date` and `litter separated --date`, a cleaning is recorded once it happened."""
    intro_id = start_intro(cli)
    r = cli("intro", "cleaned", intro_id, "--date", iso(400))
    assert r.code == 1, f"a cleaning dated {iso(400)} was accepted"


def test_danger_meeting_prints_separate_now(cli, nova):
    intro_id = start_intro(cli)
    ok(cli("intro", "meet", intro_id, "--length", "30m", now=on(26)))
    r = ok(cli("intro", "meet", intro_id, "--length", "10m", "--saw", "pinning,blood", now=on(27)))
    assert "STOP" in r.text
    assert "Separate them now" in r.text and "towel or gloves" in r.text
    assert "any blood" in r.text
    assert "Cages side by side" in r.text  # back one stage
    r = ok(cli("intro", "meet", intro_id, "--length", "5m", "--saw", "bites_flank_belly", "--json", now=on(28)))
    (alert,) = r.json["alerts"]
    assert (alert["code"], alert["level"]) == ("separate_now", "stop")
    assert "towel or gloves" in alert["message"]
    assert r.json["stage"] == "scent-swap"


def test_intro_meet_unknown_intro(cli, nova):
    r = cli("intro", "meet", "nope", "--length", "30m", now=on(26))
    assert r.code == 1 and "nope" in r.text


# --- litters ------------------------------------------------------------------------------------


def test_litter_add_list_separated(cli, household):
    make_animal(household, today=TODAY, name="Mum", sex="female", days_ago=300)
    r = ok(cli("litter", "add", "Spring", "--species", "rat", "--born", iso(-30), "--mother", "Mum", "--json"))
    assert r.json["name"] == "Spring"
    rows = ok(cli("litter", "list", "--json")).json["litters"]
    assert [(x["name"], x["species"], x["born"], x["age_days"], x["separate_by"], x["separated_on"]) for x in rows] == [
        ("Spring", "rat", iso(-30), 30, iso(5), None)
    ]
    assert iso(5) in rows[0]["alert"]  # the warning week
    assert "Spring" in ok(cli("litter", "list")).text
    r = ok(cli("litter", "separated", "spring", "--json", now=on(3)))
    assert r.json["separated_on"] == iso(3)
    rows = ok(cli("litter", "list", "--json", now=on(3))).json["litters"]
    assert rows[0]["separated_on"] == iso(3) and rows[0]["alert"] is None


def test_litter_refusals(cli, household):
    r = cli("litter", "add", "Soon", "--species", "rat", "--born", iso(1))
    assert r.code == 1 and "future" in r.text
    r = cli("litter", "add", "X", "--species", "rat", "--born", iso(-1), as_=VIEWER)
    assert r.code == 1
    assert not Litter.objects.exists()
    r = cli("litter", "separated", "Nope")
    assert r.code == 1 and "Nope" in r.text


def test_litter_text_in_today(cli, household):
    ok(cli("litter", "add", "Kits", "--species", "mouse", "--born", iso(-29)))
    r = ok(cli("today"))
    assert "Litter Kits, 29 days old" in r.text
    assert "Separate the males from the females now" in r.text


# --- today --------------------------------------------------------------------------------------


def test_today_json_quarantine_introductions_litters(cli, household, nova):
    intro_id = start_intro(cli)
    ok(cli("litter", "add", "Spring", "--species", "rat", "--born", iso(-5)))
    t = today_json(cli)
    assert animal(t, "Biscuit")["quarantine"] is None
    q = animal(t, "Nova")["quarantine"]
    assert (q["ends_on"], q["days_left"], q["air_space"], q["air_space_ok"]) == (iso(21), 21, "another_room", False)
    assert any("newcomers last" in c for c in q["care"])
    (intro,) = t["introductions"]
    assert (intro["id"], intro["newcomers"], intro["residents"], intro["stage"], intro["waiting_until"]) == (
        intro_id,
        ["Nova"],
        ["Biscuit", "Pepper"],
        "scent-swap",
        iso(21),
    )
    (litter,) = t["litters"]
    assert litter["name"] == "Spring" and litter["age_days"] == 5
    assert "brief daily handling" in litter["items"][0]
    assert litter["alert"] is None


def test_today_text_shows_quarantine_and_air_space_warning(cli, nova):
    start_intro(cli)
    r = ok(cli("today"))
    assert f"Quarantine: 21 day(s) left, until {iso(21)}" in r.text
    assert "second best" in r.text
    assert f"Waits for the end of quarantine on {iso(21)}" in r.text


def test_today_separate_building_is_not_flagged(cli, household, residents):
    make_animal(household, today=TODAY, name="Far", sex="female", air_space="separate_building")
    q = animal(today_json(cli), "Far")["quarantine"]
    assert q["air_space_ok"] is True
    assert "second best" not in ok(cli("today")).text


# --- the acceptance story -----------------------------------------------------------------


def test_acceptance_story(cli, household):
    # Two resident female rats, arrived together 60 days ago, live in Big cage.
    for name in ("Biscuit", "Pepper"):
        ok(
            cli(
                "animal",
                "add",
                name,
                "--species",
                "rat",
                "--source",
                "pet_store",
                "--sex",
                "female",
                "--arrived",
                iso(-60),
                "--born",
                iso(-150),
                "--cage",
                "Big cage",
            )
        )
    t = today_json(cli)
    assert [animal(t, n)["quarantine"] for n in ("Biscuit", "Pepper")] == [None, None]

    # A new rescue female arrives today: quarantine starts and counts down.
    r = ok(
        cli(
            "animal",
            "add",
            "Nova",
            "--species",
            "rat",
            "--source",
            "rescue",
            "--sex",
            "female",
            "--age",
            "4m",
            "--cage",
            "Quarantine tub",
            "--json",
        )
    )
    assert "quarantine_started" in [a["code"] for a in r.json["alerts"]]
    assert animal(today_json(cli), "Nova")["quarantine"]["days_left"] == 21
    assert animal(today_json(cli, "--date", iso(5)), "Nova")["quarantine"]["days_left"] == 16
    assert animal(today_json(cli, now=on(10)), "Nova")["quarantine"]["days_left"] == 11
    assert animal(today_json(cli, now=on(20)), "Nova")["quarantine"]["days_left"] == 1

    # Moving her in early is refused, with the reason.
    r = cli("cage", "move", "Nova", "Big cage", now=on(3))
    assert r.code == 1
    assert f"Nova is in quarantine until {iso(21)}" in r.text
    assert names(ok(cli("cage", "list", "--json", now=on(3))).json["cages"][0]["animals"]) == ["Biscuit", "Pepper"]

    # The introduction is started during quarantine, and waits for its end.
    intro_id = start_intro(cli, now=on(3))
    assert today_json(cli, now=on(3))["introductions"][0]["waiting_until"] == iso(21)

    # After quarantine: no more quarantine, and the introduction runs stage by stage.
    t = today_json(cli, now=on(21))
    assert animal(t, "Nova")["quarantine"] is None
    assert t["introductions"][0]["stage"] == "scent-swap"
    r = cli("cage", "move", "Nova", "Big cage", now=on(21))
    assert r.code == 1 and "not been introduced" in r.text and "in quarantine until" not in r.text
    assert today_json(cli, now=on(24))["introductions"][0]["stage"] == "side-by-side"
    intro = today_json(cli, now=on(26))["introductions"][0]
    assert (intro["stage"], intro["next_meeting_seconds"]) == ("neutral-meetings", 15 * 60)

    for n, length in ((26, "30m"), (27, "45m"), (28, "1h")):
        r = ok(
            cli(
                "intro",
                "meet",
                intro_id,
                "--length",
                length,
                "--saw",
                "sniffing,pinning,squeaking",
                "--json",
                now=on(n),
            )
        )
        assert r.json["alerts"] == []
    assert r.json["stage"] == "clean-cage"
    assert cli("cage", "move", "Nova", "Big cage", now=on(28)).code == 1

    ok(cli("intro", "cleaned", intro_id, now=on(29)))
    assert today_json(cli, now=on(29))["introductions"][0]["stage"] == "move-in"

    # The final move-in works.
    r = ok(cli("cage", "move", "Nova", "Big cage", "--json", now=on(29)))
    assert r.json["cage"] == "Big cage"
    assert not [a for a in r.json["alerts"] if a["level"] != "caution"]
    cages = {c["name"]: names(c["animals"]) for c in ok(cli("cage", "list", "--json", now=on(29))).json["cages"]}
    assert cages == {"Big cage": ["Biscuit", "Nova", "Pepper"], "Quarantine tub": []}
    stays = ok(cli("cage", "show", "Big cage", "--json", now=on(29))).json["stays"]
    (mine,) = [s for s in stays if s["animal_name"] == "Nova"]
    assert (mine["moved_in_on"], mine["moved_out_on"], mine["override_reason"], mine["overridden"]) == (
        iso(29),
        None,
        "",
        [],
    )
    tub = ok(cli("cage", "show", "Quarantine tub", "--json", now=on(29))).json["stays"]
    assert [(s["animal_name"], s["moved_in_on"], s["moved_out_on"]) for s in tub] == [("Nova", iso(0), iso(29))]
    assert animal(today_json(cli, now=on(29)), "Nova")["cage"] == "Big cage"
