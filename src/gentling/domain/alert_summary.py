"""How alerts are shown: beside the control that caused them, each once for all the animals
it is about ("Luna, Nova: ..."), worst first.

A session for two rats checks each rat, and the two usually get the same warnings. A keeper
reads them once, next to what they tapped, and a saved session's summary says them once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .guardrails import Alert

# The part of an entry a keeper taps that each alert is about, so that a screen can show it
# beside that control: what was done, the pick-ups, the extended hold, or what was seen (the
# fear signs, the health signs).
CONTROLS = ("activities", "holds", "extended_hold", "fear", "health", "other")
CAUSES = {
    "handled_while_settling": "activities",
    "handled_while_unwell": "activities",
    "petting_too_early": "activities",
    "tail_lift": "activities",
    "never_do": "activities",
    "not_this_step_yet": "activities",
    "pickup_too_early": "holds",
    "hold_too_long": "holds",
    "pickup_without_reward": "holds",
    "extended_hold_before_trust": "extended_hold",
    "extended_hold_not_opted_in": "extended_hold",
    "extended_hold_too_short": "extended_hold",
    "extended_hold_stopped": "extended_hold",
    "extended_hold_not_stopped": "extended_hold",
    "fear_during_hold": "fear",
    "stop_session": "fear",
    "fear_bite": "fear",
    "illness_sign": "health",
    "watch_sneezing": "health",
}


def cause_of(code: str) -> str:
    """The control an alert is about ("other" for a code this version does not know)."""
    return CAUSES.get(code, "other")


LEVELS = ("stop", "warning", "caution")  # worst first


@dataclass(frozen=True)
class SharedAlert:
    """One alert, for every animal it was raised for."""

    names: tuple[str, ...]
    code: str
    level: str
    message: str

    @property
    def cause(self) -> str:
        return cause_of(self.code)

    @property
    def text(self) -> str:
        return f"{', '.join(self.names)}: {self.message}"


def merge(alerts_by_name: Iterable[tuple[str, Iterable[Alert]]]) -> list[SharedAlert]:
    """The alerts of several animals, an alert raised alike (same code, same words) for several
    of them once, with their names in the order given; worst level first, then as raised."""
    names: dict[tuple[str, str, str], list[str]] = {}
    for name, alerts in alerts_by_name:
        for a in alerts:
            who = names.setdefault((a.code, a.level, a.message), [])
            if name not in who:
                who.append(name)
    shared = [SharedAlert(tuple(who), code, level, message) for (code, level, message), who in names.items()]
    return sorted(shared, key=lambda a: _rank(a.level))


def worst(alerts: Iterable[SharedAlert]) -> str | None:
    """The worst level among `alerts` (None for none)."""
    return min((a.level for a in alerts), key=_rank, default=None)


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def and_list(names: list[str]) -> str:
    """ "Luna", "Luna and Nova", "Luna, Nova and Pip"."""
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else ""
