"""What each page shows: Today, the overview, an animal's page, charts, the guide, home."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gentling.domain.protocol import shipped_protocol
from gentling.services.households import create_household
from gentling.services.progress import plan_for_household, progress_of
from tests.factories import log, make_animal

from .helpers import text, today


def _section(body: str, label: str) -> str:
    m = re.search(r'<section class="cage-group" aria-label="' + re.escape(label) + r'">(.*?)</section>', body, re.S)
    assert m, f"no cage group {label!r}"
    return m.group(1)


def _card(body: str, name: str) -> str:
    for card in re.findall(r'<article class="card".*?</article>', body, re.S):
        if f">{name}</a></h3>" in card:
            return card
    raise AssertionError(f"no card for {name}")


@pytest.fixture
def menagerie(household):
    """Three active animals in two cages and none, and one adopted."""
    whisk = make_animal(household, today=today(), name="Whiskerina", cage="Top Deck", days_ago=5)
    pip = make_animal(
        household, today=today(), name="Pipkin", species="mouse", source="breeder", cage="Mouse House", days_ago=5
    )
    nut = make_animal(household, today=today(), name="Nutmeg", source="pet_store", days_ago=7)
    make_animal(household, today=today(), name="Gonzo", source="breeder", days_ago=20, status="adopted")
    return whisk, pip, nut


# --- Today ---------------------------------------------------------------------------------------


def test_today_shows_one_card_per_active_animal_grouped_by_cage(client, owner, household, menagerie):
    client.force_login(owner)
    response = client.get(reverse("today", args=[household.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<article class="card"') == 3
    assert "Gonzo" not in body  # adopted
    assert "Whiskerina" in _section(body, "Top Deck")
    assert "Pipkin" in _section(body, "Mouse House")
    assert "Nutmeg" in _section(body, "No cage set")
    assert "Whiskerina" not in _section(body, "Mouse House")
    assert "<h1>Today," in body


def test_today_card_shows_step_tasks_counts_and_avoid(client, owner, household, menagerie):
    client.force_login(owner)
    body = client.get(reverse("today", args=[household.public_id])).content.decode()
    plans = {p.animal.name: p.plan for p in plan_for_household(household, today())}
    for name in ("Whiskerina", "Pipkin", "Nutmeg"):
        card = " ".join(_card(body, name).split())
        plan = plans[name]
        assert plan.step_title in card
        for task in plan.tasks:
            assert task.text in card.replace("&#x27;", "'")
        if plan.avoid:
            assert "<strong>Avoid:</strong>" in card
    whisk = " ".join(_card(body, "Whiskerina").split())
    assert "Treats with your hand in the cage" in whisk
    assert "Rest your hand in the cage with treats near them, twice today" in whisk
    assert '<span class="count">0 of 2</span>' in whisk
    assert "<strong>Avoid:</strong> Petting or touching them; Picking them up" in whisk
    assert "(done)" not in whisk and 'class="done"' not in whisk


def test_today_marks_tasks_done_after_a_session(client, owner, household, menagerie):
    whisk = menagerie[0]
    # Logged an hour ago, or at midnight when the day is younger than that: always today.
    now = timezone.now()
    ago = min(timedelta(hours=1), now - now.replace(hour=0, minute=0, second=0, microsecond=0))
    log(
        owner,
        household,
        [whisk],
        now=now,
        ago=ago,
        minutes=1,
        activities=["talked", "treat_in_cage"],
        observations=["took_treat"],
    )
    client.force_login(owner)
    body = client.get(reverse("today", args=[household.public_id])).content.decode()
    card = " ".join(_card(body, "Whiskerina").split())
    assert re.search(r'<li class="done">.*?Talk to them for a few minutes.*?\(done\)', card)
    assert '<span class="count">1 of 2</span>' in card
    assert "1 session logged this day." in card
    # The other animals are untouched.
    assert "(done)" not in _card(body, "Nutmeg")


def test_today_date_switcher_shows_another_day(client, owner, household, menagerie):
    client.force_login(owner)
    day = today() - timedelta(days=6)  # Whiskerina and Pipkin arrived 5 days ago; Nutmeg 7
    response = client.get(reverse("today", args=[household.public_id]), {"date": day.isoformat()})
    assert response.status_code == 200
    body = text(response)
    assert f"{day:%A}, {day.day} {day:%B %Y}" in body
    assert "Today," not in body
    assert response.content.decode().count('<article class="card"') == 1  # only Nutmeg had arrived
    assert "Nutmeg" in body and "Whiskerina" not in body
    raw = response.content.decode()
    assert f'href="?date={(day - timedelta(days=1)).isoformat()}" rel="prev"' in raw
    assert f'href="?date={(day + timedelta(days=1)).isoformat()}" rel="next"' in raw
    assert "Start session" not in body  # sessions are started on the real today only


def test_today_with_an_impossible_date_shows_an_error_not_a_500(owner, household, menagerie):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.get(reverse("today", args=[household.public_id]), {"date": "2026-02-30"})
    assert response.status_code == 200
    body = text(response)
    assert "Date '2026-02-30': not a date. Write it as YYYY-MM-DD" in body
    assert re.search(r'role="alert">\s*Date &#x27;2026-02-30&#x27;: not a date', response.content.decode())
    assert "Today," in body  # falls back to today
    assert response.content.decode().count('<article class="card"') == 3


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_today_at_the_ends_of_the_calendar_is_not_a_500(owner, household, value):
    """The date switcher links to the day before and after: at the calendar's ends there is none."""
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.get(reverse("today", args=[household.public_id]), {"date": value})
    assert response.status_code in (200, 400)
    assert 'role="alert"' in response.content.decode()  # says what is wrong with the date


def test_a_viewer_sees_today_without_write_controls(client, viewer, household, menagerie):
    client.force_login(viewer)
    body = client.get(reverse("today", args=[household.public_id])).content.decode()
    assert body.count('<article class="card"') == 3
    assert "Start session" not in body
    assert reverse("animal_new", args=[household.public_id]) not in body


def test_today_offers_a_session_start_to_writers(client, carer, household, menagerie):
    client.force_login(carer)
    body = client.get(reverse("today", args=[household.public_id])).content.decode()
    assert reverse("session_start", args=[household.public_id]) in body
    for animal in menagerie[:3]:
        assert f'name="animals" value="{animal.public_id}"' in body


def test_today_with_no_animals_invites_to_add_one(client, owner, household):
    client.force_login(owner)
    body = text(client.get(reverse("today", args=[household.public_id])))
    assert "No animals here yet" in body
    assert "Add an animal" in body


# --- Overview ------------------------------------------------------------------------------------


def test_overview_lists_animals_and_flags_quiet_ones(client, owner, household, menagerie):
    whisk, pip, nut = menagerie
    log(owner, household, [pip], now=timezone.now(), ago=timedelta(days=1))  # Pipkin had a session yesterday
    log(owner, household, [nut], now=timezone.now(), ago=timedelta(days=4))  # Nutmeg's last was 4 days ago
    client.force_login(owner)
    response = client.get(reverse("overview", args=[household.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    table = re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1)
    for name in ("Whiskerina", "Pipkin", "Nutmeg"):
        assert f">{name}</a>" in table
    assert "Gonzo" not in body
    flag = re.search(r'<div class="alert warning" role="status">(.*?)</div>', body, re.S)
    assert flag, "no flag for quiet animals"
    flag = " ".join(flag.group(1).split())
    assert "No session for 3 days or more:" in flag
    assert ">Whiskerina</a> (5 days)" in flag  # none since arriving 5 days ago
    assert ">Nutmeg</a> (4 days)" in flag
    assert "Pipkin" not in flag
    assert "olive-owner: 2 sessions" in " ".join(body.split())


def test_overview_without_quiet_animals_has_no_flag(client, owner, household):
    make_animal(household, today=today(), name="Pipkin", species="mouse", source="breeder", days_ago=2)
    client.force_login(owner)
    body = client.get(reverse("overview", args=[household.public_id])).content.decode()
    assert "Pipkin" in body
    assert "No session for" not in body


# --- The animal page -------------------------------------------------------------------------------


@pytest.fixture
def whisk_with_history(owner, household):
    whisk = make_animal(household, today=today(), name="Whiskerina", cage="Top Deck", days_ago=5)
    log(
        owner,
        household,
        [whisk],
        now=timezone.now(),
        ago=timedelta(days=1),
        activities=["talked", "treat_in_cage"],
        observations=["took_treat"],
        notes="Sniffed my sleeve",
    )
    return whisk


def test_animal_page_shows_the_ladder_with_the_current_step(client, owner, household, whisk_with_history):
    client.force_login(owner)
    response = client.get(reverse("animal", args=[household.public_id, whisk_with_history.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    ladder = re.search(r'<ol class="ladder">(.*?)</ol>', body, re.S).group(1)
    items = re.findall(r"<li class=\"(\w+)\"([^>]*)>(.*?)</li>", ladder, re.S)
    steps = shipped_protocol("rat").steps
    assert len(items) == len(steps)
    current = [(cls, attrs, inner) for cls, attrs, inner in items if 'aria-current="step"' in attrs]
    assert len(current) == 1 and current[0][0] == "current"
    assert "Treats with your hand in the cage" in current[0][2]
    assert items[0][0] == "passed" and "Settling in" in items[0][2]
    assert all(cls == "ahead" for cls, _, _ in items[2:] if cls != "skipped")


def test_animal_page_shows_evidence_milestone_and_history(client, owner, household, whisk_with_history):
    client.force_login(owner)
    body = text(client.get(reverse("animal", args=[household.public_id, whisk_with_history.public_id])))
    prog = progress_of(whisk_with_history, today())
    assert "Why: the evidence" in body
    for line in prog.evidence.for_moving:
        assert line in body
    assert "1 of 6 qualifying sessions" in body
    assert "Next milestone" in body
    assert prog.next_milestone.title in body
    assert "Treats closer, then from your fingers" in body
    assert "Step history" in body
    assert "started at Settling in" in body
    assert "up to Treats with your hand in the cage" in body
    arrived = today() - timedelta(days=5)
    assert f"{arrived.day} {arrived:%b %Y} — started at Settling in" in body


def test_animal_page_lists_sessions_with_edit_and_delete_for_writers(
    client, owner, carer, viewer, household, whisk_with_history
):
    session = whisk_with_history.sessions.get()
    url = reverse("animal", args=[household.public_id, whisk_with_history.public_id])
    edit = reverse("session_edit", args=[household.public_id, session.public_id])
    delete = reverse("session_delete", args=[household.public_id, session.public_id])
    for keeper, writes in ((owner, True), (carer, True), (viewer, False)):
        client.force_login(keeper)
        body = client.get(url).content.decode()
        flat = text(client.get(url))
        assert "Sniffed my sleeve" in flat
        assert "Treats in the cage, hand inside" in flat and "Took a treat" in flat
        assert "olive-owner" in flat
        assert (f'href="{edit}">Edit</a>' in body) is writes
        assert (f'href="{delete}">Delete</a>' in body) is writes
        assert ("Edit details" in body) is writes
        assert ('type="file" name="photo"' in body) is writes


def test_animal_page_without_sessions(client, owner, household):
    rat = make_animal(household, today=today(), name="Newbie", days_ago=0)
    client.force_login(owner)
    body = text(client.get(reverse("animal", args=[household.public_id, rat.public_id])))
    assert "No sessions yet." in body
    assert "Settling in: handling starts on" in body
    assert "No photo yet" in body


def test_animal_page_for_an_unknown_id_is_404(client, owner, household):
    client.force_login(owner)
    assert client.get(reverse("animal", args=[household.public_id, "nope"])).status_code == 404


# --- Charts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["holds", "sessions", "signs", "steps"])
def test_each_chart_is_svg_that_parses(client, owner, household, whisk_with_history, name):
    client.force_login(owner)
    response = client.get(reverse("animal_chart", args=[household.public_id, whisk_with_history.public_id, name]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag.endswith("svg")
    body = response.content.decode()
    assert "<script" not in body.lower()


def test_the_animal_page_embeds_every_chart(client, owner, household, whisk_with_history):
    client.force_login(owner)
    body = client.get(reverse("animal", args=[household.public_id, whisk_with_history.public_id])).content.decode()
    for name in ("holds", "sessions", "signs", "steps"):
        assert reverse("animal_chart", args=[household.public_id, whisk_with_history.public_id, name]) in body


# --- Guide ---------------------------------------------------------------------------------------


def test_guide_index_lists_both_ladders(client):
    response = client.get(reverse("guide_index"))
    assert response.status_code == 200
    body, raw = text(response), response.content.decode()
    assert "Rat handling ladder" in body and "Mouse handling ladder" in body
    assert reverse("guide", args=["rat"]) in raw and reverse("guide", args=["mouse"]) in raw


@pytest.mark.parametrize("species", ["rat", "mouse"])
def test_guide_species_page_lists_every_step(client, species):
    response = client.get(reverse("guide", args=[species]))
    assert response.status_code == 200
    body = text(response)
    protocol = shipped_protocol(species)
    assert protocol.title in body
    for step in protocol.steps:
        assert step.title in body
        assert reverse("guide_step", args=[species, step.id]) in response.content.decode()
    assert "Settling-in days" in body


def test_guide_step_page(client):
    steps = shipped_protocol("rat").steps
    index = [s.id for s in steps].index("petting")
    response = client.get(reverse("guide_step", args=["rat", "petting"]))
    assert response.status_code == 200
    body = text(response)
    assert f"step {index + 1} of {len(steps)}" in body
    assert "<h1>Petting</h1>" in response.content.decode()
    assert "Why" in body and "What to do" in body
    assert "Then a few gentle strokes along the back, twice today" in body
    assert steps[index - 1].title in body and steps[index + 1].title in body


@pytest.mark.parametrize(
    "url", ["/guide/hamster/", "/guide/hamster/petting/", "/guide/rat/flying/", "/guide/mouse/no-such-step/"]
)
def test_guide_unknown_species_or_step_is_404(client, url):
    assert client.get(url).status_code == 404


# --- Home, welcome, login ------------------------------------------------------------------------


def test_home_for_anonymous_is_the_welcome_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Tame your rats and mice" in text(response)
    raw = response.content.decode()
    assert f'href="{reverse("signup")}"' in raw and f'href="{reverse("login")}"' in raw


def test_home_with_one_household_goes_to_today(client, owner, household):
    client.force_login(owner)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("today", args=[household.public_id])


def test_home_with_several_households_goes_to_the_list(client, owner, household):
    second = create_household(keeper=owner, name="Lab B")
    client.force_login(owner)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("households")
    page = client.get(reverse("households"))
    assert "Maple Street" in text(page) and "Lab B" in text(page)
    assert f'href="{reverse("today", args=[second.public_id])}"' in page.content.decode()


def test_home_with_no_household_goes_to_the_list(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("households")
    assert "You are not in a household yet" in text(client.get(reverse("households")))


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body and 'name="password"' in body
    assert reverse("password_reset") in body


def test_signup_page_renders(client):
    response = client.get(reverse("signup"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body and 'name="password1"' in body and 'name="password2"' in body


def test_people_page_lists_members_and_roles(client, viewer, household):
    client.force_login(viewer)
    body = text(client.get(reverse("members", args=[household.public_id])))
    for name, role in (("olive-owner", "Owner"), ("carl-carer", "Carer"), ("vera-viewer", "Viewer")):
        assert f"{name} {role}" in body
