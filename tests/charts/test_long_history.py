"""A thousand days of sessions, made in memory: every day still counts, whichever way the data is read."""

from collections import Counter
from datetime import date

from gentling.charts import (
    hold_chart,
    hold_series,
    per_day,
    sessions_chart,
    sessions_per_day,
    signs_chart,
    signs_from_observations,
    signs_per_day,
)
from gentling.charts.figure import BARS_UP_TO_DAYS, BLUE
from gentling.charts.holds import TITLE as HOLDS_TITLE
from gentling.charts.sessions_per_day import TITLE as SESSIONS_TITLE
from gentling.charts.signs import TITLE as SIGNS_TITLE
from gentling.domain.engine import DayState

from .builders import SVG, day, read_svg, session, texts

DAYS = 1000


def sessions_on(n: int) -> list:
    """0 to 3 sessions a day; longer holds as the days go by; a fear sign every tenth day."""
    found = []
    for k in range(n % 4):
        fear = ("fled",) if n % 10 == 0 and k == 0 else ()
        found.append(session(n, holds=(5 + n // 10 + k,), observations=("took_treat", "relaxed", *fear)))
    return found


HISTORY = [s for n in range(DAYS) for s in sessions_on(n)]
FIRST, LAST = day(0), day(DAYS - 1)


def description(svg: str, title: str) -> str:
    return read_svg(svg, title).findtext(f"{SVG}desc")


def test_sessions_per_day_counts_every_one_of_a_thousand_days():
    counts = sessions_per_day(HISTORY, FIRST, LAST)
    by_day = Counter(s.day for s in HISTORY)

    assert len(counts) == DAYS
    assert counts == per_day(by_day, FIRST, LAST)
    assert description(sessions_chart(counts), SESSIONS_TITLE) == (
        f"From {FIRST.isoformat()} to {LAST.isoformat()}: {len(HISTORY)} sessions "
        f"on {len(by_day)} of {DAYS} days, at most 3 in a day."
    )


def test_signs_per_day_read_from_days_and_observations_match_the_sessions():
    found = signs_per_day(HISTORY, FIRST, LAST)
    last_fear = max(s.day for s in HISTORY if "fled" in s.observations)

    assert found == signs_from_observations([(s.day, list(s.observations)) for s in HISTORY], FIRST, LAST)
    assert description(signs_chart(found), SIGNS_TITLE) == (
        f"From {FIRST.isoformat()} to {LAST.isoformat()}: {2 * len(HISTORY)} comfort signs and "
        f"{sum('fled' in s.observations for s in HISTORY)} fear signs recorded. Last "
        f"fear sign on {last_fear.isoformat()}."
    )


def test_a_sign_recorded_twice_in_one_session_counts_once():
    assert signs_from_observations([(day(0), ["fled", "fled", "relaxed"])], day(0), day(0)) == [(day(0), 1, 1)]


def test_the_hold_chart_of_a_thousand_days_names_the_longest_hold_and_the_last_target():
    days = [DayState(day(n), "longer-holds", 10 + n // 20, False) for n in range(DAYS)]
    best = max(HISTORY, key=lambda s: (max(s.holds), -s.day.toordinal()))

    svg = hold_chart(hold_series(HISTORY, days))

    assert description(svg, HOLDS_TITLE) == (
        f"From {FIRST.isoformat()} to {LAST.isoformat()}: picked up on {len({s.day for s in HISTORY})} of {DAYS} days. "
        f"Longest hold {max(best.holds)} s on {best.day.isoformat()}. Target on "
        f"{LAST.isoformat()}: {10 + (DAYS - 1) // 20} s."
    )
    assert "Each week's best day" in texts(read_svg(svg, HOLDS_TITLE))


def test_up_to_the_bar_limit_every_day_is_one_bar():
    counts = per_day(Counter({day(n): 1 + n % 3 for n in range(BARS_UP_TO_DAYS)}), day(0), day(BARS_UP_TO_DAYS - 1))

    root = read_svg(sessions_chart(counts), SESSIONS_TITLE)

    filled = [p for p in root.iter(f"{SVG}path") if f"fill: {BLUE.lower()}" in (p.get("style") or "").lower()]
    assert len(filled) == BARS_UP_TO_DAYS + 1  # and the legend's swatch


def test_days_outside_the_range_are_left_out_of_counts_read_by_day():
    counts = {date(2024, 2, 28): 5, day(0): 2, day(3): 1}

    assert per_day(counts, day(0), day(2)) == [(day(0), 2), (day(1), 0), (day(2), 0)]
