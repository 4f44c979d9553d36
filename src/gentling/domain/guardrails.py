"""Guardrails on one animal's handling (design.md section 5).

`check_session` looks at a session against where the animal stood when it
began, and returns every alert that applies. It never refuses: what the
keeper did is always recorded; the session is marked with these alerts and
the keeper sees them. Levels:
- "stop": harm is likely or health is at stake: stop, and see a vet where said;
- "warning": the method says not to do this yet;
- "caution": worth knowing, not harmful in itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from . import vocab
from .engine import Progress, extended_hold_stop_signs
from .outlook import about, allowed_from
from .protocol import EXTENDED_HOLD_MIN_SECONDS, Protocol, StepKind
from .records import AnimalFacts, SessionRecord

VET_ADVICE = "Gentling is a coach, not a vet: an exotics vet should see them."


@dataclass(frozen=True)
class Alert:
    code: str
    level: str  # "stop", "warning" or "caution"
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


AddAlert = Callable[[Alert], None]


def _from_about(what: str, protocol: Protocol, animal: AnimalFacts, before: Progress, activities: Iterable[str]) -> str:
    """ " Pick-ups from about 8 December, if every day goes to plan." (empty when no date can be foreseen)."""
    days = [allowed_from(protocol, animal, before, a) for a in activities]
    known = [d for d in days if d is not None]
    if not known or len(known) < len(days):
        return ""
    return f" {what} from about {about(max(known), before.as_of)}, if every day goes to plan."


def check_session(protocol: Protocol, animal: AnimalFacts, before: Progress, s: SessionRecord) -> list[Alert]:
    step = protocol.steps[before.step_index]
    handling = s.activities & protocol.handling
    alerts: list[Alert] = []
    add = alerts.append

    if step.kind is StepKind.SETTLING and handling:
        add(
            Alert(
                "handled_while_settling",
                "warning",
                f"Still settling in until {before.settled_on.isoformat()}: the guide says to wait a couple of days "
                "before handling. Talk to them, nothing more, until then.",
            )
        )
    elif before.paused_since and handling:
        add(
            Alert(
                "handled_while_unwell",
                "warning",
                f"The program is paused for health since {before.paused_since.isoformat()}: "
                "keep handling to what care needs until the health is cleared.",
            )
        )
    early_touch = sorted((s.activities & protocol.touches) - set(step.allows))
    if early_touch:
        what = "Petting" if early_touch == ["petted"] else f"Touch ({_labels(protocol, early_touch)})"
        add(
            Alert(
                "petting_too_early",
                "warning",
                f"{what} comes after they eat calmly from your fingers (treat association). "
                f"At '{step.title}' the guide says: don't pet yet."
                + _from_about(what, protocol, animal, before, early_touch),
            )
        )
    _check_holds(protocol, animal, before, s, add)
    for name in sorted(s.activities & protocol.never):
        add(_never(protocol, name))
    if s.is_extended_hold:
        _check_extended_hold(protocol, animal, before, s, add)
    _check_fear_while_held(protocol, s, add)
    other = handling - set(step.allows) - protocol.touches - protocol.pickups - protocol.never - {"extended_hold"}
    if other and step.kind is not StepKind.SETTLING:
        names = ", ".join(protocol.label_of(a).lower() for a in sorted(other))
        when = _from_about("Part of the plan", protocol, animal, before, sorted(other))
        add(Alert("not_this_step_yet", "caution", f"Not part of '{step.title}' yet: {names}. Go at their pace.{when}"))
    _check_observations(protocol, s, add)
    return alerts


def _never(protocol: Protocol, name: str) -> Alert:
    """Something never done to a pet: Gentling's tail lift, or one a protocol declares."""
    if name == "tail_lift":
        return Alert(
            "tail_lift",
            "warning",
            "Never lift by the tail: it makes mice lastingly afraid and can strip a rat's tail skin. "
            "Scoop them up, or use a tunnel or cupped hands.",
        )
    term = protocol.activity_terms[name]
    return Alert("never_do", "warning", f"Never do this: {term.label.lower()}. {term.meaning}".strip())


def _check_holds(protocol: Protocol, animal: AnimalFacts, before: Progress, s: SessionRecord, add: AddAlert) -> None:
    lifted = sorted(s.activities & protocol.pickups)
    if not s.holds and not lifted:
        return
    step = protocol.steps[before.step_index]
    allowed = before.hold_allowed_seconds
    if allowed == 0:
        add(
            Alert(
                "pickup_too_early",
                "warning",
                f"Pick-ups are not part of '{step.title}' yet: build trust with treats and touch first."
                + _from_about("Pick-ups", protocol, animal, before, lifted or ["picked_up"]),
            )
        )
    elif allowed is not None and s.longest_hold > allowed:
        add(
            Alert(
                "hold_too_long",
                "warning",
                f"Held for {s.longest_hold} s; at '{step.title}' hold at most {allowed} s "
                f"(today's target is {before.hold_target_seconds} s). Short, rewarded holds build trust.",
            )
        )
    if not s.activities & protocol.rewards:
        add(
            Alert(
                "pickup_without_reward",
                "caution",
                "No reward noted after the pick-up: a treat they love, straight after, "
                "is what makes lifting good news.",
            )
        )


def _check_extended_hold(
    protocol: Protocol, animal: AnimalFacts, before: Progress, s: SessionRecord, add: AddAlert
) -> None:
    hold_index = next((i for i, st in enumerate(protocol.steps) if st.kind is StepKind.EXTENDED_HOLD), None)
    trusted = hold_index is not None and before.step_index >= hold_index
    if not trusted:
        add(
            Alert(
                "extended_hold_before_trust",
                "warning",
                "An extended hold comes only after basic trust (the end of the longer-holds step). "
                "Before that it is flooding: fear without a way out."
                + _from_about("Extended holds", protocol, animal, before, ["extended_hold"]),
            )
        )
    if not animal.extended_hold_opt_in:
        add(
            Alert(
                "extended_hold_not_opted_in",
                "warning",
                "The extended hold is optional and contested; it is offered only to "
                "keepers who opt in for this animal.",
            )
        )
    seconds = s.extended_hold_seconds or 0
    if seconds < EXTENDED_HOLD_MIN_SECONDS:
        add(
            Alert(
                "extended_hold_too_short",
                "caution",
                f"Recorded as an extended hold but lasted {seconds // 60} min {seconds % 60} s; "
                "an extended hold is 20 minutes or more, so it does not count as one.",
            )
        )
    if s.extended_hold_stop is not None:
        reason = vocab.EXTENDED_HOLD_ENDINGS[s.extended_hold_stop]
        add(
            Alert(
                "extended_hold_stopped",
                "stop",
                f"{reason}. That was right: return them to the cage, and go back a step with short, rewarded holds.",
            )
        )


def _check_fear_while_held(protocol: Protocol, s: SessionRecord, add: AddAlert) -> None:
    """Fear seen during a hold, whatever outcome was recorded (design.md section 5).

    The recorded ending or reward says how the keeper saw it; the observations say what the
    animal showed, and they win. An extended hold held through a stop sign is what its stop
    rules forbid, so it is a "stop", and the engine reads it as a stopped hold. Fear during a
    short pick-up is a "warning": the method says to put them down and go slower."""
    if s.is_extended_hold:
        seen = extended_hold_stop_signs(protocol, s)
        if seen and not s.extended_hold_stopped:  # a stopped hold has its own alert: stopping was right
            signs = _labels(protocol, seen)
            ending = vocab.EXTENDED_HOLD_ENDINGS.get(s.extended_hold_end or "")
            recorded = f", though it is recorded as '{ending.lower()}'" if ending else ""
            add(
                Alert(
                    "extended_hold_not_stopped",
                    "stop",
                    f"Seen during the extended hold: {signs}. These are stop signs: the hold should have "
                    f"ended at the first one{recorded}. Next time, end the hold at the first stop sign and put them "
                    "back in their cage, then go back a step to short, rewarded holds. Holding on through fear is "
                    "flooding, which veterinary behaviourists advise against.",
                )
            )
    elif s.holds or s.activities & protocol.pickups:
        shown = protocol.seen(s.observations, s.measures) & protocol.all_fear_signs
        seen = [name for name in (*protocol.observation_terms, *protocol.fear_measures) if name in shown]
        if seen:
            signs = _labels(protocol, seen)
            add(
                Alert(
                    "fear_during_hold",
                    "warning",
                    f"Seen in a session with pick-ups: {signs}. Don't hold on through fear: next time, "
                    "put them down calmly at the first sign of it, keep holds shorter, and reward straight after.",
                )
            )


def _labels(protocol: Protocol, names: Iterable[str]) -> str:
    return ", ".join(protocol.label_of(n).lower() for n in names)


def _check_observations(protocol: Protocol, s: SessionRecord, add: AddAlert) -> None:
    health = sorted(s.observations & protocol.illness_signs)
    if health:
        signs = _labels(protocol, health)
        add(
            Alert(
                "illness_sign",
                "stop",
                f"Illness sign noted ({signs}). The program is paused. {VET_ADVICE} "
                "Record 'health cleared' when they are well again.",
            )
        )
    if "puffed_fur" in s.observations:
        add(
            Alert(
                "stop_session",
                "stop",
                "Puffed-up fur means fear or defence: end the session calmly and give them space.",
            )
        )
    if s.observations & {"bit", "nipped"}:
        add(
            Alert(
                "fear_bite",
                "caution",
                "A bite is usually fear, not a reason to give up: go back a step and slow down. "
                "Soft food from a spoon lets a biter learn to take food gently.",
            )
        )
    if "sneezing" in s.observations:
        add(
            Alert(
                "watch_sneezing",
                "caution",
                "Mild sneezing at new smells is common in the first days. If it goes "
                f"on, or with red tears: {VET_ADVICE}",
            )
        )
