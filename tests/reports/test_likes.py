"""What the animal likes, read from plain values: no database."""

from __future__ import annotations

from datetime import date

from gentling.services.report import Quote, activities_liked, age_text, favourite_treats, subtitle

NOTES = [
    Quote("Loves peas and a dab of yoghurt from a spoon.", None),
    Quote("Took peas again. Won't touch banana, but grabbed a blueberry.", date(2026, 11, 2)),
    Quote("Shy today.", date(2026, 11, 3)),
]


def test_the_most_mentioned_treat_comes_first():
    treats = favourite_treats(NOTES)
    assert [t.name for t in treats.favourites] == ["peas", "yoghurt", "blueberries"]
    assert treats.favourites[0].mentions == 2


def test_a_treat_turned_down_is_not_a_favourite():
    assert "banana" not in [t.name for t in favourite_treats(NOTES).favourites]


def test_each_sentence_is_quoted_once_with_where_it_came_from():
    quotes = favourite_treats(NOTES).quotes
    assert [q.text for q in quotes] == [
        "Loves peas and a dab of yoghurt from a spoon.",
        "Took peas again.",
        "Won't touch banana, but grabbed a blueberry.",
    ]
    assert quotes[0].day is None and quotes[1].day == date(2026, 11, 2)


def test_words_inside_other_words_are_not_treats():
    assert favourite_treats([Quote("Ate a peanut, then hid in the eggplant box. Rough coat.", None)]).favourites == ()


def test_the_activities_with_most_comfort_come_first():
    sessions = [
        (["talked", "treat_in_cage"], ["fled"]),
        (["talked", "treat_in_cage"], ["took_treat"]),
        (["talked", "treat_from_fingers"], ["ate_from_fingers", "relaxed"]),
        (["talked", "treat_from_fingers"], ["ate_from_fingers"]),
    ]
    liked = activities_liked(sessions)
    assert [a.activity for a in liked] == ["treat_from_fingers", "talked", "treat_in_cage"]
    assert (liked[0].comfort_sessions, liked[0].sessions, liked[0].comfort_percent) == (2, 2, 100)
    assert liked[0].signs[0] == "Ate from the fingers"
    assert liked[2].fear_sessions == 1


def test_a_tail_lift_is_never_offered_as_something_the_animal_likes():
    sessions = [(["tail_lift", "talked"], ["relaxed"])] * 3
    assert [a.activity for a in activities_liked(sessions)] == ["talked"]


def test_one_session_is_not_enough_to_tell():
    assert activities_liked([(["petted"], ["bruxed"])]) == ()


def test_ages_read_the_way_a_keeper_says_them():
    born = date(2026, 1, 1)
    assert age_text(born, date(2026, 1, 6)) == "5 days"
    assert age_text(born, date(2026, 2, 12)) == "6 weeks"
    assert age_text(born, date(2026, 7, 1), estimated=True) == "about 6 months"
    assert age_text(born, date(2028, 4, 1)) == "2 years 3 months"


def test_the_subtitle_leaves_out_what_is_not_known():
    assert subtitle("male", "rat", "about 6 months", "rescue") == "Male rat, about 6 months old · a rescue"
    assert subtitle("unknown", "mouse", None, "unknown") == "Mouse"


def test_activities_always_done_together_are_one_row():
    sessions = [
        (["picked_up", "rewarded", "talked"], ["relaxed"]),
        (["rewarded", "picked_up"], ["bruxed"]),
        (["talked"], ["fled"]),
    ]
    liked = activities_liked(sessions)
    assert [a.label for a in liked] == ["Picked up · Rewarded after pick-up", "Talked to them"]
