"""A session in the web app: start, the timer kept on the server, the alerts preview,
save, discard; then editing and deleting a saved session."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gentling.domain.validation import SessionInput, duration_text, parse_duration
from gentling.models import OpenSession, Session
from gentling.services.progress import progress_of, verify_snapshots
from gentling.services.sessions import log_session
from tests.factories import log, make_animal
from tests.integration.test_progress_cache import full_replay

from .helpers import db_state, messages_of, text, today


@pytest.fixture
def pair(household):
    """A rescue rat still settling in (home since yesterday) and one five days home."""
    newbie = make_animal(household, today=today(), name="Newbie", days_ago=1, cage="Left")
    whisk = make_animal(household, today=today(), name="Whiskerina", days_ago=5, cage="Right")
    return newbie, whisk


def _start(client, household, animals) -> str:
    response = client.post(
        reverse("session_start", args=[household.public_id]), {"animals": [a.public_id for a in animals]}
    )
    assert response.status_code == 302
    timer = OpenSession.objects.get()
    assert response["Location"] == reverse("session_open", args=[household.public_id, timer.public_id])
    return response["Location"]


def _backdate(minutes=10):
    """The session has been running a while (holds must fit inside it)."""
    OpenSession.objects.update(started_at=timezone.now() - timedelta(minutes=minutes))


def _started(body: str) -> str:
    m = re.search(r'data-started="([^"]+)"', body)
    assert m, "no data-started timestamp"
    return m.group(1)


def test_starting_a_session_opens_the_session_page_for_both(client, owner, household, pair):
    client.force_login(owner)
    url = _start(client, household, pair)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r"<h1>Session with (Newbie and Whiskerina|Whiskerina and Newbie)</h1>", body)
    started = _started(body)
    timer = OpenSession.objects.get()
    assert set(timer.animals.all()) == set(pair)
    assert timer.keeper == owner
    assert started.startswith(timer.started_at.strftime("%Y-%m-%dT%H:%M:%S"))
    # A reload (or a second device) shows the same start: it is stored, not made up per page view.
    assert _started(client.get(url).content.decode()) == started
    client.force_login(owner)
    assert _started(client.get(url).content.decode()) == started
    assert Session.objects.count() == 0


def test_the_session_page_offers_the_taps_for_the_steps(client, owner, household, pair):
    client.force_login(owner)
    body = client.get(_start(client, household, pair)).content.decode()
    assert 'name="activities" value="talked"' in body
    assert 'name="activities" value="treat_in_cage"' in body  # Whiskerina's step
    assert 'value="tail_lift"' in body  # never advised, but recorded if done: the guardrail says why not
    assert 'name="observations" value="took_treat"' in body
    assert 'name="observations" value="red_tears"' in body
    assert reverse("session_check", args=[household.public_id, OpenSession.objects.get().public_id]) in body


def test_starting_with_no_animal_ticked_is_refused(client, owner, household, pair):
    client.force_login(owner)
    response = client.post(reverse("session_start", args=[household.public_id]), {}, follow=True)
    assert "Tick at least one animal to start a session." in messages_of(response)
    assert not OpenSession.objects.exists()


def test_an_adopted_animal_cannot_be_in_a_session(client, owner, household):
    gone = make_animal(household, today=today(), name="Gonzo", days_ago=20, status="adopted")
    client.force_login(owner)
    client.post(reverse("session_start", args=[household.public_id]), {"animals": [gone.public_id]})
    assert not OpenSession.objects.exists()


def test_the_check_warns_about_petting_a_settling_in_rescue_and_saves_nothing(client, owner, household, pair):
    newbie, _ = pair
    client.force_login(owner)
    _start(client, household, [newbie])
    timer = OpenSession.objects.get()
    before = db_state()
    response = client.post(
        reverse("session_check", args=[household.public_id, timer.public_id]), {"activities": ["talked", "petted"]}
    )
    assert response.status_code == 200
    body = text(response)
    assert "Newbie" in body
    assert "Still settling in until" in body
    assert "Petting comes after they eat calmly from your fingers" in body
    assert "don't pet yet" in body
    assert "You can still save" in body
    assert db_state() == before
    assert Session.objects.count() == 0 and OpenSession.objects.filter(pk=timer.pk).exists()


def test_the_check_is_quiet_when_all_is_well(client, owner, household, pair):
    _, whisk = pair
    client.force_login(owner)
    _start(client, household, [whisk])
    response = client.post(
        reverse("session_check", args=[household.public_id, OpenSession.objects.get().public_id]),
        {"activities": ["talked", "treat_in_cage"], "observations": ["took_treat"]},
    )
    assert response.status_code == 200
    assert 'role="alert"' not in response.content.decode()


def test_the_check_reports_a_problem_with_the_input(client, owner, household, pair):
    client.force_login(owner)
    _start(client, household, pair)
    response = client.post(
        reverse("session_check", args=[household.public_id, OpenSession.objects.get().public_id]),
        {"activities": ["talked"], "holds": "abc"},
    )
    assert response.status_code == 200
    assert "Hold 'abc': write each pick-up's seconds as a whole number" in text(response)
    assert Session.objects.count() == 0


def test_saving_creates_a_session_for_each_animal_and_shows_the_alerts(client, owner, household, pair):
    newbie, whisk = pair
    client.force_login(owner)
    url = _start(client, household, pair)
    _backdate()
    response = client.post(
        url,
        {
            "activities": ["talked", "treat_in_cage"],
            "holds": "3, 4",
            "observations": ["took_treat"],
            "notes": "Both curious",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("today", args=[household.public_id])
    assert not OpenSession.objects.exists()
    sessions = {s.animal.name: s for s in Session.objects.select_related("animal")}
    assert set(sessions) == {"Newbie", "Whiskerina"}
    for s in sessions.values():
        assert s.holds == [3, 4]
        assert set(s.activities) >= {"talked", "treat_in_cage", "picked_up"}
        assert s.observations == ["took_treat"]
        assert s.notes == "Both curious"
        assert s.keeper == owner
        assert 9 * 60 <= s.duration_seconds <= 11 * 60
        assert s.day == today() or s.day == today() - timedelta(days=1)
    assert sessions["Newbie"].sitting == sessions["Whiskerina"].sitting
    newbie_codes = {a["code"] for a in sessions["Newbie"].alerts}
    assert {"handled_while_settling", "pickup_too_early"} <= newbie_codes
    assert "pickup_too_early" in {a["code"] for a in sessions["Whiskerina"].alerts}

    (shown,) = messages_of(client.get(response["Location"]))  # one summary
    assert re.match(r"Saved the session with (Newbie and Whiskerina|Whiskerina and Newbie)\.", shown)
    for name, s in sessions.items():
        for alert in s.alerts:
            assert shown.count(alert["message"]) == 1
            assert re.search(
                rf"{name}(, \w+)?: {re.escape(alert['message'])}|\w+, {name}: {re.escape(alert['message'])}", shown
            )


def test_saving_an_extended_hold_held_through_fear_shows_a_stop_alert(client, owner, household):
    pip = make_animal(household, today=today(), name="Pip", days_ago=40, extended_hold_opt_in=True)
    client.force_login(owner)
    url = _start(client, household, [pip])
    _backdate(minutes=30)
    response = client.post(
        url,
        {
            "activities": ["talked"],
            "observations": ["froze", "squeaked"],
            "extended_hold_minutes": "25",
            "extended_hold_end": "completed",
        },
    )
    assert response.status_code == 302
    saved = Session.objects.get()
    (alert,) = [a for a in saved.alerts if a["code"] == "extended_hold_not_stopped"]
    assert alert["level"] == "stop"
    assert "froze, squeaked or squealed when touched" in alert["message"]
    (shown,) = messages_of(client.get(response["Location"]))
    assert f"Pip: {alert['message']}" in shown


@pytest.mark.parametrize(
    "holds, words",
    [
        ("abc", "Hold 'abc': write each pick-up's seconds as a whole number"),
        ("3, x", "Hold 'x': write each pick-up's seconds as a whole number"),
        ("5000", "Hold '5000': 5000 s is longer than the session"),
        ("400, 400", "Holds: they add up to 800 s, longer than the session"),
        ("0", "Hold '0': a hold must be more than zero seconds."),
        ("-3", "Hold '-3': a hold must be more than zero seconds."),
    ],
    ids=["letters", "one-bad", "longer-than-session", "sum-longer-than-session", "zero", "negative"],
)
def test_bad_holds_show_an_error_and_save_nothing(client, owner, household, pair, holds, words):
    client.force_login(owner)
    url = _start(client, household, pair)
    _backdate()  # 600 s
    before = db_state()
    response = client.post(url, {"activities": ["talked"], "holds": holds})
    assert response.status_code == 200
    body = text(response)
    assert words in body
    assert re.search(r'<span class="errorlist">[^<]*' + re.escape(words.split("'")[0]), response.content.decode())
    assert db_state() == before
    assert Session.objects.count() == 0 and OpenSession.objects.count() == 1
    assert f'value="{holds}"' in response.content.decode()  # what was typed is kept


def test_saving_nothing_at_all_is_refused(client, owner, household, pair):
    client.force_login(owner)
    url = _start(client, household, pair)
    response = client.post(url, {"holds": "", "notes": ""})  # a browser always sends the text fields
    assert response.status_code == 200
    assert "Nothing to record" in text(response)
    assert Session.objects.count() == 0 and OpenSession.objects.count() == 1


def test_discard_deletes_the_open_session_and_saves_nothing(client, owner, household, pair):
    client.force_login(owner)
    url = _start(client, household, pair)
    timer = OpenSession.objects.get()
    response = client.post(reverse("session_discard", args=[household.public_id, timer.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("today", args=[household.public_id])
    assert not OpenSession.objects.exists()
    assert Session.objects.count() == 0
    assert "Session discarded; nothing was saved." in messages_of(client.get(response["Location"]))
    assert client.get(url).status_code == 404  # the page is gone too
    assert client.post(url, {"activities": ["talked"]}).status_code == 404
    assert Session.objects.count() == 0


def test_a_saved_session_cannot_be_saved_twice(client, owner, household, pair):
    client.force_login(owner)
    url = _start(client, household, pair)
    assert client.post(url, {"activities": ["talked"]}).status_code == 302
    again = client.post(url, {"activities": ["talked"]})
    assert again.status_code == 302  # to the animal's page, saying it was saved once already
    assert any("Already saved" in m for m in messages_of(client.get(again["Location"])))
    assert Session.objects.count() == 2


# --- editing and deleting a saved session -------------------------------------------------------------


@pytest.fixture
def logged(owner, household, pair):
    _, whisk = pair
    return log(
        owner,
        household,
        [whisk],
        now=timezone.now(),
        ago=timedelta(days=1, hours=2),
        minutes=5,
        activities=["talked", "treat_in_cage"],
        observations=["took_treat"],
    )[0].session


def test_the_edit_page_is_filled_in(client, owner, household, logged):
    client.force_login(owner)
    response = client.get(reverse("session_edit", args=[household.public_id, logged.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Edit Whiskerina's session" in text(response)
    assert f'value="{logged.started_at:%Y-%m-%dT%H:%M:%S}"' in body
    assert re.search(r'name="length"[^>]*value="5m"|value="5m"[^>]*name="length"', body)
    assert re.search(r'value="treat_in_cage"[^>]*(checked|selected)', body)
    assert re.search(r'value="took_treat"[^>]*(checked|selected)', body)
    assert not re.search(r'value="petted"[^>]*(checked|selected)', body)


def test_an_edit_that_changes_only_the_notes_keeps_the_length_and_the_start_to_the_second(
    client, owner, household, pair
):
    _, whisk = pair
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=1, hours=2, seconds=-17)
    entry = SessionInput(start, start + timedelta(seconds=10), ["talked"], [], [], notes="")
    (item,) = log_session(keeper=owner, household=household, animals=[whisk], entry=entry, now=now)
    client.force_login(owner)
    url = reverse("session_edit", args=[household.public_id, item.session.public_id])
    page = client.get(url)
    form = page.context["form"]
    sent = {name: form[name].value() for name in ("started_at", "length", "holds", "notes")}
    sent["started_at"] = form["started_at"].field.widget.format_value(sent["started_at"])
    assert sent["length"] == "10s"
    response = client.post(url, {**sent, "activities": ["talked"], "notes": "sniffed my hand"})
    assert response.status_code == 302
    saved = Session.objects.get()
    assert saved.notes == "sniffed my hand"
    assert (saved.started_at, saved.duration_seconds) == (start, 10)


@pytest.mark.parametrize("seconds", [1, 10, 59, 60, 90, 300, 3599, 3600, 3930, 6 * 3600])
def test_a_length_written_out_reads_back_the_same(seconds):
    assert parse_duration(duration_text(seconds), "length", "Length", default_unit="m") == seconds


def test_editing_a_session_changes_the_holds_and_recomputes_the_alerts(client, owner, household, logged):
    assert logged.alerts == [] and logged.holds == []
    client.force_login(owner)
    url = reverse("session_edit", args=[household.public_id, logged.public_id])
    response = client.post(
        url,
        {
            "started_at": f"{logged.started_at:%Y-%m-%dT%H:%M}",
            "length": "5",
            "activities": ["talked", "treat_in_cage"],
            "observations": ["took_treat"],
            "holds": "3, 4",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("animal", args=[household.public_id, logged.animal.public_id])
    logged.refresh_from_db()
    assert logged.holds == [3, 4]
    assert "picked_up" in logged.activities
    codes = {a["code"] for a in logged.alerts}
    assert "pickup_too_early" in codes and "pickup_without_reward" in codes
    assert Session.objects.count() == 1
    shown = messages_of(client.get(response["Location"]))
    (summary,) = shown
    assert summary.startswith("Saved the changes to Whiskerina's session.\nWhiskerina: Pick-ups are not part of")

    # ...and back: the alerts go away again.
    client.post(
        url,
        {
            "started_at": f"{logged.started_at:%Y-%m-%dT%H:%M}",
            "length": "5",
            "activities": ["talked", "treat_in_cage"],
            "observations": ["took_treat"],
            "holds": "",
        },
    )
    logged.refresh_from_db()
    assert logged.holds == [] and logged.alerts == []


@pytest.mark.parametrize(
    "over, words",
    [
        ({"holds": "abc"}, "Hold 'abc': write each pick-up's seconds as a whole number"),
        ({"holds": "999"}, "longer than the session"),
        ({"length": "0"}, "must be more than zero seconds"),
        ({"length": "600"}, "is not plausible"),
        ({"started_at": "{future}"}, "starts in the future"),
        ({"started_at": "{before_arrival}"}, "arrived on"),
    ],
    ids=["letters", "hold-too-long", "zero-length", "too-long", "future", "before-arrival"],
)
def test_a_bad_edit_shows_an_error_and_changes_nothing(client, owner, household, logged, over, words):
    client.force_login(owner)
    now = timezone.now()
    data = {
        "started_at": f"{logged.started_at:%Y-%m-%dT%H:%M}",
        "length": "5",
        "activities": ["talked"],
        "holds": "",
    }
    data.update(
        {
            k: v.format(
                future=f"{now + timedelta(days=1):%Y-%m-%dT%H:%M}",
                before_arrival=f"{now - timedelta(days=30):%Y-%m-%dT%H:%M}",
            )
            for k, v in over.items()
        }
    )
    before = db_state()
    response = client.post(reverse("session_edit", args=[household.public_id, logged.public_id]), data)
    assert response.status_code == 200
    assert words in text(response)
    assert db_state() == before


def test_the_delete_page_asks_first(client, owner, household, logged):
    client.force_login(owner)
    response = client.get(reverse("session_delete", args=[household.public_id, logged.public_id]))
    assert response.status_code == 200
    body = text(response)
    assert "Delete this session?" in body and "Whiskerina" in body and "This cannot be undone." in body
    assert Session.objects.filter(pk=logged.pk).exists()


def test_deleting_a_session_recomputes_the_cached_progress(client, owner, household):
    # A breeder rat needs 3 qualifying sessions on 2 days at 'treats in the cage' to move up.
    rat = make_animal(household, today=today(), name="Biscuit", source="breeder", days_ago=5)
    for days in (3, 2, 1):
        log(
            owner,
            household,
            [rat],
            now=timezone.now(),
            ago=timedelta(days=days),
            activities=["talked", "treat_in_cage"],
            observations=["took_treat"],
        )
    assert progress_of(rat, today()).step_id == "treats-from-fingers"
    last = rat.sessions.order_by("-started_at").first()

    client.force_login(owner)
    response = client.post(reverse("session_delete", args=[household.public_id, last.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("animal", args=[household.public_id, rat.public_id])
    assert not Session.objects.filter(pk=last.pk).exists()
    assert progress_of(rat, today()) == full_replay(rat, today())
    assert progress_of(rat, today()).step_id == "treats-in-cage"
    assert verify_snapshots()[1] == []
    shown = messages_of(client.get(response["Location"]))
    assert any(m.startswith("Deleted the session of ") for m in shown)


def test_deleting_twice_is_404(client, owner, household, logged):
    client.force_login(owner)
    url = reverse("session_delete", args=[household.public_id, logged.public_id])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404


def test_a_session_left_running_is_offered_for_resuming_on_every_page_until_saved(client, owner, household, pair):
    _, whisk = pair
    client.force_login(owner)
    resume = _start(client, household, [whisk])
    assert "A session is in progress" not in client.get(resume).content.decode()  # not on its own screen
    for page in ("today", "overview", "members", "more"):
        body = client.get(reverse(page, args=[household.public_id])).content.decode()
        assert "A session is in progress" in body and f'href="{resume}"' in body, page
    client.post(resume, {"activities": ["talked"], "holds": "", "notes": ""})
    assert not OpenSession.objects.exists()
    assert "A session is in progress" not in client.get(reverse("today", args=[household.public_id])).content.decode()
