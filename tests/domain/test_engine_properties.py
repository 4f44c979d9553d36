"""The engine's invariants, over random animals and random session histories (hypothesis).

Histories are either random sessions, or a calm keeper following the plan with random
sessions mixed in: the second kind reaches the upper rungs of the ladder, which random
sessions alone rarely do.
"""

from datetime import datetime, time, timedelta
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gentling.domain import engine, vocab
from gentling.domain.protocol import Protocol, StepKind, shipped_protocol
from gentling.domain.records import AnimalFacts, SessionRecord
from tests.domain.builders import ARRIVAL, follow_plan

HORIZON = 60  # days after arrival
GOOD_ACTIVITIES = frozenset({"talked", "treat_in_cage", "treat_from_fingers", "petted", "picked_up", "rewarded"})
GOOD_SIGNS = frozenset({"approached", "took_treat", "ate_from_fingers", "relaxed"})
ACTIVITIES = sorted(vocab.ACTIVITIES)
EVERYDAY_SIGNS = sorted(
    n for n, o in vocab.OBSERVATIONS.items() if o.signal not in (vocab.Signal.HEALTH, vocab.Signal.CLEARED)
)
HEALTH_SIGNS = sorted(vocab.HEALTH_SIGNS)
FEAR_SIGNS = sorted(vocab.FEAR_SIGNS)
ENDINGS = sorted(vocab.EXTENDED_HOLD_ENDINGS)

# Drawing a history can replay a plan-following keeper (cached), which is slow the first time.
examples = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- strategies -------------------------------------------------------------------------


@st.composite
def animals(draw, opt_in: bool | None = None) -> AnimalFacts:
    return AnimalFacts(
        species=draw(st.sampled_from(["rat", "mouse"])),
        source=draw(st.sampled_from(sorted(vocab.SOURCES))),
        arrival_date=ARRIVAL,
        extended_hold_opt_in=draw(st.booleans()) if opt_in is None else opt_in,
    )


@st.composite
def sessions_for(draw, facts: AnimalFacts, n: int) -> list[SessionRecord]:
    out = []
    for i in range(n):
        on = facts.arrival_date + timedelta(days=draw(st.integers(0, HORIZON)))
        if draw(st.integers(0, 9)) < 6:  # a good session
            activities = set(GOOD_ACTIVITIES)
            signs = set(GOOD_SIGNS)
            holds = draw(st.lists(st.integers(1, 200), min_size=1, max_size=2))
        else:
            activities = draw(st.sets(st.sampled_from(ACTIVITIES), max_size=4))
            signs = draw(st.sets(st.sampled_from(EVERYDAY_SIGNS), max_size=3))
            holds = draw(st.lists(st.integers(1, 200), max_size=2))
        trouble = draw(st.integers(0, 19))
        if trouble == 0:
            signs.add(draw(st.sampled_from(HEALTH_SIGNS)))
        elif trouble <= 2:
            signs.add("health_cleared")
        elif trouble <= 5:
            signs.add(draw(st.sampled_from(FEAR_SIGNS)))
        seconds = end = None
        if draw(st.integers(0, 7)) == 0:
            activities.add("extended_hold")
            seconds = draw(st.sampled_from([300, 1199, 1200, 1800]))
            end = draw(st.sampled_from(ENDINGS))
        out.append(
            SessionRecord(
                id=f"r{i:03d}",
                day=on,
                at=datetime.combine(on, time(6)) + timedelta(minutes=draw(st.integers(0, 16 * 60))),
                duration_seconds=600,
                activities=frozenset(activities),
                holds=tuple(holds),
                observations=frozenset(signs),
                extended_hold_seconds=seconds,
                extended_hold_end=end,
            )
        )
    return out


@cache
def planned(facts: AnimalFacts, days: int, per_day: int) -> tuple[SessionRecord, ...]:
    sessions, _ = follow_plan(shipped_protocol(facts.species), facts, days=days, per_day=per_day)
    return tuple(sessions)


@st.composite
def histories(draw, opt_in: bool | None = None, planned_days: int = 0) -> tuple[AnimalFacts, list[SessionRecord]]:
    """An animal and its sessions. With `planned_days`, always a plan-following keeper for at
    least that many days (to reach the upper rungs), with random sessions mixed in."""
    facts = draw(animals(opt_in))
    base: tuple[SessionRecord, ...] = ()
    if planned_days or draw(st.booleans()):
        base = planned(facts, draw(st.integers(max(1, planned_days), HORIZON)), draw(st.integers(1, 2)))
    extra = draw(sessions_for(facts, draw(st.integers(0, 25 if base else 45))))
    return facts, [*base, *extra]


# --- helpers: the protocol's rules, read independently of the engine ------------------


def ordered(sessions):
    return sorted(sessions, key=lambda s: (s.at, s.id))


def paused_after(sessions) -> dict[str, bool]:
    """Whether the program is paused for health once each session is taken into account."""
    paused, out = False, {}
    for s in ordered(sessions):
        if s.observations & vocab.HEALTH_SIGNS:
            paused = True
        elif "health_cleared" in s.observations:
            paused = False
        out[s.id] = paused
    return out


def qualifies(protocol: Protocol, step, s: SessionRecord) -> bool:
    adv = step.advance
    return (
        set(adv.requires_activities) <= s.activities
        and (not adv.requires_any_observation or bool(set(adv.requires_any_observation) & s.observations))
        and not (s.observations & set(protocol.fear_signs))
        and (adv.min_hold_seconds is None or s.longest_hold >= adv.min_hold_seconds)
        and (not adv.requires_completed_extended_hold or s.extended_hold_completed)
    )


def one_rung_up(protocol: Protocol, facts: AnimalFacts, index: int) -> int:
    i = index + 1
    if protocol.steps[i].kind is StepKind.EXTENDED_HOLD and not facts.extended_hold_opt_in:
        i += 1
    return i


def one_rung_back(protocol: Protocol, index: int) -> int:
    i = index - 1
    while i > protocol.first_handling_index and protocol.steps[i].kind is StepKind.EXTENDED_HOLD:
        i -= 1
    return max(i, protocol.first_handling_index)


def up_moves(history):
    """Each move up from a handling step, with the move that entered that step."""
    for entered, change in zip(history, history[1:], strict=False):
        if change.direction == "up" and change.from_step != history[0].to_step:
            yield entered, change


def daily(protocol, facts, sessions, days=HORIZON):
    return [engine.progress(protocol, facts, sessions, facts.arrival_date + timedelta(days=n)) for n in range(days + 1)]


# --- (a) determinism ------------------------------------------------------------------------


@examples
@given(histories(), st.randoms(use_true_random=False), st.integers(0, HORIZON + 5))
def test_progress_depends_only_on_its_inputs_not_on_session_order(history, rnd, offset):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    on = facts.arrival_date + timedelta(days=offset)
    shuffled = list(sessions)
    rnd.shuffle(shuffled)

    first = engine.progress(protocol, facts, sessions, on)
    assert engine.progress(protocol, facts, sessions, on) == first
    assert engine.progress(protocol, facts, shuffled, on) == first
    assert engine.progress(protocol, facts, tuple(reversed(sessions)), on).to_dict() == first.to_dict()


# --- (b) no step is climbed without evidence ----------------------------------------------


@examples
@given(histories())
def test_every_move_up_goes_exactly_one_rung(history):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    now = engine.progress(protocol, facts, sessions, facts.arrival_date + timedelta(days=HORIZON))

    for before, change in zip(now.history, now.history[1:], strict=False):
        assert change.from_step == before.to_step
        if change.direction == "up":
            assert protocol.index_of(change.to_step) == one_rung_up(
                protocol, facts, protocol.index_of(change.from_step)
            )


@examples
@given(histories())
def test_a_step_is_never_left_upwards_without_the_evidence_its_protocol_names(history):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    now = engine.progress(protocol, facts, sessions, facts.arrival_date + timedelta(days=HORIZON))
    paused = paused_after(sessions)

    for entered, change in up_moves(now.history):
        step = protocol.steps[protocol.index_of(change.from_step)]
        adv = step.advance
        # Sessions at this step lie between the two moves (a superset, at worst: the same days).
        window = [s for s in sessions if entered.day <= s.day <= change.day]
        evidence = [s for s in window if not paused[s.id] and qualifies(protocol, step, s)]
        assert len(evidence) >= protocol.needed(adv.sessions, facts.source), change
        assert len({s.day for s in evidence}) >= protocol.needed(adv.distinct_days, facts.source), change
        assert (change.day - entered.day).days >= adv.min_days_at_step, change


@examples
@given(histories(opt_in=True, planned_days=40))
def test_the_extended_hold_step_is_left_upwards_only_after_a_completed_extended_hold(history):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    now = engine.progress(protocol, facts, sessions, facts.arrival_date + timedelta(days=HORIZON))

    for entered, change in up_moves(now.history):
        if protocol.steps[protocol.index_of(change.from_step)].kind is StepKind.EXTENDED_HOLD:
            window = [s for s in sessions if entered.day <= s.day <= change.day]
            assert any(s.extended_hold_completed for s in window), change


@examples
@given(histories())
def test_a_growing_hold_step_is_left_upwards_only_with_the_target_at_trust(history):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    now = engine.progress(protocol, facts, sessions, facts.arrival_date + timedelta(days=HORIZON))

    for entered, change in up_moves(now.history):
        holds = protocol.steps[protocol.index_of(change.from_step)].holds
        if holds and holds.grows and entered.direction == "up":  # a setback restarts it higher
            growth = protocol.source(facts.source).hold_growth_seconds
            rises_needed = -(-(holds.trust_seconds - holds.start_seconds) // growth)
            assert (change.day - entered.day).days >= rises_needed, change


# --- (c) a bite moves the animal back as the protocol says -------------------------------


@examples
@given(histories(), st.integers(0, HORIZON))
def test_a_bite_moves_the_animal_back_exactly_as_its_protocol_says(history, offset):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    on = facts.arrival_date + timedelta(days=offset)
    bite = SessionRecord(
        "zz-bite", on, datetime.combine(on, time(23, 59)), 300, frozenset({"talked"}), (), frozenset({"bit"})
    )
    with_bite = [*sessions, bite]

    before = engine.progress_before(protocol, facts, with_bite, bite)
    after = engine.progress(protocol, facts, with_bite, on)  # the bite is the day's last session
    step = protocol.steps[before.step_index]

    if step.kind is not StepKind.SETTLING and "bit" in step.setback.on_any:
        assert after.step_index == one_rung_back(protocol, before.step_index)
        assert after.step_index >= protocol.first_handling_index
        assert after.history[-1].direction == "back"
        assert after.history[-1].day == on
        assert after.evidence.sessions_have == 0
    else:
        assert after.step_index == before.step_index
        assert after.history == before.history


@examples
@given(histories(opt_in=True, planned_days=40), st.integers(40, HORIZON), st.data())  # late: the upper rungs
def test_an_extended_hold_held_through_a_fear_sign_moves_the_animal_back_as_a_stopped_one_would(history, offset, data):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    on = facts.arrival_date + timedelta(days=offset)
    sign = data.draw(st.sampled_from(protocol.fear_signs))

    def hold(end, seen):  # the day's last session
        return SessionRecord(
            f"zz-{end}",
            on,
            datetime.combine(on, time(23, 59)),
            1800,
            frozenset({"talked", "extended_hold"}),
            (),
            frozenset(seen),
            1500,
            end,
        )

    held_through, stopped = hold("completed", {sign}), hold("froze", ())
    before = engine.progress_before(protocol, facts, [*sessions, held_through], held_through)
    after = engine.progress(protocol, facts, [*sessions, held_through], on)
    step = protocol.steps[before.step_index]

    assert after.step_index <= before.step_index  # never evidence to move up
    if step.kind is not StepKind.SETTLING and step.setback.on_extended_hold_stop:
        assert after.step_index == one_rung_back(protocol, before.step_index)
        assert after.history[-1].direction == "back" and after.history[-1].day == on
        assert after.step_index == engine.progress(protocol, facts, [*sessions, stopped], on).step_index


# --- (d) hold targets grow slowly, and only after a calm day at the target -----------------


@examples
@given(histories())
def test_the_hold_target_grows_at_most_one_step_a_day_and_only_after_a_calm_day_at_target(history):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    days = daily(protocol, facts, sessions)
    growth = protocol.source(facts.source).hold_growth_seconds

    for yesterday, today in zip(days, days[1:], strict=False):
        holds = protocol.steps[today.step_index].holds
        if holds and holds.grows:
            assert holds.start_seconds <= today.hold_target_seconds <= holds.trust_seconds
        if len(today.history) != len(yesterday.history) or yesterday.hold_target_seconds is None:
            continue
        rise = today.hold_target_seconds - yesterday.hold_target_seconds
        assert 0 <= rise <= growth, (yesterday.as_of, rise)
        if rise:
            assert any(
                s.day == yesterday.as_of
                and s.longest_hold >= yesterday.hold_target_seconds
                and not s.observations & set(protocol.fear_signs)
                for s in sessions
            ), yesterday.as_of


# --- (e) settling in ends on time alone --------------------------------------------------------


@examples
@given(histories())
def test_settling_in_ends_exactly_after_the_source_settling_days(history):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    settling = protocol.source(facts.source).settling_days

    for offset, now in enumerate(daily(protocol, facts, sessions)):
        assert now.settled_on == facts.arrival_date + timedelta(days=settling)
        assert (now.step_index == 0) == (offset < settling), offset
    leaving = [c for c in now.history if c.from_step == protocol.steps[0].id]
    assert [c.day for c in leaving] == [facts.arrival_date + timedelta(days=settling)]
    assert [c.to_step for c in now.history].count(protocol.steps[0].id) == 1


# --- (f) a health pause holds the ladder still -------------------------------------------------


@examples
@given(histories())
def test_the_step_never_moves_up_during_a_health_pause(history):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    days = daily(protocol, facts, sessions)

    for yesterday, today in zip(days, days[1:], strict=False):
        if yesterday.paused_since is None:
            continue
        if any(s.day == today.as_of and "health_cleared" in s.observations for s in sessions):
            continue
        moves = today.history[len(yesterday.history) :]
        assert not [m for m in moves if m.direction == "up" and m.from_step != protocol.steps[0].id], moves
        if yesterday.step_index >= protocol.first_handling_index:
            assert today.step_index <= yesterday.step_index
        assert today.paused_since == yesterday.paused_since


@examples
@given(histories(), st.sampled_from(HEALTH_SIGNS))
def test_an_illness_sign_freezes_the_step_until_health_is_cleared(history, sign):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    for offset in range(HORIZON + 1):
        on = facts.arrival_date + timedelta(days=offset)
        ill = SessionRecord(
            "zz-ill", on, datetime.combine(on, time(23, 59)), 60, frozenset({"talked"}), (), frozenset({sign})
        )
        until_then = [s for s in sessions if s.day <= on] + [ill]

        then = engine.progress(protocol, facts, until_then, on)
        later = engine.progress(protocol, facts, until_then, on + timedelta(days=7))
        assert then.paused_since is not None
        assert later.paused_since == then.paused_since
        if then.step_index >= protocol.first_handling_index:
            assert (later.step_id, later.entered_on) == (then.step_id, then.entered_on), on
