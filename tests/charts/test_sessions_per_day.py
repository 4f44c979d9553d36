"""Sessions per day, with the days without sessions."""

from gentling.charts import sessions_chart, sessions_per_day
from gentling.charts.sessions_per_day import TITLE, DayCount

from .builders import SVG, day, read_svg, session, texts


def test_it_counts_sessions_on_every_day_including_the_empty_ones():
    sessions = [session(0), session(0), session(2), session(4), session(9)]

    assert sessions_per_day(sessions, day(0), day(4)) == [
        (day(0), 2),
        (day(1), 0),
        (day(2), 1),
        (day(3), 0),
        (day(4), 1),
    ]


def test_it_leaves_out_sessions_outside_the_range():
    assert sessions_per_day([session(0), session(3)], day(1), day(2)) == [(day(1), 0), (day(2), 0)]


def test_a_range_that_ends_before_it_starts_has_no_days():
    assert sessions_per_day([session(0)], day(2), day(1)) == []


def test_the_chart_is_an_svg_with_its_title_and_a_description():
    counts = [DayCount(day(0), 2), DayCount(day(1), 0), DayCount(day(2), 1)]

    root = read_svg(sessions_chart(counts), TITLE)

    assert root.findtext(f"{SVG}desc") == (
        "From 2024-03-01 to 2024-03-03: 3 sessions on 2 of 3 days, at most 2 in a day."
    )


def test_the_same_counts_give_the_same_svg():
    counts = sessions_per_day([session(n % 5) for n in range(12)], day(0), day(6))

    assert sessions_chart(counts) == sessions_chart(counts)


def test_with_no_sessions_yet_it_says_so():
    for counts in ([], sessions_per_day([], day(0), day(3))):
        assert "No sessions yet" in texts(read_svg(sessions_chart(counts), TITLE))


def test_three_years_of_days_are_drawn_as_weeks_in_a_small_svg():
    sessions = [session(n) for n in range(0, 3 * 365, 2)]
    counts = sessions_per_day(sessions, day(0), day(3 * 365 - 1))

    svg = sessions_chart(counts)

    assert "Each week's average day" in texts(read_svg(svg, TITLE))
    assert len(svg) < 200_000
