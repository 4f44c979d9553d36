"""The short add-animal form (issue 14, part 3): what a keeper knows on day one first, the rest
under "More details"; cages chosen from a list; "Add another that arrived with her"."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse

from gentling.models import Animal, Cage
from tests.factories import make_animal

from .helpers import messages_of, today


def _new(household) -> str:
    return reverse("animal_new", args=[household.public_id])


def _form(**over) -> dict:
    return {
        "name": "Luna",
        "species": "rat",
        "sex": "female",
        "source": "breeder",
        "arrival_date": (today() - timedelta(days=1)).isoformat(),
        "cage": "",
        "new_cage": "",
        "status": "active",
        **over,
    }


def _fields_in(html: str) -> list[str]:
    return re.findall(r'name="([a-z_]+)"', html)


def test_the_first_fields_are_the_six_a_keeper_knows_the_rest_wait_under_more_details(client, owner, household):
    client.force_login(owner)

    body = client.get(_new(household)).content.decode()

    form = body[body.index('id="animal-form"') :]
    first, more = form.split('<details class="more"', 1)
    more = more.split("</details>", 1)[0]
    assert [f for f in _fields_in(first) if f not in ("csrfmiddlewaretoken", "once", "status")] == [
        "name",
        "species",
        "sex",
        "source",
        "arrival_date",
        "cage",
        "new_cage",
    ]
    assert {"birth_date", "birth_date_estimated", "neutered_on", "notes", "extended_hold_opt_in"} <= set(
        _fields_in(more)
    )
    assert "air_space" not in body  # a first animal has no others to be quarantined from
    assert re.search(r'<p data-only-sex="male">\s*<label for="id_neutered_on"', more)


def test_the_quarantine_question_is_asked_once_others_live_here(client, owner, household, rat):
    client.force_login(owner)

    assert 'name="air_space"' in client.get(_new(household)).content.decode()


def test_cages_are_chosen_from_a_list_with_new_cage_as_an_explicit_choice(client, owner, household, rat):
    client.force_login(owner)

    body = client.get(_new(household)).content.decode()

    select = re.search(r'<select name="cage"[^>]*>(.*?)</select>', body, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "Top Deck", "__new__"]
    assert "New cage…" in select


def test_a_new_cage_by_an_existing_name_is_that_cage(client, owner, household, rat):
    client.force_login(owner)

    client.post(_new(household), _form(cage="__new__", new_cage="  top deck ", override_reason="Sisters"))

    assert Cage.objects.filter(household=household).count() == 1
    assert Animal.objects.get(name="Luna").cage.name == "Top Deck"


def test_a_new_cage_without_a_name_is_refused_plainly(client, owner, household):
    client.force_login(owner)

    response = client.post(_new(household), _form(cage="__new__"))

    assert response.status_code == 200
    assert "New cage: write its name, or choose a cage from the list." in response.content.decode()
    assert not Animal.objects.exists()


def test_a_cage_that_is_not_the_households_is_refused(client, owner, household, other_household):
    client.force_login(owner)

    response = client.post(_new(household), _form(cage="Elsewhere's cage"))

    assert response.status_code == 200 and not Animal.objects.filter(household=household).exists()
    assert "Cage: Select a valid choice." in response.content.decode()


def test_add_another_that_arrived_with_her_copies_the_shared_fields(client, owner, household):
    client.force_login(owner)
    birth = (today() - timedelta(days=70)).isoformat()

    response = client.post(
        _new(household),
        _form(cage="__new__", new_cage="Duo", birth_date=birth, birth_date_estimated="on", another="1"),
    )

    luna = Animal.objects.get(name="Luna")
    assert response["Location"] == _new(household) + f"?like={luna.public_id}"
    page = client.get(response["Location"])
    assert "Now the one that arrived with Luna." in messages_of(page)
    body = page.content.decode()
    assert re.search(r'<option value="breeder" selected>', body)
    assert f'value="{luna.arrival_date.isoformat()}"' in body
    assert f'value="{birth}"' in body
    assert re.search(r'<option value="Duo" selected>', body)
    assert 'name="name"' in body and 'value="Luna"' not in body  # her own name, not Luna's

    client.post(_new(household), _form(name="Nova", cage="Duo", birth_date=birth))
    assert Animal.objects.get(name="Nova").cage == luna.cage  # arrived together: one group


def test_another_of_an_animal_of_another_household_is_404(client, owner, household, other_household):
    stranger = make_animal(other_household, today=today(), name="Stranger")
    client.force_login(owner)

    assert client.get(_new(household) + f"?like={stranger.public_id}").status_code == 404


def test_a_new_household_proposes_the_devices_time_zone(client, owner):
    client.force_login(owner)

    body = client.get(reverse("households")).content.decode()

    assert re.search(r'<select name="time_zone"[^>]*data-propose-zone="yes"', body)
    assert 'id="zone-proposed"' in body
