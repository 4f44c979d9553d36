"""Adding and editing animals through the web: the same rules, and the same words, as the CLI.
Photo uploads: a real picture is stored and served back; anything else is refused."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from gentling.cli.main import main as cli_main
from gentling.models import Animal, Photo
from tests.factories import log, make_animal

from .helpers import db_state, messages_of, png_bytes, text, today


def _form(**over) -> dict:
    data = {
        "name": "Nibbles",
        "species": "rat",
        "sex": "female",
        "source": "pet_store",
        "arrival_date": (today() - timedelta(days=2)).isoformat(),
        "birth_date": "",
        "cage": "",
        "status": "active",
        "notes": "",
    }
    data.update(over)
    return data


def field_errors(body: str, field: str) -> str:
    """The error text shown in the form row of `field`."""
    m = re.search(r'<p[^>]*>((?:(?!</p>).)*?id="id_' + field + r'"(?:(?!</p>).)*)</p>', body, re.S)
    assert m, f"no form row for {field}"
    errors = re.findall(r'<span class="errorlist"[^>]*>(.*?)</span>', m.group(1), re.S)
    return " ".join(errors)


def cli_error(monkeypatch, keeper, *argv) -> str:
    """What the command line says to the same input (its JSON error)."""
    monkeypatch.setenv("GENTLING_KEEPER", keeper.username)
    out = io.StringIO()
    code = cli_main([*argv, "--json"], stdout=out)
    assert code == 1, out.getvalue()
    return json.loads(out.getvalue())["error"]


LONG = "N" * 101
BAD_INPUTS = [
    pytest.param(
        {"name": LONG}, ["animal", "add", LONG, "--species", "rat", "--source", "pet_store"], "name", id="name-over-100"
    ),
    pytest.param(
        {"arrival_date": "{tomorrow}"},
        ["animal", "add", "Nibbles", "--species", "rat", "--source", "pet_store", "--arrived", "{tomorrow}"],
        "arrival_date",
        id="arrival-in-the-future",
    ),
    pytest.param(
        {"arrival_date": "{5_days_ago}", "birth_date": "{2_days_ago}"},
        [
            "animal",
            "add",
            "Nibbles",
            "--species",
            "rat",
            "--source",
            "pet_store",
            "--arrived",
            "{5_days_ago}",
            "--born",
            "{2_days_ago}",
        ],
        "birth_date",
        id="birth-after-arrival",
    ),
    pytest.param(
        {"arrival_date": "{7_years_ago}"},
        ["animal", "add", "Nibbles", "--species", "rat", "--source", "pet_store", "--arrived", "{7_years_ago}"],
        "arrival_date",
        id="arrival-7-years-ago",
    ),
    pytest.param(
        {"cage": "__new__", "new_cage": "C" * 101},
        ["animal", "add", "Nibbles", "--species", "rat", "--source", "pet_store", "--cage", "C" * 101],
        "new_cage",
        id="cage-name-over-100",
    ),
]


def _dates(value: str) -> str:
    t = today()
    return value.format(
        tomorrow=(t + timedelta(days=1)).isoformat(),
        **{
            "5_days_ago": (t - timedelta(days=5)).isoformat(),
            "2_days_ago": (t - timedelta(days=2)).isoformat(),
            "7_years_ago": (t - timedelta(days=7 * 365)).isoformat(),
        },
    )


@pytest.mark.parametrize("web, cli, field", BAD_INPUTS)
def test_adding_refuses_what_the_cli_refuses_with_the_same_message(
    client, monkeypatch, owner, household, web, cli, field
):
    message = cli_error(monkeypatch, owner, *[_dates(a) for a in cli])
    before = db_state()
    client.force_login(owner)
    response = client.post(
        reverse("animal_new", args=[household.public_id]), _form(**{k: _dates(v) for k, v in web.items()})
    )
    assert response.status_code == 200
    assert field_errors(response.content.decode(), field) == escape(message)
    assert db_state() == before
    assert not Animal.objects.exists()


@pytest.mark.parametrize("value", ["2026-13-45", "next tuesday", "25/11/2026x", "2026-02-30"])
def test_an_invalid_date_string_is_an_error_and_saves_nothing(client, owner, household, value):
    client.force_login(owner)
    response = client.post(reverse("animal_new", args=[household.public_id]), _form(arrival_date=value))
    assert response.status_code == 200
    assert field_errors(response.content.decode(), "arrival_date")
    assert not Animal.objects.exists()
    response = client.post(reverse("animal_new", args=[household.public_id]), _form(birth_date=value))
    assert field_errors(response.content.decode(), "birth_date")
    assert not Animal.objects.exists()


def test_adding_an_animal_redirects_and_saves_it(client, owner, household):
    client.force_login(owner)
    data = _form(
        name="  Nibbles  ",
        birth_date=(today() - timedelta(days=60)).isoformat(),
        cage="__new__",
        new_cage="Lower Deck",
        notes="Likes peas",
        birth_date_estimated="on",
    )
    response = client.post(reverse("animal_new", args=[household.public_id]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("today", args=[household.public_id])
    animal = Animal.objects.get()
    assert (animal.name, animal.species, animal.sex, animal.source) == ("Nibbles", "rat", "female", "pet_store")
    assert animal.arrival_date == today() - timedelta(days=2)
    assert animal.birth_date == today() - timedelta(days=60) and animal.birth_date_estimated
    assert animal.cage.name == "Lower Deck" and animal.notes == "Likes peas" and animal.status == "active"
    assert animal.household == household
    page = client.get(response["Location"])
    assert "Nibbles is in. Here is the plan for today." in messages_of(page)
    assert "Nibbles" in text(page)


def test_the_add_form_starts_on_today(client, owner, household):
    client.force_login(owner)
    body = client.get(reverse("animal_new", args=[household.public_id])).content.decode()
    assert f'value="{today().isoformat()}"' in body
    assert 'name="status" value="active"' in body


@pytest.fixture
def whisk(household):
    return make_animal(household, today=today(), name="Whiskerina", cage="Top Deck", days_ago=5, sex="female")


def _edit_form(animal, **over) -> dict:
    data = {
        "name": animal.name,
        "species": animal.species,
        "sex": animal.sex,
        "source": animal.source,
        "arrival_date": animal.arrival_date.isoformat(),
        "birth_date": animal.birth_date.isoformat() if animal.birth_date else "",
        "cage": animal.cage.name if animal.cage else "",
        "status": animal.status,
        "notes": animal.notes,
    }
    data.update(over)
    return data


def test_the_edit_form_is_filled_in(client, owner, household, whisk):
    client.force_login(owner)
    body = client.get(reverse("animal_edit", args=[household.public_id, whisk.public_id])).content.decode()
    assert 'value="Whiskerina"' in body
    assert 'value="Top Deck"' in body
    assert f'value="{whisk.arrival_date.isoformat()}"' in body


def test_editing_saves_and_redirects_to_the_animal(client, owner, household, whisk):
    client.force_login(owner)
    url = reverse("animal_edit", args=[household.public_id, whisk.public_id])
    response = client.post(url, _edit_form(whisk, name="Whiskers II", notes="Shy", sex="male"))
    assert response.status_code == 302
    assert response["Location"] == reverse("animal", args=[household.public_id, whisk.public_id])
    whisk.refresh_from_db()
    assert (whisk.name, whisk.notes, whisk.sex) == ("Whiskers II", "Shy", "male")
    assert "Saved Whiskers II." in messages_of(client.get(response["Location"]))


@pytest.mark.parametrize(
    "over, field, words",
    [
        ({"name": LONG}, "name", "Name is 101 characters long; the limit is 100."),
        ({"arrival_date": "{tomorrow}"}, "arrival_date", "is in the future"),
        ({"birth_date": "{2_days_ago}"}, "birth_date", "is after the arrival date"),
        ({"arrival_date": "not a date"}, "arrival_date", "valid date"),
    ],
    ids=["name-over-100", "future-arrival", "birth-after-arrival", "invalid-date"],
)
def test_editing_refuses_bad_input_and_changes_nothing(client, owner, household, whisk, over, field, words):
    client.force_login(owner)
    before = db_state()
    response = client.post(
        reverse("animal_edit", args=[household.public_id, whisk.public_id]),
        _edit_form(whisk, **{k: _dates(v) for k, v in over.items()}),
    )
    assert response.status_code == 200
    assert escape(words) in field_errors(response.content.decode(), field)
    assert db_state() == before


def test_the_arrival_cannot_move_after_the_first_session(client, owner, household, whisk):
    log(owner, household, [whisk], now=timezone.now(), ago=timedelta(days=4))
    client.force_login(owner)
    before = db_state()
    response = client.post(
        reverse("animal_edit", args=[household.public_id, whisk.public_id]),
        _edit_form(whisk, arrival_date=(today() - timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 200
    assert "Sessions were logged from" in field_errors(response.content.decode(), "arrival_date")
    assert db_state() == before


def test_moving_into_a_cage_with_another_active_animal_shows_the_housing_message(owner, household, whisk):
    """Either saved with the housing warning, or refused on the form with the housing reason;
    never a crash, never silent."""
    nutmeg = make_animal(
        household, today=today(), name="Nutmeg", source="pet_store", sex="female", cage="Bottom Deck", days_ago=6
    )
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    before = db_state()
    response = client.post(
        reverse("animal_edit", args=[household.public_id, nutmeg.public_id]),
        _edit_form(nutmeg, cage="Top Deck"),
        follow=True,
    )
    assert response.status_code == 200, "moving in with another animal crashed the page"
    nutmeg.refresh_from_db()
    if response.redirect_chain:  # saved: the warning is among the messages
        assert nutmeg.cage.name == "Top Deck"
        shown = " ".join(messages_of(response))
    else:  # refused: the reason is on the form, and nothing changed
        assert db_state() == before
        body = response.content.decode()
        shown = field_errors(body, "cage") + " ".join(
            re.findall(r'<div class="alert stop" role="alert">(.*?)</div>', body, re.S)
        )
    assert re.search(r"quarantin|introduc", shown, re.I), f"no housing message in {shown!r}"


def test_adding_into_a_cage_with_another_active_animal_shows_the_housing_message(owner, household, whisk):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    before = db_state()
    response = client.post(reverse("animal_new", args=[household.public_id]), _form(cage="Top Deck"), follow=True)
    assert response.status_code == 200, "adding into an occupied cage crashed the page"
    if response.redirect_chain:
        assert Animal.objects.get(name="Nibbles").cage.name == "Top Deck"
        shown = " ".join(messages_of(response))
    else:
        assert db_state() == before
        body = response.content.decode()
        shown = field_errors(body, "cage") + " ".join(
            re.findall(r'<div class="alert stop" role="alert">(.*?)</div>', body, re.S)
        )
    assert re.search(r"quarantin|introduc", shown, re.I), f"no housing message in {shown!r}"


@pytest.mark.parametrize("action", ["add", "edit"])
def test_a_carer_cannot_override_the_housing_guardrail(carer, household, whisk, action):
    """Only an owner may override a refused cage move: a carer's reason is refused, on the page, not as a crash."""
    nutmeg = make_animal(
        household, today=today(), name="Nutmeg", source="pet_store", sex="female", cage="Bottom Deck", days_ago=6
    )
    client = Client(raise_request_exception=False)
    client.force_login(carer)
    before = db_state()
    if action == "add":
        url, data = reverse("animal_new", args=[household.public_id]), _form(cage="Top Deck")
    else:
        url, data = (
            reverse("animal_edit", args=[household.public_id, nutmeg.public_id]),
            _edit_form(nutmeg, cage="Top Deck"),
        )
    response = client.post(url, data | {"override_reason": "They grew up together"})
    assert response.status_code in (200, 403), f"a carer's override crashed the page ({response.status_code})"
    assert db_state() == before
    if response.status_code == 200:
        assert "Only an owner can override" in text(response)


def test_an_owner_can_override_the_housing_guardrail_with_a_reason(client, owner, household, whisk):
    nutmeg = make_animal(
        household, today=today(), name="Nutmeg", source="pet_store", sex="female", cage="Bottom Deck", days_ago=6
    )
    client.force_login(owner)
    response = client.post(
        reverse("animal_edit", args=[household.public_id, nutmeg.public_id]),
        _edit_form(nutmeg, cage="Top Deck", override_reason="Vet-supervised bonding"),
        follow=True,
    )
    assert response.status_code == 200 and response.redirect_chain
    nutmeg.refresh_from_db()
    assert nutmeg.cage.name == "Top Deck"
    from gentling.models import CageStay

    assert CageStay.objects.get(animal=nutmeg, moved_out_on__isnull=True).override_reason == "Vet-supervised bonding"


def test_moving_into_an_empty_cage_shows_no_housing_message(client, owner, household, whisk):
    client.force_login(owner)
    response = client.post(
        reverse("animal_edit", args=[household.public_id, whisk.public_id]),
        _edit_form(whisk, cage="__new__", new_cage="Palace"),
        follow=True,
    )
    assert response.status_code == 200
    whisk.refresh_from_db()
    assert whisk.cage.name == "Palace"
    assert not any(re.search(r"introduc|quarantin", m, re.I) for m in messages_of(response))


# --- Photos ----------------------------------------------------------------------------------------


def test_a_png_is_stored_and_served_back(client, owner, household, whisk):
    client.force_login(owner)
    data = png_bytes()
    response = client.post(
        reverse("animal_photo_upload", args=[household.public_id, whisk.public_id]),
        {"photo": SimpleUploadedFile("whisk.png", data, content_type="image/png")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("animal", args=[household.public_id, whisk.public_id])
    photo = Photo.objects.get(animal=whisk)
    assert photo.content_type == "image/png" and bytes(photo.data) == data
    served = client.get(reverse("animal_photo", args=[household.public_id, whisk.public_id]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served.content == data
    page = client.get(response["Location"])
    assert "Photo saved." in messages_of(page)
    assert f'src="{reverse("animal_photo", args=[household.public_id, whisk.public_id])}"' in page.content.decode()


def test_a_new_photo_replaces_the_old_one(client, owner, household, whisk):
    client.force_login(owner)
    url = reverse("animal_photo_upload", args=[household.public_id, whisk.public_id])
    client.post(url, {"photo": SimpleUploadedFile("a.png", png_bytes((1, 2, 3)), content_type="image/png")})
    second = png_bytes((200, 2, 3), size=(12, 12))
    client.post(url, {"photo": SimpleUploadedFile("b.png", second, content_type="image/png")})
    assert Photo.objects.filter(animal=whisk).count() == 1
    assert client.get(reverse("animal_photo", args=[household.public_id, whisk.public_id])).content == second


@pytest.mark.parametrize(
    "name, data, content_type",
    [
        ("notes.png", b"just some text, not a picture\n", "image/png"),
        ("empty.png", b"", "image/png"),
        ("fake.jpg", b"\xff\xd8\xff\xe0 but then nothing", "image/jpeg"),
    ],
    ids=["text-named-png", "empty-file", "truncated-jpeg"],
)
def test_a_file_that_is_not_a_picture_is_refused(client, owner, household, whisk, name, data, content_type):
    client.force_login(owner)
    response = client.post(
        reverse("animal_photo_upload", args=[household.public_id, whisk.public_id]),
        {"photo": SimpleUploadedFile(name, data, content_type=content_type)},
        follow=True,
    )
    assert response.status_code == 200
    shown = " ".join(messages_of(response))
    assert shown and "Photo saved." not in shown
    assert re.search(r"image|picture|file", shown, re.I)
    assert not Photo.objects.exists()
    assert client.get(reverse("animal_photo", args=[household.public_id, whisk.public_id])).status_code == 404


def test_a_gif_is_a_picture_but_not_one_gentling_takes(client, owner, household, whisk):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(buf, format="GIF")
    client.force_login(owner)
    response = client.post(
        reverse("animal_photo_upload", args=[household.public_id, whisk.public_id]),
        {"photo": SimpleUploadedFile("x.gif", buf.getvalue(), content_type="image/gif")},
        follow=True,
    )
    assert "That file is not a JPEG, PNG or WebP picture." in messages_of(response)
    assert not Photo.objects.exists()


def test_no_photo_is_404(client, owner, household, whisk):
    client.force_login(owner)
    assert client.get(reverse("animal_photo", args=[household.public_id, whisk.public_id])).status_code == 404
