"""An animal on a lab or household protocol through the CLI: `animal add --protocol`, `animal move`,
`log --measure`, and `today` for a lab protocol. The last test is a whole rat-tickling study."""

from __future__ import annotations

import pytest

from gentling.models import Animal, ProtocolMove, Session
from tests.factories import make_animal

from .conftest import CARER, HOUSE, TODAY, d, ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def tick(household):
    """A breeder rat on rat-tickling, past its 2 settling days: at the tickling step."""
    return make_animal(household, today=TODAY, name="Tick", source="breeder", days_ago=5, protocol="rat-tickling")


def test_animal_add_with_a_protocol(cli):
    ok(cli("protocol", "add", str(HOUSE)))
    r = ok(cli("animal", "add", "Tick", "--species", "rat", "--source", "breeder", "--protocol", "rat-tickling"))
    assert "Rat tickling (lab) (rat-tickling, version 1)" in r.text
    r = ok(cli("animal", "add", "Rosie", "--species", "rat", "--source", "rescue", "--protocol", "house-gentle",
               "--json"))  # fmt: skip
    assert (r.json["protocol"], r.json["protocol_title"]) == ("house-gentle", "Our rescue's gentle method")
    assert Animal.objects.get(name="Tick").protocol == "rat-tickling"
    assert Animal.objects.get(name="Rosie").household_protocol.protocol_id == "house-gentle"


def test_animal_add_with_an_unknown_or_wrong_species_protocol_is_refused(cli):
    r = cli("animal", "add", "Tick", "--species", "rat", "--source", "breeder", "--protocol", "rat-tikling")
    assert r.code == 1
    assert "No protocol 'rat-tikling' for a rat" in r.text
    r = cli("animal", "add", "Tick", "--species", "rat", "--source", "breeder", "--protocol", "mouse-cup")
    assert r.code == 1
    assert "is for mouse, not rat" in r.text
    assert not Animal.objects.exists()


def test_animal_move_restarted_and_mapped(cli, household):
    make_animal(household, today=TODAY, name="Tick", source="breeder", days_ago=5)
    r = ok(cli("animal", "move", "Tick", "--to", "rat-tickling", "--restart"))
    assert r.out.strip() == (
        "Moved Tick from Rat handling ladder (treats-in-cage) to Rat tickling (lab) (tickling), restarted."
    )
    r = ok(cli("animal", "move", "Tick", "--to", "ladder", "--json"))
    assert (r.json["from_step"], r.json["to_title"], r.json["how"]) == ("tickling", "Rat handling ladder", "mapped")
    moves = [(m.to_protocol, m.how) for m in ProtocolMove.objects.order_by("moved_at", "pk")]
    assert moves == [("rat-tickling", "restarted"), ("", "mapped")]
    assert ok(cli("animal", "show", "Tick", "--json")).json["protocol"] == "ladder"


def test_animal_move_refusals_change_nothing(cli, tick):
    r = cli("animal", "move", "Tick", "--to", "nope")
    assert r.code == 1
    assert "No protocol 'nope' for a rat" in r.text
    r = cli("animal", "move", "Tick", "--to", "rat-tickling")
    assert r.code == 1
    assert "already follows Rat tickling (lab)" in r.text
    r = cli("animal", "move", "Tick", "--to", "ladder", as_=CARER)
    assert r.code == 1
    assert "Only an owner" in r.text
    assert not ProtocolMove.objects.exists()
    assert Animal.objects.get(pk=tick.pk).protocol == "rat-tickling"


def test_log_with_measures(cli, tick):
    r = ok(cli("log", "Tick", "--did", "tickled", "--measure", "calls_50khz=40", "--measure", "calls_22khz=0"))
    assert "Saved: Tick" in r.text
    (s,) = Session.objects.filter(animal=tick)
    assert s.measures == {"calls_50khz": 40, "calls_22khz": 0}
    assert "tickled" in s.activities


def test_log_refuses_a_measure_out_of_range_unknown_or_malformed(cli, tick):
    r = cli("log", "Tick", "--did", "tickled", "--measure", "calls_50khz=4000")
    assert r.code == 1
    assert "50-kHz calls '4000': must be between 0 and 2000 calls." in r.text
    r = cli("log", "Tick", "--did", "tickled", "--measure", "calls_50khz")
    assert r.code == 1
    assert "--measure 'calls_50khz': write NAME=VALUE" in r.text
    r = cli("log", "Tick", "--did", "tickled", "--measure", "=40", "--json")
    assert r.code == 1
    assert r.json["field"] == "measures"
    r = cli("log", "Tick", "--did", "tickled", "--measure", "weight=300")
    assert r.code == 1
    assert "Unknown measure: 'weight'" in r.text
    assert not Session.objects.exists()


def test_log_a_lab_word_is_refused_for_an_animal_on_the_ladder(cli, household):
    make_animal(household, today=TODAY, name="Whiskers", source="breeder", days_ago=5)
    r = cli("log", "Whiskers", "--did", "tickled")
    assert r.code == 1
    assert "tickled" in r.text
    assert not Session.objects.exists()


def test_vocab_points_to_the_protocols_own_words(cli):
    r = ok(cli("vocab"))
    assert "Lab and household protocols add their own words" in r.text
    assert "gentling protocol show REF" in r.text


def test_a_tickling_study_end_to_end(cli):
    """A breeder rat on rat-tickling arrives 5 days ago: 2 settling days, then tickling with call
    counts on 3 consecutive days moves it up to the still-hand test, as `today` and `animal show` say."""
    r = ok(cli("animal", "add", "Tick", "--species", "rat", "--source", "breeder", "--protocol", "rat-tickling",
               "--arrived", d(-5).isoformat()))  # fmt: skip
    assert "Tickling days" in r.text  # past its settling days already
    assert "day 1: Acclimation" in ok(cli("today", "--date", d(-4).isoformat())).text  # the 2nd settling day
    assert "day 2: Tickling days" in ok(cli("today", "--date", d(-3).isoformat())).text
    today = ok(cli("today")).text
    assert "Tick (rat), day 5: Tickling days" in today
    assert "Bouts: 15 s Tickle / 15 s Rest for 2 min" in today
    assert "Record --measure calls_50khz=N" in today

    def tickle(n: int):
        return ok(cli("log", "Tick", "--at", f"{d(n).isoformat()} 18:00", "--length", "3m",
                      "--did", "talked,tickled", "--measure", "calls_50khz=40"))  # fmt: skip

    for n in (-3, -2):
        r = tickle(n)
        assert "Moved up" not in r.text
        assert ok(cli("animal", "show", "Tick", "--json")).json["step"] == "tickling"
    r = tickle(-1)
    assert "Moved up to: Tickled: test with a still hand" in r.text

    shown = ok(cli("animal", "show", "Tick", "--json")).json
    assert (shown["protocol"], shown["step"]) == ("rat-tickling", "after-tickling")
    today = ok(cli("today")).text
    assert "Tick (rat), day 5: Tickled: test with a still hand" in today
    assert "Record --measure approach_seconds=N: Seconds to approach the hand, 0 to 180 s" in today
    assert "Bouts:" not in today
    assert sorted(s.measures["calls_50khz"] for s in Session.objects.all()) == [40, 40, 40]
