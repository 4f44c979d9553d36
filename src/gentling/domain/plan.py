"""Today's plan for one animal: what to do, how often, what to avoid, what is done."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from .engine import Progress
from .guardrails import VET_ADVICE
from .protocol import PlanItem, Protocol, Step, StepKind
from .records import SessionRecord, to_plain
from .vocab import Role

NEEDS_TIMER = frozenset({"extended_hold"})  # 20 minutes or more, with its stop signs watched


@dataclass(frozen=True)
class Task:
    activity: str
    text: str
    times_per_day: int
    done_today: int
    target_seconds: int | None = None
    in_bouts: bool = False  # done in the step's timed bouts (rat tickling)

    @property
    def is_done(self) -> bool:
        return self.done_today >= self.times_per_day

    @property
    def needs_timer(self) -> bool:
        """Not for a tap on Today (quick_entry): the session screen times it (and its bouts)."""
        return self.in_bouts or self.activity in NEEDS_TIMER


@dataclass(frozen=True)
class AnimalPlan:
    day: date
    day_number: int
    step_id: str
    step_title: str
    step_summary: str
    tasks: tuple[Task, ...]
    avoid: tuple[str, ...]
    cautions: tuple[str, ...]
    notices: tuple[str, ...]
    sessions_today: int

    def to_dict(self) -> dict:
        data = to_plain(asdict(self))
        for task, raw in zip(self.tasks, data["tasks"], strict=False):
            raw["is_done"] = task.is_done
        return data


def plan_for_day(protocol: Protocol, progress: Progress, sessions_today: list[SessionRecord]) -> AnimalPlan:
    """The plan for `progress.as_of`, with what the day's sessions already did."""
    sessions_today = [s for s in sessions_today if s.is_session]
    step = protocol.steps[progress.step_index]
    items: list[PlanItem] = list(protocol.daily)
    notices: list[str] = []
    avoid = list(step.avoid)
    if progress.paused_since:
        notices.append(
            f"Paused for health since {progress.paused_since.isoformat()}: no handling practice. {VET_ADVICE} "
            "Record 'health cleared' when they are well again."
        )
        avoid.insert(0, "Handling practice until their health is cleared")
    else:
        items += step.plan
    if step.kind is StepKind.SETTLING:
        notices.append(f"Settling in: handling starts on {progress.settled_on.isoformat()}.")
    if step.kind is StepKind.EXTENDED_HOLD:
        notices.append("Stop the extended hold at once on any of: " + ", ".join(step.stop_rules) + ".")
    tasks = tuple(_task(item, progress, sessions_today, _in_bouts(step, item.activity)) for item in items)
    return AnimalPlan(
        day=progress.as_of,
        day_number=progress.day_number,
        step_id=step.id,
        step_title=step.title,
        step_summary=step.summary,
        tasks=tasks,
        avoid=tuple(avoid),
        cautions=tuple(step.cautions),
        notices=tuple(notices),
        sessions_today=len(sessions_today),
    )


@dataclass(frozen=True)
class QuickEntry:
    """What one tap on a task of the day's plan records (Today's quick log)."""

    activities: tuple[str, ...]
    holds: tuple[int, ...]


def quick_entry(protocol: Protocol, progress: Progress, activity: str) -> QuickEntry | None:
    """A task of the day's plan with the step's usual defaults: its activity; a pick-up is one hold
    of today's target, rewarded where the step rewards. Nothing is said to have been seen: what the
    keeper saw, they add themselves. None: not a task of the day, or one that needs its own timer
    (the extended hold)."""
    step = protocol.steps[progress.step_index]
    items = [*protocol.daily, *([] if progress.paused_since else step.plan)]
    if activity in NEEDS_TIMER or _in_bouts(step, activity) or activity not in {item.activity for item in items}:
        return None
    if activity not in protocol.pickups:
        return QuickEntry((activity,), ())
    hold = progress.hold_target_seconds or (step.holds.start_seconds if step.holds else 2)
    reward = next((a for a in step.allows if a in protocol.rewards), None)
    # How this step lifts them (a tunnel, cupped hands), where its evidence asks for it.
    aids = [a for a in (step.advance.requires_activities if step.advance else []) if a in protocol.with_role(Role.AID)]
    return QuickEntry((activity, *([reward] if reward else []), *aids), (hold,))


def _in_bouts(step: Step, activity: str) -> bool:
    """Whether the step does `activity` in timed bouts: then the session screen's bout timer does it."""
    return step.bouts is not None and any(item.activity == activity for item in step.plan)


def times_word(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _task(item: PlanItem, progress: Progress, sessions_today: list[SessionRecord], in_bouts: bool) -> Task:
    target = progress.hold_target_seconds if "{hold_seconds}" in item.text else None
    text = item.text.format(times=times_word(item.times_per_day), hold_seconds=target)
    if item.activity == "picked_up":
        done = sum(len(s.holds) for s in sessions_today)
    else:
        done = sum(1 for s in sessions_today if item.activity in s.activities)
    return Task(item.activity, text, item.times_per_day, done, target, in_bouts)
