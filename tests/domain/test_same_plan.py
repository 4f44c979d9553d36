"""The protocol format grew (measures, bouts, a protocol's own words): the shipped ladders must
plan exactly as before. `golden_plans.json` was written by this module from the code before the
format changed; every scenario must still give the same day-by-day plan, step, hold target and
guardrail codes. Regenerate only for a deliberate change of the method:
`python -m tests.domain.test_same_plan` (and say why in the commit)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from gentling.domain import engine, guardrails, plan
from gentling.domain.protocol import shipped_protocol

from .builders import animal, calm_session_for, session

GOLDEN = Path(__file__).parent.parent / "data" / "golden_plans.json"
DAYS = 60

# Sessions a keeper logs on some days besides the plan: fear, a bite, illness, clearing,
# a tail lift, petting and pick-ups too early. Keyed by the day after arrival.
DETOURS: dict[int, dict] = {
    1: {"activities": {"talked", "petted", "picked_up"}, "holds": (5,)},
    6: {"activities": {"talked", "treat_in_cage", "tail_lift"}, "observations": {"fled", "froze"}},
    9: {"activities": {"talked", "treat_from_fingers"}, "observations": {"bit", "puffed_fur"}},
    14: {"activities": {"talked"}, "observations": {"sneezing", "red_tears"}},
    17: {"activities": {"talked"}, "observations": {"health_cleared"}},
    24: {"activities": {"talked", "picked_up", "rewarded"}, "observations": {"squeaked"}, "holds": (90,)},
    30: {
        "activities": {"talked", "extended_hold"},
        "observations": {"froze"},
        "duration_seconds": 1800,
        "extended_hold_seconds": 1500,
        "extended_hold_end": "froze",
    },
    38: {
        "activities": {"talked", "extended_hold"},
        "observations": {"relaxed"},
        "duration_seconds": 1800,
        "extended_hold_seconds": 1500,
        "extended_hold_end": "completed",
    },
}


def scenario(species: str, source: str, detours: bool, opt_in: bool) -> list[dict]:
    protocol = shipped_protocol(species)
    facts = animal(source, species, opt_in=opt_in)
    sessions = []
    days = []
    for n in range(DAYS):
        on = facts.arrival_date + timedelta(days=n)
        logged = []
        for slot in range(2):
            before = engine.progress(protocol, facts, sessions, on)
            if detours and slot == 1 and n in DETOURS:
                new = session(on, **DETOURS[n])
            else:
                new = calm_session_for(protocol, before, on)
            alerts = guardrails.check_session(protocol, facts, before, new)
            logged.append(sorted(a.code for a in alerts))
            sessions.append(new)
        after = engine.progress(protocol, facts, sessions, on)
        today = plan.plan_for_day(protocol, after, [s for s in sessions if s.day == on])
        days.append(
            {
                "step": after.step_id,
                "hold_target": after.hold_target_seconds,
                "hold_allowed": after.hold_allowed_seconds,
                "paused": after.paused_since is not None,
                "tasks": [[t.activity, t.text, t.times_per_day, t.done_today] for t in today.tasks],
                "notices": list(today.notices),
                "alerts": logged,
            }
        )
    return days


def every_scenario() -> dict[str, list[dict]]:
    return {
        f"{species}/{source}/{'detours' if detours else 'calm'}/{'opt-in' if opt_in else 'no-opt-in'}": scenario(
            species, source, detours, opt_in
        )
        for species in ("rat", "mouse")
        for source in ("breeder", "pet_store", "rescue", "unknown", "born_at_home")
        for detours in (False, True)
        for opt_in in (False, True)
    }


def test_every_scenario_plans_as_before_the_format_change():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = every_scenario()
    assert set(now) == set(golden)
    for name, days in golden.items():
        for n, (was, is_) in enumerate(zip(days, now[name], strict=True)):
            assert is_ == was, f"{name}, day {n}"


if __name__ == "__main__":
    lines = [
        f"{json.dumps(name)}: [\n" + ",\n".join(json.dumps(d, sort_keys=True) for d in days) + "\n]"
        for name, days in sorted(every_scenario().items())
    ]
    GOLDEN.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
