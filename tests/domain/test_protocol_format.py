"""The protocol format's own words, measures, bouts and safety declarations, and the four
lab protocols Gentling ships, followed day by day as their published schedules say."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from gentling.domain import engine, guardrails, vocab
from gentling.domain.errors import InvalidInput
from gentling.domain.protocol import LAB, ProtocolError, lab_protocol, load_protocol_text, parse_protocol
from gentling.domain.validation import STANDARD_WORDS, Words, check_measures

from .builders import animal, codes, day, session

HOUSE = Path(__file__).parent.parent / "data" / "protocols" / "house-gentle.toml"


def house_text() -> str:
    return HOUSE.read_text(encoding="utf-8")


def house_data() -> dict:
    return copy.deepcopy(tomllib.loads(house_text()))


def refused(data: dict) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(data, "ours.toml")
    return caught.value


def progress(protocol, facts, sessions, on):
    return engine.progress(protocol, facts, sessions, on)


# --- the lab protocols ------------------------------------------------------------------


@pytest.mark.parametrize("pid", LAB)
def test_each_lab_protocol_loads_and_cites_its_sources(pid):
    p = lab_protocol(pid)
    text = resources.files("gentling").joinpath("protocols", f"{pid}.toml").read_text(encoding="utf-8")
    assert p.id == pid and p.sources_cited and p.measures
    assert "domain.md" in text  # where the parameters come from
    assert {"bit", "puffed_fur"} <= set(p.fear_signs) and vocab.HEALTH_SIGNS <= p.illness_signs


def test_rat_tickling_has_the_published_bouts_technique_and_measures():
    p = lab_protocol("rat-tickling")
    tickling = p.steps[p.index_of("tickling")]
    assert (tickling.bouts.on_seconds, tickling.bouts.rest_seconds, tickling.bouts.total_seconds) == (15, 15, 120)
    assert tickling.bouts.count == 4
    assert [t.split()[0] for t in tickling.technique[:3]] == ["Rest", "Touch", "Flip"]
    assert "2-4 s" in tickling.technique[2]
    assert set(p.measure_specs) == {"calls_50khz", "calls_22khz", "approach_seconds", "hand_contacts"}
    assert p.measure_specs["calls_22khz"].fear_sign and not p.measure_specs["calls_50khz"].fear_sign
    after = p.steps[p.index_of("after-tickling")]
    assert "3 minutes" in after.plan[0].text and {"approach_seconds", "hand_contacts"} <= set(after.measures)


@pytest.mark.parametrize(("source", "days"), [("breeder", 3), ("born_at_home", 3), ("pet_store", 4), ("rescue", 5)])
def test_rat_tickling_runs_three_days_by_default_and_five_at_most(source, days):
    p = lab_protocol("rat-tickling")
    rat = animal(source, "rat")
    settled = p.source(source).settling_days
    sessions = []
    for n in range(settled, settled + days):
        assert progress(p, rat, sessions, day(n)).step_id == "tickling", f"day {n}"
        sessions.append(session(n, {"talked", "tickled"}, measures=(("calls_50khz", 40),)))
    assert progress(p, rat, sessions, day(settled + days)).step_id == "after-tickling"
    assert p.needed(p.steps[1].advance.distinct_days, source) <= 5


def test_rat_tickling_day_by_day_settles_then_tickles_then_tests():
    p, rat = lab_protocol("rat-tickling"), animal("breeder", "rat")
    assert [progress(p, rat, [], day(n)).step_id for n in (0, 1, 2)] == ["settling-in", "settling-in", "tickling"]
    early = session(1, {"talked", "tickled"})
    assert "handled_while_settling" in codes(guardrails.check_session(p, rat, progress(p, rat, [], day(1)), early))
    s = [session(n, {"talked", "tickled"}) for n in (2, 3)]
    assert progress(p, rat, s, day(4)).step_id == "tickling"
    s.append(session(4, {"talked", "tickled"}))
    assert progress(p, rat, s, day(5)).step_id == "after-tickling"


def test_22khz_alarm_calls_are_a_fear_sign_and_repeated_ones_set_back():
    p, rat = lab_protocol("rat-tickling"), animal("breeder", "rat")
    alarmed = (("calls_22khz", 6),)
    s = [session(n, {"tickled"}, measures=alarmed) for n in (2, 3, 4)]
    now = progress(p, rat, s, day(5))
    assert now.step_id == "tickling"  # no session counted
    assert any(c.direction == "back" and "22-khz calls" in c.reason.lower() for c in now.history)
    calm = [session(n, {"tickled"}, measures=(("calls_22khz", 0), ("calls_50khz", 30))) for n in (2, 3, 4)]
    assert progress(p, rat, calm, day(5)).step_id == "after-tickling"


def test_mouse_3d_is_three_consecutive_days():
    p, mouse = lab_protocol("mouse-3d"), animal("breeder", "mouse")
    start = p.source("breeder").settling_days
    s = [session(start, {"treat_in_cage"})]
    assert progress(p, mouse, s, day(start)).step_id == "day-1"
    assert progress(p, mouse, s, day(start + 1)).step_id == "day-2"
    s.append(session(start + 1, {"picked_up", "cupped_hands"}, holds=(3, 3, 3)))
    assert progress(p, mouse, s, day(start + 2)).step_id == "day-3"
    s.append(session(start + 2, {"picked_up", "cupped_hands"}, holds=(30, 30)))
    assert progress(p, mouse, s, day(start + 3)).step_id == "habituated"


@pytest.mark.parametrize("pid", ["mouse-tunnel", "mouse-cup", "mouse-3d"])
def test_a_tail_pickup_logged_for_a_mouse_is_a_guardrail_warning(pid):
    p, mouse = lab_protocol(pid), animal("breeder", "mouse")
    before = progress(p, mouse, [], day(5))
    alerts = guardrails.check_session(p, mouse, before, session(5, {"tail_lift"}))
    assert [a.level for a in alerts if a.code == "tail_lift"] == ["warning"]


def test_mouse_tunnel_counts_tunnel_lifts_and_then_asks_for_two_seconds_at_each_cage_change():
    p, mouse = lab_protocol("mouse-tunnel"), animal("breeder", "mouse")
    s = [session(n, {"picked_up", "rewarded"}, holds=(2,)) for n in range(2, 8)]
    assert progress(p, mouse, s, day(8)).step_id == "tunnel-lifts"  # no tunnel: not this protocol's lift
    s = [session(n, {"picked_up", "tunnel_used"}, holds=(2,)) for n in range(2, 7)]
    assert progress(p, mouse, s, day(7)).step_id == "cage-changes"
    assert "cage change" in p.steps[-1].plan[0].text and "2" in p.steps[-1].plan[0].text


# --- a protocol's own words and the guardrails ------------------------------------------


def test_guardrails_read_roles_from_the_protocol():
    p = load_protocol_text(house_text(), "house-gentle.toml")
    rat = animal("rescue", "rat")
    before = progress(p, rat, [], day(4))
    assert before.step_id == "blanket"
    alerts = guardrails.check_session(p, rat, before, session(4, {"scritches", "lap_lift", "scruffed"}))
    by = {a.code: a for a in alerts}
    assert "Touch (scritches behind the ears) comes after" in by["petting_too_early"].message  # too early
    assert "pickup_too_early" in by and "pickup_without_reward" in by  # a pick-up, too early, no reward
    assert by["never_do"].level == "warning" and "scruffed" in by["never_do"].message
    ill = guardrails.check_session(p, rat, before, session(4, {"blanket_time"}, {"wheezing"}))
    assert [a.level for a in ill if a.code == "illness_sign"] == ["stop"]
    assert progress(p, rat, [session(4, {"blanket_time"}, {"wheezing"})], day(4)).paused_since == day(4)


def test_a_protocols_own_fear_sign_and_measure_count_as_the_protocol_says():
    p = load_protocol_text(house_text(), "house-gentle.toml")
    rat = animal("rescue", "rat")
    came = {"came_to_blanket"}
    calm = [session(n, {"blanket_time"}, came, measures=(("minutes_on_blanket", 15),)) for n in (3, 4)]
    assert progress(p, rat, calm, day(5)).step_id == "scritches"
    hissing = [session(n, {"blanket_time"}, came | {"hissed"}) for n in (3, 4)]
    assert progress(p, rat, hissing, day(5)).step_id == "blanket"


# --- safety declarations and errors -----------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d.pop("safety"), "safety", "safety declaration is missing"),
        (lambda d: d.pop("fear_signs"), "fear_signs", "safety declaration is missing"),
        (lambda d: d["safety"].update(illness_signs=[]), "safety.illness_signs", "safety declaration is missing"),
        (lambda d: d["fear_signs"].remove("bit"), "fear_signs", "cannot switch off"),
        (lambda d: d["fear_signs"].remove("hissed"), "fear_signs", "hissed"),
        (lambda d: d["safety"]["illness_signs"].remove("head_tilt"), "safety.illness_signs", "cannot switch that off"),
        (lambda d: d["safety"]["illness_signs"].remove("wheezing"), "safety.illness_signs", "wheezing"),
        (lambda d: d["safety"]["illness_signs"].append("relaxed"), "safety.illness_signs", "not an illness sign"),
    ],
)
def test_a_protocol_without_its_safety_declarations_is_refused(change, field, words):
    data = house_data()
    change(data)
    error = refused(data)
    assert error.field == field and words in error.message


def test_own_words_cannot_reuse_gentlings_names():
    data = house_data()
    data["activities"][0]["name"] = "petted"
    error = refused(data)
    assert error.field == "activities[0].name" and "already a word" in error.message


def test_a_bad_protocol_error_names_file_line_step_and_field():
    text = house_text().replace(
        'sessions = 2\ndistinct_days = 2\nrequires_activities = ["scritches"]',
        'sessions = -1\ndistinct_days = 2\nrequires_activities = ["scritches"]',
    )
    with pytest.raises(ProtocolError) as caught:
        load_protocol_text(text, "ours.toml")
    error = caught.value
    line = text.splitlines()[error.line - 1]
    assert line.startswith("sessions = -1")
    assert str(error).startswith(f"ours.toml, line {error.line}, step 'scritches', field 'advance.sessions'")
    measure = house_text().replace("max = 120", "max = 0")
    with pytest.raises(ProtocolError) as caught:
        load_protocol_text(measure, "ours.toml")
    assert measure.splitlines()[caught.value.line - 1] == "max = 0"
    with pytest.raises(ProtocolError) as caught:
        load_protocol_text(house_text().replace('role = "touch"', 'role = "tickle"'), "ours.toml")
    assert caught.value.field == "activities[1].role" and "line" in str(caught.value)


def test_a_step_with_bouts_longer_than_the_routine_is_refused():
    data = house_data()
    data["steps"][1]["bouts"] = {"on_seconds": 30, "rest_seconds": 10, "total_seconds": 20}
    assert refused(data).field == "bouts.on_seconds"


# --- measures as typed ------------------------------------------------------------------


def test_measures_are_numbers_in_their_range_and_counts_are_whole():
    words = Words.of([lab_protocol("rat-tickling")])
    typed = {"approach_seconds": "4", "calls_50khz": "12", "hand_contacts": ""}
    assert check_measures(typed, words.measures) == {"calls_50khz": 12, "approach_seconds": 4}
    assert list(check_measures(typed, words.measures)) == ["calls_50khz", "approach_seconds"]  # protocol order
    with pytest.raises(InvalidInput, match="between 0 and 2000 calls"):
        check_measures({"calls_50khz": -3}, words.measures)
    with pytest.raises(InvalidInput, match="a count is a whole number"):
        check_measures({"calls_22khz": "2.5"}, words.measures)
    with pytest.raises(InvalidInput, match="not a number"):
        check_measures({"calls_22khz": "lots"}, words.measures)
    with pytest.raises(InvalidInput, match="Unknown measure: 'weight'"):
        check_measures({"weight": 300}, words.measures)
    with pytest.raises(InvalidInput, match="records no measures"):
        check_measures({"calls_50khz": 3}, STANDARD_WORDS.measures)


def test_a_sitting_uses_the_words_all_its_animals_protocols_know():
    words = Words.of([lab_protocol("rat-tickling"), load_protocol_text(house_text(), "h.toml")])
    assert "talked" in words.activities and "tickled" not in words.activities and "blanket_time" not in words.activities


def test_a_task_done_in_bouts_needs_the_timer_and_a_tunnel_lift_tap_says_it_was_in_the_tunnel():
    from gentling.domain.plan import plan_for_day, quick_entry

    p, rat = lab_protocol("rat-tickling"), animal("breeder", "rat")
    at_tickling = progress(p, rat, [], day(2))
    (tickle,) = [t for t in plan_for_day(p, at_tickling, []).tasks if t.activity == "tickled"]
    assert tickle.needs_timer and quick_entry(p, at_tickling, "tickled") is None
    tunnel, mouse = lab_protocol("mouse-tunnel"), animal("breeder", "mouse")
    entry = quick_entry(tunnel, progress(tunnel, mouse, [], day(2)), "picked_up")
    assert entry is not None and set(entry.activities) == {"picked_up", "rewarded", "tunnel_used"}
    assert entry.holds == (2,)


def test_a_hostile_file_nested_thousands_deep_is_refused_plainly():
    with pytest.raises(ProtocolError, match="nested too deeply"):
        load_protocol_text("a = " + "[" * 30_000 + "]" * 30_000, "deep.toml")
