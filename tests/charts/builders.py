"""Small builders for the chart tests: sessions, a keeper who follows the plan, and an SVG reader."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta

from gentling.domain import engine
from gentling.domain.protocol import StepKind, shipped_protocol
from gentling.domain.records import AnimalFacts, SessionRecord

ARRIVAL = date(2024, 3, 1)
RAT = shipped_protocol("rat")
PET_STORE_RAT = AnimalFacts("rat", "pet_store", ARRIVAL)
SVG = "{http://www.w3.org/2000/svg}"

_seq = itertools.count(1)


def day(n: int) -> date:
    """The date `n` days after arrival (day 0 is the arrival day)."""
    return ARRIVAL + timedelta(days=n)


def session(on: int | date, *, holds=(), observations=(), activities=("talked",)) -> SessionRecord:
    on = day(on) if isinstance(on, int) else on
    n = next(_seq)
    return SessionRecord(
        id=f"c{n:06d}",
        day=on,
        at=datetime.combine(on, time(8)) + timedelta(minutes=n),
        duration_seconds=600,
        activities=frozenset(activities),
        holds=tuple(holds),
        observations=frozenset(observations),
    )


def keeper_follows_plan(days: int, per_day: int = 2) -> list[SessionRecord]:
    """Sessions of a keeper who does each day's plan with a calm rat, holding it for the day's target."""
    sessions: list[SessionRecord] = []
    for n in range(days):
        for _ in range(per_day):
            now = engine.progress(RAT, PET_STORE_RAT, sessions, day(n))
            step = RAT.steps[now.step_index]
            if step.kind is StepKind.SETTLING:
                sessions.append(session(n))
                continue
            activities = {"talked", *step.allows, *(item.activity for item in step.plan)}
            activities -= {"extended_hold", "towel_used", "tail_lift"}
            holds = (now.hold_target_seconds or 2,) if "picked_up" in activities else ()
            calm = ("approached", "took_treat", "ate_from_fingers", "relaxed")
            sessions.append(session(n, holds=holds, observations=calm, activities=activities))
    return sessions


def read_svg(svg: str, title: str) -> ET.Element:
    """The parsed chart, after checking it is an SVG with `title` as its accessible title."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.findtext(f"{SVG}title") == title
    assert root.get("aria-label") == title
    assert root.get("role") == "img"
    return root


def texts(root: ET.Element) -> list[str]:
    """Every piece of text drawn in the chart."""
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
