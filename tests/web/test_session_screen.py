"""The session screen for one hand (issue 14, part 1): nothing ticked behind the keeper's back,
everything a keeper did can be recorded, warnings beside what caused them and said once for
all the animals, one summary after saving, the edit screen built from the same taps."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.models import OpenSession, Session
from gentling.services.progress import progress_of
from tests.factories import bring_to_step, log, make_animal

from .helpers import messages_of, text, today


@pytest.fixture
def cage_mates(household):
    """Two rescue rats five days home, at 'Treats with your hand in the cage': the same warnings."""
    return [
        make_animal(household, today=today(), name=name, days_ago=5, cage="Top Deck", sex="female")
        for name in ("Luna", "Nova")
    ]


def _open(client, household, animals) -> tuple[str, str]:
    client.post(reverse("session_start", args=[household.public_id]), {"animals": [a.public_id for a in animals]})
    timer = OpenSession.objects.get()
    OpenSession.objects.update(started_at=timezone.now() - timedelta(minutes=10))
    return (
        reverse("session_open", args=[household.public_id, timer.public_id]),
        reverse("session_check", args=[household.public_id, timer.public_id]),
    )


def _section(body: str, start: str, end: str) -> str:
    m = re.search(re.escape(start) + "(.*?)" + re.escape(end), body, re.S)
    assert m, f"no {start!r} … {end!r} on the page"
    return m.group(1)


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _slot(body: str, control: str) -> str:
    """What a live check puts beside `control` (an out-of-band swap for its slot)."""
    m = re.search(rf'<div id="beside-{control}"[^>]*hx-swap-oob="innerHTML"[^>]*>(.*?)</div><!--/beside-->', body, re.S)
    assert m, f"the check says nothing about the slot beside {control}"
    return _words(m.group(1))


def _count(body: str) -> str:
    """What a live check writes on the Save button."""
    m = re.search(r'<span id="save-count" hx-swap-oob="innerHTML">(.*?)</span>', body, re.S)
    assert m, "the check says nothing about the Save button"
    return _words(m.group(1))


def test_nothing_is_ticked_before_the_keeper_taps(client, owner, household, rat):
    client.force_login(owner)
    page, _ = _open(client, household, [rat])

    body = client.get(page).content.decode()

    assert not re.search(r'name="(activities|observations)"[^>]*checked', body)


def test_the_steps_activities_come_first_and_every_other_sits_under_other(client, owner, household, rat):
    client.force_login(owner)
    page, _ = _open(client, household, [rat])

    body = client.get(page).content.decode()

    now = _section(body, 'id="taps-now"', "</div>")
    other = _section(body, '<details class="other"', "</details>")
    assert 'value="talked"' in now and 'value="treat_in_cage"' in now
    for later in ("petted", "treat_from_fingers", "towel_used", "tail_lift"):
        assert f'value="{later}"' in other and f'value="{later}"' not in now
    assert 'id="hold-button"' in other  # pick-ups are not part of this step yet: recorded all the same
    assert 'id="extended-hold"' in other
    assert "Other" in _words(_section(body, "<summary", "</summary>"))


def test_other_opens_by_itself_when_a_draft_holds_something_from_it(client, owner, household, rat):
    client.force_login(owner)
    page, check = _open(client, household, [rat])
    assert not re.search(r'<details class="other"[^>]*open', client.get(page).content.decode())

    client.post(check, {"activities": ["talked", "petted"]})

    assert re.search(r'<details class="other"[^>]*open', client.get(page).content.decode())


def test_at_the_pickup_step_the_stopwatch_comes_first(client, owner, household):
    ready = bring_to_step(owner, household, "first-pickups", now=timezone.now(), name="Ready")
    client.force_login(owner)
    page, _ = _open(client, household, [ready])

    body = client.get(page).content.decode()

    assert progress_of(ready, today()).step_id == "first-pickups"
    assert body.index('id="hold-button"') < body.index('<details class="other"')
    assert 'value="petted"' in _section(body, 'id="taps-now"', "</div>")


def test_petting_too_early_is_warned_beside_what_was_done_with_the_day_it_will_be_fine(client, owner, household, rat):
    client.force_login(owner)
    _, check = _open(client, household, [rat])

    response = client.post(check, {"activities": ["talked", "petted"]})

    beside = _slot(response.content.decode(), "activities")
    assert "Whiskerina: Petting comes after they eat calmly from your fingers" in beside
    assert re.search(r"Petting from about \d{1,2} [A-Z][a-z]+", beside)
    assert _slot(response.content.decode(), "holds") == ""
    assert _count(response.content.decode()) == "· 1 warning"


def test_a_pickup_warning_sits_beside_the_stopwatch(client, owner, household, rat):
    client.force_login(owner)
    _, check = _open(client, household, [rat])

    body = client.post(check, {"activities": ["talked"], "holds": "3"}).content.decode()

    assert "Pick-ups are not part of" in _slot(body, "holds")
    assert "Pick-ups are not part of" not in _slot(body, "activities")


def test_a_health_sign_is_warned_beside_the_health_signs(client, owner, household, rat):
    client.force_login(owner)
    _, check = _open(client, household, [rat])

    body = client.post(check, {"activities": ["talked"], "observations": ["red_tears"]}).content.decode()

    assert "vet" in _slot(body, "health")


def test_the_same_warning_for_two_animals_is_said_once_with_both_names(client, owner, household, cage_mates):
    client.force_login(owner)
    _, check = _open(client, household, cage_mates)

    body = client.post(check, {"activities": ["talked", "treat_in_cage"], "holds": "3"}).content.decode()

    beside = _slot(body, "holds")
    assert re.search(r"(Luna, Nova|Nova, Luna): Pick-ups are not part of", beside)
    assert beside.count("Pick-ups are not part of") == 1


def test_the_save_button_counts_the_warnings(client, owner, household, cage_mates):
    client.force_login(owner)
    page, check = _open(client, household, cage_mates)
    assert _section(client.get(page).content.decode(), '<span id="save-count"', "</span>").endswith(">")

    quiet = client.post(check, {"activities": ["talked", "treat_in_cage"]}).content.decode()
    loud = client.post(check, {"activities": ["talked", "petted"], "holds": "3"}).content.decode()

    assert _count(quiet) == ""
    assert _count(loud) == "· 3 warnings"  # petting, the pick-up, and no reward after it: once for both


def test_after_saving_today_shows_one_short_summary(client, owner, household, cage_mates):
    client.force_login(owner)
    page, _ = _open(client, household, cage_mates)

    response = client.post(page, {"activities": ["talked", "petted"], "holds": "3"})

    shown = messages_of(client.get(response["Location"]))
    assert len(shown) == 1
    (summary,) = shown
    assert re.match(r"Saved the session with (Luna and Nova|Nova and Luna)\.", summary)
    assert summary.count("Petting comes after") == 1 and summary.count("Pick-ups are not part of") == 1
    assert re.search(r"(Luna, Nova|Nova, Luna): Petting comes after", summary)
    saved = Session.objects.filter(animal__name="Luna").get()
    assert {"petting_too_early", "pickup_too_early"} <= {a["code"] for a in saved.alerts}


def test_the_summary_is_a_warning_when_there_is_a_warning_and_a_success_otherwise(client, owner, household, rat):
    client.force_login(owner)
    page, _ = _open(client, household, [rat])
    response = client.post(page, {"activities": ["talked", "treat_in_cage"]})

    (message,) = list(client.get(response["Location"]).context["messages"])

    assert message.tags == "success"
    assert str(message) == "Saved the session with Whiskerina."


@pytest.mark.parametrize("typed", ["3 4 2", "3, 4, 2", "3;4;2", " 3,4 ,2 ", "3\n4\n2"])
def test_hold_seconds_are_a_list_however_the_keyboard_separates_them(client, owner, household, rat, typed):
    client.force_login(owner)
    page, _ = _open(client, household, [rat])

    assert client.post(page, {"activities": ["talked"], "holds": typed}).status_code == 302

    assert Session.objects.get().holds == [3, 4, 2]


def test_a_hold_with_a_decimal_is_refused_plainly(client, owner, household, rat):
    client.force_login(owner)
    page, _ = _open(client, household, [rat])

    response = client.post(page, {"activities": ["talked"], "holds": "3.5"})

    assert response.status_code == 200
    assert "Hold '3.5': write each pick-up's seconds as a whole number" in text(response)
    assert not Session.objects.exists()


def test_the_hold_seconds_field_opens_a_keyboard_with_separators(client, owner, household, rat):
    client.force_login(owner)
    page, _ = _open(client, household, [rat])

    field = re.search(r'<input[^>]*name="holds"[^>]*>', client.get(page).content.decode()).group(0)

    assert 'inputmode="numeric"' not in field  # a numeric pad has no comma or space on many phones


def test_the_edit_screen_uses_the_session_screens_taps(client, owner, household, rat):
    (item,) = log(
        owner, household, [rat], now=timezone.now(), ago=timedelta(days=1), activities=["talked", "treat_in_cage"]
    )
    client.force_login(owner)

    body = client.get(reverse("session_edit", args=[household.public_id, item.session.public_id])).content.decode()

    assert "<select" not in body or "multiple" not in _section(body, "<select", ">")
    assert re.search(r'<label class="tap"><input type="checkbox" name="activities" value="treat_in_cage" checked', body)
    assert re.search(r'<label class="tap comfort"><input type="checkbox" name="observations" value="took_treat"', body)
    assert 'id="beside-activities"' in body


def test_no_template_comment_spans_lines():
    """Django's {# #} ends at the line's end: one that goes on would be shown to the keeper."""
    from pathlib import Path

    import gentling

    templates = Path(gentling.__file__).parent / "templates"
    open_comments = [
        f"{path.relative_to(templates)}:{n}"
        for path in sorted(templates.rglob("*.html"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]
    assert open_comments == []
