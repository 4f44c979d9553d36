"""The plain values the engine takes: an animal's facts and its sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .protocol import EXTENDED_HOLD_MIN_SECONDS


@dataclass(frozen=True)
class AnimalFacts:
    species: str
    source: str
    arrival_date: date
    extended_hold_opt_in: bool = False
    # After a move to another protocol: the step it started at, and the day (its earlier
    # sessions belong to the protocol it left, and are not replayed).
    start_step: str | None = None
    start_day: date | None = None


@dataclass(frozen=True)
class SessionRecord:
    """One animal's part of one sitting, as the engine sees it.

    `day` is the keeper's local calendar day of the session; `at` orders
    sessions within a day.
    """

    id: str
    day: date
    at: datetime
    duration_seconds: int
    activities: frozenset[str] = field(default_factory=frozenset)
    holds: tuple[int, ...] = ()
    observations: frozenset[str] = field(default_factory=frozenset)
    extended_hold_seconds: int | None = None
    extended_hold_end: str | None = None
    kind: str = "session"  # or "health_check": a daily check that only notes health signs
    measures: tuple[tuple[str, float], ...] = ()  # (measure name, value), as the protocol declares them

    @property
    def is_session(self) -> bool:
        return self.kind == "session"

    @property
    def longest_hold(self) -> int:
        return max(self.holds, default=0)

    @property
    def is_extended_hold(self) -> bool:
        return "extended_hold" in self.activities or self.extended_hold_seconds is not None

    @property
    def extended_hold_completed(self) -> bool:
        return self.extended_hold_end == "completed" and (self.extended_hold_seconds or 0) >= EXTENDED_HOLD_MIN_SECONDS

    @property
    def extended_hold_stop(self) -> str | None:
        """How an extended hold was stopped (its ending, when not "completed"), else None."""
        return None if self.extended_hold_end == "completed" else self.extended_hold_end

    @property
    def extended_hold_stopped(self) -> bool:
        return self.extended_hold_stop is not None

    @property
    def order(self) -> tuple:
        return (self.at, self.id)


def to_plain(value: Any) -> Any:
    """Dataclass-dict values as JSON-ready plain values (dates as ISO text)."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
