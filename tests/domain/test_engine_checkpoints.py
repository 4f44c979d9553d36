"""Incremental progress: resuming from a checkpoint gives exactly the full replay's answer.

The service keeps one checkpoint per animal so that today's plan replays only
the records after it; these properties are what makes that cache safe.
"""

import json
from datetime import datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gentling.domain import engine
from gentling.domain.protocol import shipped_protocol
from gentling.domain.records import AnimalFacts, SessionRecord
from tests.domain.builders import ARRIVAL
from tests.domain.test_engine_properties import HORIZON, examples, histories


@examples
@given(histories(), st.integers(0, HORIZON), st.integers(1, 15))
def test_resuming_from_a_checkpoint_gives_the_full_replays_answer(history, cut, later):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    kept_on = facts.arrival_date + timedelta(days=cut)
    day = kept_on + timedelta(days=later)

    full = engine.progress(protocol, facts, sessions, day)
    _, checkpoint = engine.replay(protocol, facts, sessions, day, keep=kept_on)
    stored = engine.Checkpoint(checkpoint.day, checkpoint.key, json.loads(json.dumps(checkpoint.state)))
    newer = [s for s in sessions if s.day > kept_on]

    assert checkpoint == engine.checkpoint(protocol, facts, sessions, kept_on)
    assert engine.replay(protocol, facts, newer, day, since=stored)[0] == full


@examples
@given(histories(), st.integers(0, HORIZON - 1))
def test_a_guardrail_basis_from_a_checkpoint_matches_the_full_replay(history, cut):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    kept_on = facts.arrival_date + timedelta(days=cut)
    later = [s for s in sessions if s.day > kept_on]
    if not later:
        return
    new = later[len(later) // 2]
    since = engine.checkpoint(protocol, facts, sessions, kept_on)
    assert engine.progress_before(protocol, facts, later, new, since=since) == engine.progress_before(
        protocol, facts, sessions, new
    )


def test_a_checkpoint_is_refused_under_other_facts():
    rat = AnimalFacts("rat", "breeder", ARRIVAL)
    protocol = shipped_protocol("rat")
    since = engine.checkpoint(protocol, rat, [], ARRIVAL + timedelta(days=3))
    for other in (
        AnimalFacts("rat", "rescue", ARRIVAL),
        AnimalFacts("rat", "breeder", ARRIVAL, True),
        AnimalFacts("rat", "breeder", ARRIVAL - timedelta(days=1)),
    ):
        with pytest.raises(ValueError):
            engine.replay(protocol, other, [], ARRIVAL + timedelta(days=5), since=since)
    with pytest.raises(ValueError):
        engine.replay(shipped_protocol("mouse"), AnimalFacts("mouse", "breeder", ARRIVAL), [], ARRIVAL, since=since)


def test_a_checkpoint_cannot_be_kept_on_or_after_the_day_asked_for():
    rat = AnimalFacts("rat", "breeder", ARRIVAL)
    with pytest.raises(ValueError):
        engine.replay(shipped_protocol("rat"), rat, [], ARRIVAL + timedelta(days=3), keep=ARRIVAL + timedelta(days=3))


def test_a_checkpoint_stays_small_however_long_the_history():
    """Only the last few sessions' signs are kept, so a stored checkpoint does not grow with history."""
    rat = AnimalFacts("rat", "breeder", ARRIVAL)
    sessions = [
        SessionRecord(
            f"s{n:04d}",
            ARRIVAL + timedelta(days=n // 2),
            datetime.combine(ARRIVAL + timedelta(days=n // 2), time(8 + n % 2)),
            300,
            frozenset({"talked"}),
            (),
            frozenset({"relaxed"}),
        )
        for n in range(2000)
    ]
    checkpoint = engine.checkpoint(shipped_protocol("rat"), rat, sessions, ARRIVAL + timedelta(days=999))
    assert len(checkpoint.state["recent_observations"]) <= 20


def test_a_health_check_written_later_counts_on_its_own_day():
    """Records replay in day order, so a check noted tonight about yesterday pauses from yesterday:
    this morning's session does not count as evidence."""
    rat = AnimalFacts("rat", "breeder", ARRIVAL)
    day = ARRIVAL + timedelta(days=10)
    check = SessionRecord(
        "health-1",
        day - timedelta(days=1),
        datetime.combine(day, time(20)),
        0,
        observations=frozenset({"red_tears"}),
        kind="health_check",
    )
    morning = SessionRecord(
        "s1",
        day,
        datetime.combine(day, time(9)),
        300,
        frozenset({"talked", "treat_in_cage"}),
        (),
        frozenset({"took_treat"}),
    )
    prog = engine.progress(shipped_protocol("rat"), rat, [morning, check], day)
    assert prog.paused_since == day - timedelta(days=1)
    assert prog.evidence.sessions_have == 0
    assert engine.progress(shipped_protocol("rat"), rat, [morning], day).evidence.sessions_have == 1


@examples
@given(histories())
def test_a_ladder_fed_one_record_at_a_time_agrees_with_progress_every_day(history):
    facts, sessions = history
    protocol = shipped_protocol(facts.species)
    ladder = engine.Ladder(protocol, facts)
    ordered = sorted(sessions, key=lambda s: (s.day, s.at, s.id))
    for offset in range(HORIZON + 1):
        day = facts.arrival_date + timedelta(days=offset)
        for s in [s for s in ordered if s.day == day]:
            ladder.add(s)
        ladder.roll_to(day)
        assert ladder.progress() == engine.progress(protocol, facts, sessions, day), day
    with pytest.raises(ValueError):  # a record for a day already passed
        ladder.add(SessionRecord("late", facts.arrival_date, datetime.combine(facts.arrival_date, time(8)), 60))
