"""The leak checker itself: it must find a name a reader can see, and not a name hidden in a random token."""

from tests.web.helpers import visible_names


def test_a_name_in_the_text_or_a_readable_attribute_is_found():
    page = '<h1>Whiskers</h1><img alt="Photo of Pip" src="/p.png"><p title="Maple Street">x</p>'
    assert visible_names(page, ["Whiskers", "Pip", "Maple Street", "Zanzibar"]) == ["Whiskers", "Pip", "Maple Street"]


def test_a_name_inside_a_token_or_a_link_is_not_a_leak():
    page = (
        '<form action="/h/x-Pip-y/"><input type="hidden" name="csrfmiddlewaretoken" value="aPipzz-Pip-q">'
        '</form><a href="/h/Pip/">Home</a><p>Pipette</p>'
    )
    assert visible_names(page, ["Pip"]) == []


def test_plain_text_is_read_as_it_is():
    assert visible_names("name,species\nPip,rat\n", ["Pip", "Whiskers"]) == ["Pip"]
