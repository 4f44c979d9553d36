"""Accounts: sign up, households, invitation links, login throttling, password reset, logout,
and no default admin account."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gentling import keepers
from gentling.models import Household, Invite, Membership
from gentling.services.households import create_invite, revoke_invite

from .helpers import messages_of, text

User = get_user_model()
PASSWORD = "gentle-squeak-7431"


def _logged_in_as(client):
    response = client.get(reverse("households"))
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.username


# --- sign up and households --------------------------------------------------------------------------


def test_signup_logs_in_and_goes_to_households(client, db):
    response = client.post(
        reverse("signup"), {"username": "pip", "email": "pip@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("households")
    user = User.objects.get(username="pip")
    assert user.check_password(PASSWORD) and user.email == "pip@example.org"
    assert not user.is_staff and not user.is_superuser
    page = client.get(reverse("households"))
    assert page.status_code == 200 and page.wsgi_request.user == user
    assert "Welcome, pip. Create your household to begin." in messages_of(page)


@pytest.mark.parametrize(
    "over, words",
    [
        ({"password2": "something-else-9"}, "didn’t match"),
        ({"password1": "123", "password2": "123"}, "too short"),
        ({"password1": "password", "password2": "password"}, "too common"),
        ({"username": ""}, "required"),
    ],
    ids=["mismatch", "short", "common", "no-username"],
)
def test_signup_refuses_bad_passwords(client, db, over, words):
    data = {"username": "pip", "password1": PASSWORD, "password2": PASSWORD} | over
    response = client.post(reverse("signup"), data)
    assert response.status_code == 200
    assert words in text(response)
    assert not User.objects.filter(username="pip").exists()
    assert _logged_in_as(client) is None


def test_signup_refuses_a_taken_username(client, owner):
    response = client.post(
        reverse("signup"), {"username": owner.username, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert "already exists" in text(response)


@pytest.mark.parametrize("name", ["demo", "Demo", "sam-demo-carer"])
def test_nobody_signs_up_as_a_demo_keeper(client, db, name):
    """`gentling start` gives the demo login a new password and adds the demo carer to the demo
    household: an account of that name made on the web would be taken over, or given a household."""
    response = client.post(reverse("signup"), {"username": name, "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert "that name belongs to the demo household" in text(response)
    assert not User.objects.filter(username__iexact=name).exists()


def test_signup_does_not_redirect_off_site(client, db):
    """?next= comes from the invitation page's link; it must not send a new keeper to another site."""
    response = client.post(
        reverse("signup") + "?next=https://evil.example/phish",
        {"username": "pip", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert not response["Location"].startswith(("http://", "https://", "//")), response["Location"]


def test_signup_follows_a_local_next(client, owner, household):
    guide = reverse("guide", args=["rat"])
    response = client.post(
        reverse("signup") + f"?next={guide}", {"username": "pip", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response["Location"] == guide


def test_a_logged_in_keeper_skips_signup(client, owner, household):
    client.force_login(owner)
    assert client.get(reverse("signup"))["Location"] == reverse("home")


def test_creating_a_household_makes_you_its_owner(client, db):
    client.post(reverse("signup"), {"username": "pip", "password1": PASSWORD, "password2": PASSWORD})
    response = client.post(reverse("households"), {"name": "Rat Manor", "time_zone": "Europe/London"})
    household = Household.objects.get(name="Rat Manor")
    assert response.status_code == 302
    assert response["Location"] == reverse("animal_new", args=[household.public_id])
    assert household.time_zone == "Europe/London"
    membership = Membership.objects.get(household=household)
    assert (membership.keeper.username, membership.role) == ("pip", "owner")
    assert "You are owner" in text(client.get(reverse("households")))


@pytest.mark.parametrize(
    "data, words",
    [
        ({"name": "", "time_zone": "UTC"}, "required"),
        ({"name": "X" * 150, "time_zone": "UTC"}, "the limit is 100"),
        ({"name": "Home", "time_zone": "Mars/Olympus"}, "Select a valid choice"),
    ],
    ids=["no-name", "long-name", "bad-time-zone"],
)
def test_household_creation_is_checked(client, outsider, data, words):
    client.force_login(outsider)
    response = client.post(reverse("households"), data)
    assert response.status_code == 200
    assert words in text(response)
    assert not Household.objects.exists()


def test_the_same_household_name_twice_is_refused(client, owner, household):
    client.force_login(owner)
    response = client.post(reverse("households"), {"name": "Maple Street", "time_zone": "UTC"})
    assert response.status_code == 200
    assert "You already have a household called 'Maple Street'." in text(response)
    assert Household.objects.filter(name="Maple Street").count() == 1


# --- invitation links ---------------------------------------------------------------------------------


def test_an_owner_invites_a_carer_by_link(client, owner, outsider, household):
    client.force_login(owner)
    response = client.post(reverse("invite_create", args=[household.public_id]), {"role": "carer"})
    assert response.status_code == 302
    invite = Invite.objects.get()
    assert (invite.role, invite.created_by, invite.used_at) == ("carer", owner, None)
    join = reverse("join", args=[invite.token])
    members = client.get(reverse("members", args=[household.public_id]))
    assert f"http://testserver{join}" in members.content.decode()

    client.force_login(outsider)
    page = client.get(join)
    assert page.status_code == 200
    assert "Join Maple Street" in text(page) and "invited as a carer" in text(page)
    response = client.post(join)
    assert response.status_code == 302
    assert response["Location"] == reverse("today", args=[household.public_id])
    assert Membership.objects.get(household=household, keeper=outsider).role == "carer"
    invite.refresh_from_db()
    assert invite.used_by == outsider and invite.used_at is not None
    assert "You joined Maple Street." in messages_of(client.get(response["Location"]))
    # Now a carer: may write.
    assert client.get(reverse("animal_new", args=[household.public_id])).status_code == 200


def test_a_used_invitation_is_404_with_a_clear_message(client, owner, outsider, db, household):
    invite = create_invite(by=owner, household=household, role="carer")
    client.force_login(outsider)
    client.post(reverse("join", args=[invite.token]))
    third = User.objects.create_user("tess", password=PASSWORD)
    client.force_login(third)
    for method in (client.get, client.post):
        response = method(reverse("join", args=[invite.token]))
        assert response.status_code == 404
        assert "This invitation link is not valid: it was used, revoked or is over 14 days old." in text(response)
    assert not Membership.objects.filter(keeper=third).exists()


def test_an_unknown_or_revoked_invitation_is_404(client, owner, outsider, household):
    invite = create_invite(by=owner, household=household, role="viewer")
    revoke_invite(by=owner, household=household, token=invite.token)
    client.force_login(outsider)
    for token in ("no-such-token", invite.token):
        response = client.post(reverse("join", args=[token]))
        assert response.status_code == 404
        assert "Invitation not valid" in text(response)
        assert "Maple Street" not in text(response)
    assert not Membership.objects.filter(keeper=outsider).exists()


def test_an_old_invitation_is_404(client, owner, outsider, household):
    from datetime import timedelta

    from django.utils import timezone

    invite = create_invite(by=owner, household=household, role="carer")
    Invite.objects.filter(pk=invite.pk).update(created_at=timezone.now() - timedelta(days=15))
    client.force_login(outsider)
    assert client.post(reverse("join", args=[invite.token])).status_code == 404
    assert not Membership.objects.filter(keeper=outsider).exists()


def test_an_anonymous_visitor_is_asked_to_sign_up_or_log_in_to_join(client, owner, household):
    invite = create_invite(by=owner, household=household, role="carer")
    join = reverse("join", args=[invite.token])
    response = client.get(join)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{reverse("signup")}?next={join}"' in body
    assert f'href="{reverse("login")}?next={join}"' in body
    # Posting while logged out joins nobody and uses nothing up.
    client.post(join)
    assert Invite.objects.get(pk=invite.pk).used_at is None


def test_signing_up_from_an_invitation_lands_in_its_household(client, owner, household):
    invite = create_invite(by=owner, household=household, role="carer")
    join = reverse("join", args=[invite.token])
    password = "a-long-Gentle-passphrase-42"

    response = client.post(
        f"{reverse('signup')}?next={join}", {"username": "newcomer", "password1": password, "password2": password}
    )

    assert response["Location"] == reverse("today", args=[household.public_id])
    assert Membership.objects.get(keeper__username="newcomer", household=household).role == "carer"
    shown = messages_of(client.get(response["Location"]))
    assert shown == ["Welcome, newcomer. You joined Maple Street."]
    assert not any("Create your household" in m for m in shown)


def test_signing_up_from_an_invitation_used_meanwhile_opens_the_join_page_which_says_so(client, owner, household):
    invite = create_invite(by=owner, household=household, role="carer")
    join = reverse("join", args=[invite.token])
    Invite.objects.filter(pk=invite.pk).update(used_at=timezone.now())
    password = "a-long-Gentle-passphrase-42"

    response = client.post(
        f"{reverse('signup')}?next={join}", {"username": "late", "password1": password, "password2": password}
    )

    assert response["Location"] == join
    assert not Membership.objects.filter(keeper__username="late").exists()


def test_a_revoked_invitation_disappears_from_the_list(client, owner, household):
    invite = create_invite(by=owner, household=household, role="carer")
    client.force_login(owner)
    response = client.post(reverse("invite_revoke", args=[household.public_id, invite.token]))
    assert response.status_code == 302
    assert not Invite.objects.exists()
    assert invite.token not in client.get(reverse("members", args=[household.public_id])).content.decode()


# --- logging in, throttling, logging out -------------------------------------------------------------


@pytest.fixture
def lola(db):
    return User.objects.create_user("lola", email="lola@example.org", password=PASSWORD)


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_logging_in_with_the_password(client, lola):
    response = _login(client, "lola", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _logged_in_as(client) == "lola"


def test_a_login_is_kept_by_gentlings_backend_and_one_from_before_stays_logged_in(client, lola):
    from django.contrib.auth import BACKEND_SESSION_KEY

    _login(client, "lola", PASSWORD)
    assert client.session[BACKEND_SESSION_KEY] == keepers.PATH
    before = Client()  # a keeper who logged in before KeeperBackend was listed (gentling/keepers.py)
    before.force_login(lola, backend="django.contrib.auth.backends.ModelBackend")
    assert _logged_in_as(before) == "lola"
    lola.is_active = False  # either way, a keeper who may no longer log in is logged out
    lola.save()
    assert _logged_in_as(client) is None and _logged_in_as(before) is None


def test_a_wrong_password_is_hashed_once_and_counts_as_one_failure(client, lola, monkeypatch):
    checked = []
    real = User.check_password
    monkeypatch.setattr(User, "check_password", lambda user, raw: checked.append(raw) or real(user, raw))
    _login(client, "lola", "nope")
    assert checked == ["nope"]  # not tried again by ModelBackend, listed after KeeperBackend
    assert AccessAttempt.objects.get(username="lola").failures_since_start == 1


def test_a_wrong_password_is_refused_with_a_message(client, lola):
    response = _login(client, "lola", "nope")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in text(response)
    assert _logged_in_as(client) is None


def test_five_failed_logins_lock_the_username_out(client, lola):
    statuses = [_login(client, "lola", f"wrong-{i}").status_code for i in range(5)]
    assert statuses[:4] == [200] * 4
    # The fifth failure reaches the limit; from then on even the right password is refused.
    response = _login(client, "lola", PASSWORD)
    assert response.status_code == 429  # django-axes' default lockout status, with our template
    assert "Too many failed logins" in text(response)
    assert _logged_in_as(client) is None
    assert _login(client, "lola", PASSWORD).status_code == 429


def test_a_lockout_is_for_that_username_only(client, lola):
    other = User.objects.create_user("milo", password=PASSWORD)
    for i in range(5):
        _login(client, "lola", f"wrong-{i}")
    assert _login(client, "lola", PASSWORD).status_code == 429
    # Another keeper is unaffected, even one at the same address (a home shares one).
    assert _login(client, other.username, PASSWORD).status_code == 302


def test_failures_from_many_addresses_lock_the_username(client, lola):
    statuses = [_login(client, "lola", f"wrong-{i}", REMOTE_ADDR=f"203.0.113.{i + 1}").status_code for i in range(5)]
    assert statuses == [200] * 4 + [429]  # the fifth failure reaches the limit
    # Behind a proxy, or from a botnet: the username is locked wherever the next try comes from.
    assert _login(client, "lola", PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 429


def test_an_address_that_fails_often_is_locked_whatever_the_usernames(client, lola):
    for i in range(20):  # one guess at each of twenty usernames: no username reaches its limit
        _login(client, f"keeper-{i}", "password1", REMOTE_ADDR="203.0.113.66")
    assert _login(client, "lola", PASSWORD, REMOTE_ADDR="203.0.113.66").status_code == 429
    assert _login(client, "lola", PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_nineteen_failures_from_one_address_do_not_lock_it(client, lola):
    for i in range(19):
        _login(client, f"keeper-{i}", "password1", REMOTE_ADDR="203.0.113.66")
    assert _login(client, "lola", PASSWORD, REMOTE_ADDR="203.0.113.66").status_code == 302


def test_logging_in_as_yourself_does_not_clear_failures_against_another_keeper(client, lola):
    """Sign-up is open: a guesser with an account must not reset the count between guesses."""
    User.objects.create_user("eve", password=PASSWORD)
    for i in range(4):
        _login(client, "lola", f"wrong-{i}")
    assert _login(client, "eve", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    _login(client, "lola", "wrong-4")
    assert _login(client, "lola", PASSWORD).status_code == 429


def test_a_spoofed_forwarded_for_is_ignored_without_a_proxy_count(client, lola, settings):
    settings.GENTLING_TRUSTED_PROXY_COUNT = 0
    # Rotating the header does not spread the failures over many addresses...
    for i in range(20):
        _login(client, f"keeper-{i}", "password1", REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    assert (
        _login(client, "lola", PASSWORD, REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="192.0.2.200").status_code
        == 429
    )
    # ...and does not pin the blame on the address it names.
    assert _login(client, "lola", PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 302


def test_with_a_proxy_count_the_address_the_proxy_saw_is_used(client, lola, settings):
    settings.GENTLING_TRUSTED_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    for i in range(20):
        # The client wrote the left entry itself; the proxy appended the address it was reached from.
        _login(
            client, f"keeper-{i}", "password1", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}, 203.0.113.66"
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    assert _login(client, "lola", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.66").status_code == 429
    # Another client behind the same proxy is not locked out with them.
    assert _login(client, "lola", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 302


def test_a_successful_login_resets_the_count(client, lola):
    for i in range(4):
        _login(client, "lola", f"wrong-{i}")
    assert _login(client, "lola", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for i in range(4):
        assert _login(client, "lola", f"again-{i}").status_code == 200
    assert _login(client, "lola", PASSWORD).status_code == 302


def test_logout_is_a_post(client, lola):
    _login(client, "lola", PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    assert _logged_in_as(client) == "lola"
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert _logged_in_as(client) is None
    assert client.get(reverse("households"))["Location"].startswith(reverse("login"))


# --- password reset -----------------------------------------------------------------------------------


def test_password_reset_sends_a_working_link(client, lola):
    response = client.post(reverse("password_reset"), {"email": "lola@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lola@example.org"]
    link = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert link, message.body
    assert "Someone asked to reset the Gentling password for lola." in message.body

    step = client.get(link.group(1))
    assert step.status_code == 302  # Django hides the token in the session
    form = client.get(step["Location"])
    assert form.status_code == 200 and "Choose a new password" in text(form)
    new = "another-quiet-nibble-55"
    done = client.post(step["Location"], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    lola.refresh_from_db()
    assert lola.check_password(new)
    assert _login(client, "lola", new).status_code == 302
    # The link works once.
    client.post(reverse("logout"))
    again = client.get(link.group(1), follow=True)
    assert "This reset link is not valid any more" in text(again)


def test_password_reset_email_has_gentlings_subject(client, lola):
    """templates/registration/password_reset_subject.txt says "Reset your Gentling password"."""
    client.post(reverse("password_reset"), {"email": "lola@example.org"})
    assert mail.outbox[0].subject == "Reset your Gentling password"


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, lola):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_changing_the_password_needs_a_login(client, lola):
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("login"))
    client.force_login(lola)
    new = "brand-new-whisker-88"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    lola.refresh_from_db()
    assert lola.check_password(new)


# --- no default accounts -----------------------------------------------------------------------------


def test_there_is_no_admin_account_after_migrations(db):
    assert not User.objects.filter(username__iexact="admin").exists()
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(is_staff=True).exists()
    assert User.objects.count() == 0


def test_there_is_no_admin_site(client, db):
    assert client.get("/admin/").status_code == 404
