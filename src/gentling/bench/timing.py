"""Timing many calls of one thing, and the figures the benchmark prints.

Medians and 95th percentiles, never a single run: a shared 2-core machine is
noisy, and a figure a reader can trust needs its spread.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figures:
    """Wall-clock times of `runs` calls, in milliseconds."""

    runs: int
    median_ms: float
    p95_ms: float
    p99_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Figures:
        ms = sorted(s * 1000 for s in seconds)
        return cls(len(ms), statistics.median(ms), percentile(ms, 95), percentile(ms, 99))

    def to_dict(self) -> dict:
        return {
            "runs": self.runs,
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
        }


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, round(pct / 100 * len(sorted_values) + 0.499999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def time_calls(fn: Callable[[], object], *, runs: int, warmup: int = 2) -> Figures:
    """Call `fn` `warmup` times untimed, then `runs` times timed."""
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - began)
    return Figures.of(seconds)
