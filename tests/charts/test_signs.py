"""Comfort and fear signs per day."""

from gentling.charts import signs_chart, signs_per_day
from gentling.charts.signs import TITLE, SignsDay

from .builders import SVG, day, read_svg, session, texts


def test_it_counts_each_sign_once_per_session():
    sessions = [
        session(0, observations={"took_treat", "approached", "fled"}),
        session(0, observations={"took_treat"}),
        session(1, observations={"froze", "hid", "bit"}),
    ]

    assert signs_per_day(sessions, day(0), day(2)) == [
        SignsDay(day(0), comfort=3, fear=1),
        SignsDay(day(1), comfort=0, fear=3),
        SignsDay(day(2), comfort=0, fear=0),
    ]


def test_health_and_neutral_signs_are_neither_comfort_nor_fear():
    sessions = [session(0, observations={"red_tears", "sneezing", "tail_quivered", "health_cleared"})]

    assert signs_per_day(sessions, day(0), day(0)) == [SignsDay(day(0), 0, 0)]


def test_it_leaves_out_sessions_outside_the_range():
    sessions = [session(0, observations={"relaxed"}), session(3, observations={"fled"})]

    assert signs_per_day(sessions, day(1), day(2)) == [SignsDay(day(1), 0, 0), SignsDay(day(2), 0, 0)]


def test_the_chart_shows_comfort_and_fear_with_counts_never_below_zero():
    days = [SignsDay(day(0), 3, 1), SignsDay(day(1), 0, 3), SignsDay(day(2), 5, 0)]

    root = read_svg(signs_chart(days), TITLE)

    assert {"Comfort signs", "Fear signs"} <= set(texts(root))
    assert not [t for t in texts(root) if t.startswith(("-", "\N{MINUS SIGN}"))]
    assert root.findtext(f"{SVG}desc") == (
        "From 2024-03-01 to 2024-03-03: 8 comfort signs and 4 fear signs recorded. Last fear sign on 2024-03-02."
    )


def test_the_same_days_give_the_same_svg():
    days = [SignsDay(day(n), n % 4, n % 3) for n in range(14)]

    assert signs_chart(days) == signs_chart(list(days))


def test_with_no_signs_yet_it_says_so():
    for days in ([], signs_per_day([session(0)], day(0), day(2))):
        assert "No comfort or fear signs recorded yet" in texts(read_svg(signs_chart(days), TITLE))


def test_three_years_of_days_are_drawn_as_weeks_in_a_small_svg():
    days = [SignsDay(day(n), n % 5, n % 2) for n in range(3 * 365)]

    svg = signs_chart(days)

    assert "Each week's average day" in texts(read_svg(svg, TITLE))
    assert len(svg) < 200_000
