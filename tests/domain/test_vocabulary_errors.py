"""An unknown activity, observation or sign: the message names what Gentling knows, for any interface."""

import pytest

from gentling.domain import vocab
from gentling.domain.errors import InvalidInput
from gentling.domain.validation import check_names


def test_known_names_come_back_in_vocabulary_order_once_each():
    assert check_names(["took-treat", " talked", "took_treat"], vocab.OBSERVATIONS | vocab.ACTIVITIES, "f", "name") == [
        n for n in vocab.OBSERVATIONS | vocab.ACTIVITIES if n in {"took_treat", "talked"}
    ]


def test_an_unknown_name_is_refused_with_every_known_name_and_no_command():
    with pytest.raises(InvalidInput) as refused:
        check_names(["talked", "juggled"], vocab.ACTIVITIES, "activities", "activity")
    assert refused.value.field == "activities"
    assert "Unknown activity: 'juggled'." in refused.value.message
    assert all(name in refused.value.message for name in vocab.ACTIVITIES)
    assert "gentling " not in refused.value.message  # the API and the web app reach this too


def test_an_oversized_unknown_name_is_cut_short_in_the_message():
    with pytest.raises(InvalidInput) as refused:
        check_names(["x" * 10_000, *[f"n{i}" for i in range(9)]], vocab.ACTIVITIES, "activities", "activity")
    assert len(refused.value.message) < 1000 and refused.value.message.count("'") == 10
