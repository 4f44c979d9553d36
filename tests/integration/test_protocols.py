"""Lab protocols and household protocols through the services (issue 16, parts 1 to 3):
chosen per animal, followed day by day with measures, uploaded, versioned, moved between,
and carried by backups."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from gentling.domain.errors import InvalidInput, NotAllowed, NotFound
from gentling.domain.validation import SessionInput
from gentling.models import HouseholdProtocol, ProtocolMove, Session
from gentling.services.backup import export_households
from gentling.services.progress import local_today, progress_of, protocol_for
from gentling.services.protocols import add_protocol, choices, move_animal
from gentling.services.restore import import_backup
from gentling.services.sessions import log_session
from tests.factories import make_animal

from .conftest import NOW, TODAY

HOUSE = Path(__file__).parent.parent / "data" / "protocols" / "house-gentle.toml"


def house_text(version: int = 1, **replace: str) -> str:
    text = HOUSE.read_text(encoding="utf-8").replace("version = 1", f"version = {version}")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def sit(keeper, household, animal, on, activities, observations=(), holds=(), measures=None):
    """A ten-minute session at 18:00 on day `on`, logged that evening."""
    start = datetime.combine(on, time(18), NOW.tzinfo)
    entry = SessionInput(
        start, start + timedelta(minutes=10), list(activities), list(holds), list(observations), measures=measures or {}
    )
    return log_session(
        keeper=keeper, household=household, animals=[animal], entry=entry, now=start + timedelta(hours=1)
    )


def test_a_tickling_study_follows_the_published_schedule_day_by_day(owner, household):
    """A breeder rat put on rat-tickling: 2 days' acclimation, tickling on 3 days with call
    counts, then the still-hand test; the sessions carry their protocol and measures."""
    arrival = TODAY - timedelta(days=10)
    rat = make_animal(household, today=arrival, name="Tick", source="breeder", protocol="rat-tickling")
    assert protocol_for(rat).id == "rat-tickling"
    steps = []
    for n in range(6):
        on = arrival + timedelta(days=n)
        steps.append(progress_of(rat, on).step_id)
        if steps[-1] == "settling-in":
            sit(owner, household, rat, on, ["talked"])
        elif steps[-1] == "tickling":
            logged = sit(owner, household, rat, on, ["talked", "tickled"], measures={"calls_50khz": "40"})
            assert not [a for a in logged[0].alerts if a.level != "caution"]
        else:
            sit(owner, household, rat, on, ["still_hand_test"], measures={"approach_seconds": 12, "hand_contacts": 9})
    assert steps == ["settling-in", "settling-in", "tickling", "tickling", "tickling", "after-tickling"]
    last = Session.objects.filter(animal=rat).latest("started_at")
    assert (last.protocol, last.protocol_version, last.measures) == (
        "rat-tickling",
        1,
        {"approach_seconds": 12, "hand_contacts": 9},
    )


def test_a_measure_out_of_range_or_unknown_is_refused_and_nothing_is_saved(owner, household):
    rat = make_animal(household, today=TODAY, days_ago=5, source="breeder", protocol="rat-tickling")
    for measures, words in [({"calls_50khz": -1}, "between 0 and 2000"), ({"weight_g": 300}, "Unknown measure")]:
        with pytest.raises(InvalidInput, match=words):
            sit(owner, household, rat, TODAY, ["tickled"], measures=measures)
    ladder = make_animal(household, today=TODAY, name="Ladder", days_ago=5)
    with pytest.raises(InvalidInput, match="Unknown activity: 'tickled'"):
        sit(owner, household, ladder, TODAY, ["tickled"])
    assert not Session.objects.exists()


def test_a_mouse_cannot_be_put_on_a_rat_protocol(owner, household):
    with pytest.raises(InvalidInput, match="is for rat, not mouse"):
        make_animal(household, today=TODAY, species="mouse", protocol="rat-tickling")
    with pytest.raises(NotFound, match="No protocol 'nope'"):
        make_animal(household, today=TODAY, protocol="nope")


def test_a_household_protocol_is_uploaded_used_and_versioned(owner, household):
    first = add_protocol(keeper=owner, household=household, text=house_text(), file="house.toml", now=NOW)
    assert [c.ref for c in choices(household, "rat") if c.kind == "household"] == ["house-gentle"]
    rat = make_animal(household, today=TODAY, days_ago=3, source="breeder", protocol="house-gentle")
    assert progress_of(rat, TODAY).step_id == "blanket"
    sit(owner, household, rat, TODAY, ["blanket_time"], ["came_to_blanket"], measures={"minutes_on_blanket": 20})

    with pytest.raises(InvalidInput, match="not newer than the stored version 1"):
        add_protocol(keeper=owner, household=household, text=house_text(), file="house.toml", now=NOW)
    second = add_protocol(
        keeper=owner, household=household, text=house_text(2, **{"sessions = 2": "sessions = 1"}), file="h2", now=NOW
    )
    assert (first.version, second.version) == (1, 2)
    rat.refresh_from_db()
    assert protocol_for(rat).version == 1  # a new version moves no animal by itself
    assert Session.objects.get(animal=rat).protocol_version == 1


def test_a_bad_upload_names_file_line_step_and_field_and_stores_nothing(owner, household):
    text = house_text(**{'role = "touch"': 'role = "tickle"'})
    with pytest.raises(InvalidInput) as caught:
        add_protocol(keeper=owner, household=household, text=text, file="ours.toml", now=NOW)
    assert caught.value.message.startswith("ours.toml, line ")
    assert "field 'activities[1].role'" in caught.value.message
    with pytest.raises(InvalidInput, match="step 'blanket', field 'advance.sessions'"):
        add_protocol(
            keeper=owner, household=household, text=house_text(**{"sessions = 2": "sessions = -2"}), file="x", now=NOW
        )
    with pytest.raises(InvalidInput, match="Gentling ships"):
        add_protocol(
            keeper=owner,
            household=household,
            text=house_text(**{'"house-gentle"': '"rat-tickling"'}),
            file="x",
            now=NOW,
        )
    with pytest.raises(InvalidInput, match="over 64 KB"):
        add_protocol(keeper=owner, household=household, text=house_text() + "#" * 70_000, file="big", now=NOW)
    assert not HouseholdProtocol.objects.exists()


def test_only_an_owner_uploads_or_moves(carer, household):
    with pytest.raises(NotAllowed):
        add_protocol(keeper=carer, household=household, text=house_text(), file="h", now=NOW)
    rat = make_animal(household, today=TODAY, days_ago=30)
    with pytest.raises(NotAllowed):
        move_animal(keeper=carer, household=household, animal=rat, to="rat-tickling", how="restarted", now=NOW)


@pytest.mark.parametrize(
    ("how", "was", "step"),
    [
        ("restarted", "maintenance", "tickling"),
        ("mapped", "maintenance", "after-tickling"),
        ("mapped", "petting", "tickling"),
    ],
)
def test_moving_from_the_ladder_to_tickling_maps_or_restarts_and_is_recorded(owner, household, how, was, step):
    from tests.factories import bring_to_step

    rat = bring_to_step(owner, household, was, now=NOW, name="Mover")
    before = Session.objects.filter(animal=rat).count()
    move = move_animal(keeper=owner, household=household, animal=rat, to="rat-tickling", how=how, now=NOW)
    assert (move.from_step, move.to_step, move.how) == (was, step, how)
    rat.refresh_from_db()
    today = local_today(household, NOW)
    assert progress_of(rat, today).step_id == step
    assert ProtocolMove.objects.get(animal=rat).to_protocol == "rat-tickling"
    assert Session.objects.filter(animal=rat).count() == before  # history stays
    with pytest.raises(InvalidInput, match="already follows"):
        move_animal(keeper=owner, household=household, animal=rat, to="rat-tickling", how=how, now=NOW)
    back = move_animal(keeper=owner, household=household, animal=rat, to="ladder", how="mapped", now=NOW)
    assert back.to_title == "Rat handling ladder"


def test_moving_to_a_new_version_keeps_the_place_and_old_sessions_keep_their_version(owner, household):
    add_protocol(keeper=owner, household=household, text=house_text(), file="h", now=NOW)
    rat = make_animal(household, today=TODAY, days_ago=6, source="breeder", protocol="house-gentle")
    for n in (3, 2):
        sit(owner, household, rat, TODAY - timedelta(days=n), ["blanket_time"], ["came_to_blanket"])
    assert progress_of(rat, TODAY).step_id == "scritches"
    add_protocol(keeper=owner, household=household, text=house_text(2), file="h2", now=NOW)
    move_animal(keeper=owner, household=household, animal=rat, to="house-gentle", how="mapped", now=NOW)
    rat.refresh_from_db()
    assert protocol_for(rat).version == 2 and progress_of(rat, TODAY).step_id == "scritches"
    assert set(Session.objects.filter(animal=rat).values_list("protocol_version", flat=True)) == {1}


def test_household_protocols_animals_on_them_and_moves_travel_with_a_backup(owner, household):
    add_protocol(keeper=owner, household=household, text=house_text(), file="h", now=NOW)
    rat = make_animal(household, today=TODAY, days_ago=6, source="breeder", protocol="house-gentle", name="Blanket")
    sit(
        owner,
        household,
        rat,
        TODAY - timedelta(days=2),
        ["blanket_time"],
        ["came_to_blanket"],
        measures={"minutes_on_blanket": 7},
    )
    tick = make_animal(household, today=TODAY, days_ago=40, name="Tick")
    move_animal(keeper=owner, household=household, animal=tick, to="rat-tickling", how="restarted", now=NOW)
    sit(owner, household, tick, TODAY, ["tickled"], measures={"calls_50khz": 33})
    steps = {a.name: progress_of(a, TODAY).step_id for a in (rat, tick)}
    first = json.loads(json.dumps(export_households([household], now=NOW)))

    import_backup(json.dumps(first), keeper=owner, now=NOW, replace=True)

    assert json.loads(json.dumps(export_households([household.__class__.objects.get()], now=NOW))) == first
    restored = {a.name: a for a in household.__class__.objects.get().animals.all()}
    assert {n: progress_of(restored[n], TODAY).step_id for n in steps} == steps
    assert protocol_for(restored["Blanket"]).id == "house-gentle"
    assert Session.objects.get(animal=restored["Blanket"]).measures == {"minutes_on_blanket": 7}


def test_a_backup_whose_protocol_is_broken_or_missing_is_refused_and_nothing_is_imported(owner, household, outsider):
    add_protocol(keeper=owner, household=household, text=house_text(), file="h", now=NOW)
    make_animal(household, today=TODAY, days_ago=6, source="breeder", protocol="house-gentle")
    good = json.loads(json.dumps(export_households([household], now=NOW)))
    broken = json.loads(json.dumps(good))
    broken["households"][0]["protocols"][0]["text"] = house_text(**{"fear_signs = [": "fear_signz = ["})
    missing = json.loads(json.dumps(good))
    missing["households"][0]["protocols"] = []
    for data, words in [(broken, "safety declaration|fear_signz"), (missing, "not in the backup")]:
        with pytest.raises(InvalidInput, match=words):
            import_backup(json.dumps(data), keeper=outsider, now=NOW)
    assert HouseholdProtocol.objects.count() == 1
