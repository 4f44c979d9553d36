"""Small builders for the domain tests: animals, sessions, and a keeper who follows the plan."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

from gentling.domain import engine, guardrails, plan
from gentling.domain.engine import Progress
from gentling.domain.protocol import Protocol, StepKind, shipped_protocol
from gentling.domain.records import AnimalFacts, SessionRecord

ARRIVAL = date(2024, 3, 1)
RAT = shipped_protocol("rat")
MOUSE = shipped_protocol("mouse")

_seq = itertools.count(1)


def animal(
    source: str = "rescue", species: str = "rat", *, arrival: date = ARRIVAL, opt_in: bool = False
) -> AnimalFacts:
    return AnimalFacts(species=species, source=source, arrival_date=arrival, extended_hold_opt_in=opt_in)


def day(n: int, arrival: date = ARRIVAL) -> date:
    """The date `n` days after arrival (day 0 is the arrival day)."""
    return arrival + timedelta(days=n)


def session(
    on: date | int,
    activities=("talked",),
    observations=(),
    holds=(),
    *,
    extended_hold_seconds: int | None = None,
    extended_hold_end: str | None = None,
    duration_seconds: int = 600,
    measures: tuple[tuple[str, float], ...] = (),
) -> SessionRecord:
    """A session on a day (a date, or days since arrival). Sessions made later sort later."""
    on = day(on) if isinstance(on, int) else on
    n = next(_seq)
    return SessionRecord(
        id=f"s{n:08d}",
        day=on,
        at=datetime.combine(on, time(12)),
        duration_seconds=duration_seconds,
        activities=frozenset(activities),
        holds=tuple(holds),
        observations=frozenset(observations),
        extended_hold_seconds=extended_hold_seconds,
        extended_hold_end=extended_hold_end,
        measures=measures,
    )


def treats_in_cage(on, observations=("took_treat",)) -> SessionRecord:
    return session(on, {"talked", "treat_in_cage"}, observations)


def treats_from_fingers(on, observations=("ate_from_fingers",)) -> SessionRecord:
    return session(on, {"talked", "treat_from_fingers"}, observations)


def calm_session_for(protocol: Protocol, progress: Progress, on: date) -> SessionRecord:
    """What a keeper who follows today's plan logs when the animal is calm and willing."""
    step = protocol.steps[progress.step_index]
    if step.kind is StepKind.SETTLING or progress.paused_since:
        return session(on, {"talked"})
    activities = {"talked"} | {item.activity for item in step.plan} | set(step.allows)
    activities -= {"extended_hold", "towel_used", "tail_lift"}
    observations = {"approached", "took_treat", "ate_from_fingers", "relaxed"}
    holds: tuple[int, ...] = ()
    if "picked_up" in activities:
        activities.add("rewarded")
        target = progress.hold_target_seconds or 2
        holds = (target, target)
    if step.kind is StepKind.EXTENDED_HOLD:  # the keeper opted in and does the hold, calmly
        return session(
            on,
            activities | {"extended_hold"},
            observations,
            holds,
            duration_seconds=1800,
            extended_hold_seconds=1500,
            extended_hold_end="completed",
        )
    return session(on, activities, observations, holds)


def follow_plan(
    protocol: Protocol,
    facts: AnimalFacts,
    *,
    days: int = 60,
    per_day: int = 2,
    until_step: str | None = None,
) -> tuple[list[SessionRecord], date]:
    """Calm sessions that follow each day's plan, from arrival on, for `days` days, or until
    the animal stands at `until_step` (checked before each session).

    Returns the sessions and the day it stopped: with `until_step`, a session logged on
    that day meets the animal at that step.
    """
    sessions: list[SessionRecord] = []
    on = facts.arrival_date
    for offset in range(days):
        on = facts.arrival_date + timedelta(days=offset)
        for _ in range(per_day):
            now = engine.progress(protocol, facts, sessions, on)
            if until_step is not None and now.step_id == until_step:
                return sessions, on
            sessions.append(calm_session_for(protocol, now, on))
    if until_step is not None:
        raise AssertionError(f"never reached {until_step!r} in {days} days")
    return sessions, on


def reach(step_id: str, facts: AnimalFacts | None = None, protocol: Protocol = RAT) -> tuple[list[SessionRecord], date]:
    """A calm, plan-following history that brings the animal to `step_id`."""
    return follow_plan(protocol, facts or animal("breeder"), until_step=step_id)


def codes(alerts) -> set[str]:
    return {a.code for a in alerts}


def progress_on(facts: AnimalFacts, sessions, on: date, protocol: Protocol = RAT) -> Progress:
    return engine.progress(protocol, facts, sessions, on)


def plan_on(facts: AnimalFacts, sessions, on: date, protocol: Protocol = RAT):
    now = engine.progress(protocol, facts, sessions, on)
    return plan.plan_for_day(protocol, now, [s for s in sessions if s.day == on])


def alerts_for(facts: AnimalFacts, history, new: SessionRecord, protocol: Protocol = RAT):
    """The guardrails for `new`, logged after `history`."""
    before = engine.progress_before(protocol, facts, [*history, new], new)
    return guardrails.check_session(protocol, facts, before, new)


def task_activities(day_plan) -> list[str]:
    return [t.activity for t in day_plan.tasks]
