"""What a keeper tapped on the session screen survives a reload or a second device."""

from django.urls import reverse

from gentling.models import OpenSession, Session


def test_taps_survive_a_reload(client, owner, household, rat):
    client.force_login(owner)
    start = client.post(reverse("session_start", args=[household.public_id]), {"animals": [rat.public_id]})
    timer = OpenSession.objects.get()
    assert start.url == reverse("session_open", args=[household.public_id, timer.public_id])
    check = reverse("session_check", args=[household.public_id, timer.public_id])
    client.post(
        check,
        {
            "activities": ["talked", "treat_in_cage"],
            "observations": ["took_treat"],
            "holds": "3, 4",
            "notes": "calm today",
        },
    )
    page = client.get(start.url).content.decode()
    assert 'value="treat_in_cage" checked' in page
    assert 'value="took_treat" checked' in page
    assert 'value="3, 4"' in page
    assert "calm today" in page
    assert Session.objects.count() == 0  # a draft is not a saved session


def test_a_draft_is_bounded_and_never_trusted(client, owner, household, rat):
    client.force_login(owner)
    client.post(reverse("session_start", args=[household.public_id]), {"animals": [rat.public_id]})
    timer = OpenSession.objects.get()
    check = reverse("session_check", args=[household.public_id, timer.public_id])
    client.post(check, {"activities": ["juggling"] * 500, "notes": "x" * 10000})
    timer.refresh_from_db()
    assert len(timer.draft["activities"]) <= 60
    assert len(timer.draft["notes"][0]) <= 2000
    page = client.get(reverse("session_open", args=[household.public_id, timer.public_id]))
    assert page.status_code == 200
