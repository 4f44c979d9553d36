"""A web form sent twice counts once (web/once.py, services/idempotency.py).

Every form that writes household data carries a one-time token, new each time the form is
shown. A double tap, or a browser sending the form again after a lost connection, sends the
same token: the second gets the first answer (a redirect) and writes nothing."""

from __future__ import annotations

import io
import random
import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.test.client import encode_multipart
from django.urls import reverse
from django.utils import timezone
from PIL import Image

import gentling
from gentling.models import Animal, CalendarFeed, IdempotencyKey, Invite, OpenSession, Session
from gentling.services import idempotency
from gentling.services.households import create_invite, local_keeper
from gentling.web.once import TWICE

from .helpers import World, db_state, messages_of, png_bytes, text
from .test_permissions import CASES

TEMPLATES = Path(gentling.__file__).parent / "templates"
WRITES = [c for c in CASES if c.method == "POST" and c.changes]


def new_token() -> str:
    return uuid.uuid4().hex


def _post(client, case, w: World, once: str):
    return client.post(case.url(w), {**(case.data(w) if case.data else {}), "once": once})


def _animal(name="Nibbles") -> dict:
    return {
        "name": name,
        "species": "rat",
        "sex": "female",
        "source": "pet_store",
        "status": "active",
        "arrival_date": (timezone.now().date() - timedelta(days=2)).isoformat(),
    }


class _Forms(HTMLParser):
    """Each form of a page: its method, and the values of its `once` fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(((a.get("method") or "get").lower(), []))
        elif tag == "input" and a.get("name") == "once" and self.forms:
            self.forms[-1][1].append(a.get("value") or "")


def forms_of(response) -> list[tuple[str, list[str]]]:
    parser = _Forms()
    parser.feed(response.content.decode())
    return parser.forms


def tokens_on(response) -> list[str]:
    """The tokens of the page's POST forms, in order."""
    return [t for method, tokens in forms_of(response) if method == "post" for t in tokens]


# --- the same token twice --------------------------------------------------------------------------


@pytest.mark.parametrize("case", WRITES, ids=[c.id for c in WRITES])
def test_a_form_sent_twice_with_its_token_writes_once(client, owner, world, case):
    client.force_login(owner)
    once = new_token()
    first = _post(client, case, world, once)
    written = db_state()
    again = _post(client, case, world, once)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert db_state() == written, "the second send wrote something"
    assert IdempotencyKey.objects.filter(key=once).count() == 1


@pytest.mark.parametrize(
    "name, data",
    [
        ("households", {"name": "Second home", "time_zone": "UTC"}),
        ("calendar_new", {}),
        ("calendar_off", {}),
    ],
)
def test_forms_outside_the_matrix_write_once_too(client, owner, world, name, data):
    client.force_login(owner)
    url = reverse(name) if name == "households" else reverse(name, args=[world.hid])
    once = new_token()
    first = client.post(url, {**data, "once": once})
    written = db_state(), list(CalendarFeed.objects.values_list())
    again = client.post(url, {**data, "once": once})
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert (db_state(), list(CalendarFeed.objects.values_list())) == written


def test_joining_twice_with_one_token_joins_once(client, owner, household):
    newcomer = local_keeper("nina-newcomer")
    invite = create_invite(by=owner, household=household, role="carer")
    client.force_login(newcomer)
    url = reverse("join", args=[invite.token])
    once = new_token()
    first = client.post(url, {"once": once})
    again = client.post(url, {"once": once})
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert household.memberships.filter(keeper=newcomer).count() == 1


def test_the_second_send_is_told_only_the_first_counted(client, owner, household):
    client.force_login(owner)
    url = reverse("animal_new", args=[household.public_id])
    once = new_token()
    client.post(url, {**_animal(), "once": once})
    page = client.post(url, {**_animal(), "once": once}, follow=True)
    assert TWICE in messages_of(page)
    assert Animal.objects.filter(name="Nibbles").count() == 1


def test_a_double_tap_on_save_stores_the_session_once(client, owner, world):
    client.force_login(owner)
    url = reverse("session_open", args=[world.hid, world.open_sid])
    once = tokens_on(client.get(url))[0]  # the session form's; then the discard form's
    before = Session.objects.count()
    first = client.post(url, {"activities": ["talked"], "once": once})
    again = client.post(url, {"activities": ["talked"], "once": once})
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert Session.objects.count() == before + 1


# --- a fresh token is a new write -------------------------------------------------------------------


def test_each_fresh_token_is_a_new_write(client, owner, world):
    client.force_login(owner)
    for url, data in [
        (reverse("animal_new", args=[world.hid]), _animal()),
        (reverse("invite_create", args=[world.hid]), {"role": "viewer"}),
        (reverse("session_start", args=[world.hid]), {"animals": [world.mouse_aid]}),
    ]:
        for _ in range(2):
            assert client.post(url, {**data, "once": new_token()}).status_code == 302
    assert Animal.objects.filter(name="Nibbles").count() == 2
    assert Invite.objects.filter(role="viewer").count() == 2
    assert OpenSession.objects.filter(animals__public_id=world.mouse_aid).count() == 2


def test_a_form_without_a_token_goes_through_as_before(client, owner, household):
    client.force_login(owner)
    url = reverse("animal_new", args=[household.public_id])
    for _ in range(2):
        assert client.post(url, _animal()).status_code == 302
    assert Animal.objects.filter(name="Nibbles").count() == 2
    assert not IdempotencyKey.objects.exists()


# --- errors, other keepers, other values --------------------------------------------------------------


def test_a_form_shown_again_with_errors_keeps_no_token_and_the_corrected_one_is_saved(client, owner, household):
    client.force_login(owner)
    url = reverse("animal_new", args=[household.public_id])
    once = new_token()
    wrong = client.post(url, {**_animal(name=""), "once": once})
    assert wrong.status_code == 200 and "Name: This field is required." in text(wrong)
    assert not IdempotencyKey.objects.exists()
    [fresh] = tokens_on(wrong)
    assert fresh != once
    assert client.post(url, {**_animal(), "once": fresh}).status_code == 302
    assert Animal.objects.filter(name="Nibbles").count() == 1
    # Sent again with the token of the page with the error, the corrected form is saved too.
    assert client.post(url, {**_animal(name="Pip"), "once": once}).status_code == 302
    assert Animal.objects.filter(name="Pip").count() == 1


def test_another_keepers_same_token_is_their_own_write(client, owner, carer, household):
    url = reverse("animal_new", args=[household.public_id])
    once = new_token()
    client.force_login(owner)
    client.post(url, {**_animal(), "once": once})
    client.force_login(carer)
    theirs = client.post(url, {**_animal(), "once": once}, follow=True)
    assert TWICE not in messages_of(theirs)
    assert Animal.objects.filter(name="Nibbles").count() == 2
    assert set(IdempotencyKey.objects.values_list("scope", flat=True)) == {f"web:{owner.pk}", f"web:{carer.pk}"}


def test_the_same_token_with_other_values_is_refused_and_writes_nothing(client, owner, household):
    client.force_login(owner)
    url = reverse("animal_new", args=[household.public_id])
    once = new_token()
    client.post(url, {**_animal(), "once": once})
    before = db_state()
    other = client.post(url, {**_animal(name="Pip"), "once": once})
    assert other.status_code == 409
    assert "already sent" in text(other)
    assert db_state() == before


def test_a_token_gentling_did_not_make_is_refused(client, owner, household):
    client.force_login(owner)
    before = db_state()
    response = client.post(reverse("animal_new", args=[household.public_id]), {**_animal(), "once": "x" * 300})
    assert response.status_code == 400
    assert db_state() == before


def test_a_second_send_still_needs_the_csrf_check(owner, household):
    url = reverse("animal_new", args=[household.public_id])
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(owner)
    page = phone.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    [once] = tokens_on(phone.get(url))
    data = {**_animal(), "csrfmiddlewaretoken": csrf, "once": once}
    assert phone.post(url, data).status_code == 302
    stranger = Client(enforce_csrf_checks=True)  # the same keeper's login, but not this phone's CSRF cookie
    stranger.force_login(owner)
    assert stranger.post(url, data).status_code == 403
    assert phone.post(url, data).status_code == 302
    assert Animal.objects.filter(name="Nibbles").count() == 1


# --- what goes through without a token ---------------------------------------------------------------


def test_the_session_screens_live_check_keeps_no_token(client, owner, world):
    client.force_login(owner)
    once = new_token()
    check = client.post(
        reverse("session_check", args=[world.hid, world.open_sid]),
        {"activities": ["talked"], "once": once},
        HTTP_HX_REQUEST="true",
    )
    assert check.status_code == 200
    assert not IdempotencyKey.objects.exists()
    assert OpenSession.objects.get(public_id=world.open_sid).draft  # the draft it saves is kept
    saved = client.post(
        reverse("session_open", args=[world.hid, world.open_sid]), {"activities": ["talked"], "once": once}
    )
    assert saved.status_code == 302 and IdempotencyKey.objects.filter(key=once).exists()


def _photo_body(boundary: str, once: str, image: bytes) -> bytes:
    return encode_multipart(
        boundary, {"photo": SimpleUploadedFile("p.png", image, content_type="image/png"), "once": once}
    )


def test_a_photo_sent_again_in_a_new_envelope_counts_once(client, owner, world):
    """A browser picks a new multipart boundary each time it sends a file: the form's values count."""
    client.force_login(owner)
    url = reverse("animal_photo_upload", args=[world.hid, world.aid])
    once, image = new_token(), png_bytes(color=(1, 2, 3))
    first = client.post(
        url, _photo_body("first-envelope", once, image), content_type="multipart/form-data; boundary=first-envelope"
    )
    again = client.post(
        url,
        _photo_body("second-envelope", once, image),
        content_type="multipart/form-data; boundary=second-envelope",
        follow=True,
    )
    assert first.status_code == 302 and again.status_code == 200
    assert TWICE in messages_of(again)  # told so: the second was not run


def test_a_body_over_the_memory_limit_goes_through_without_its_token(client, owner, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    rng = random.Random(7)
    noise = Image.frombytes("RGB", (64, 64), bytes(rng.randrange(256) for _ in range(64 * 64 * 3)))
    buf = io.BytesIO()
    noise.save(buf, format="PNG")
    assert len(buf.getvalue()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client.force_login(owner)
    url = reverse("animal_photo_upload", args=[world.hid, world.aid])
    once = new_token()
    for _ in range(2):
        response = client.post(
            url,
            {"photo": SimpleUploadedFile("big.png", buf.getvalue(), content_type="image/png"), "once": once},
            follow=True,
        )
        assert "Photo saved." in messages_of(response)
    assert not IdempotencyKey.objects.exists()


def test_a_database_that_cannot_answer_is_the_503_page(client, owner, household, monkeypatch):
    def unavailable(**_):
        raise OperationalError("database is locked")

    monkeypatch.setattr(idempotency, "answer_once", unavailable)
    client.force_login(owner)
    response = client.post(reverse("animal_new", args=[household.public_id]), {**_animal(), "once": new_token()})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert not Animal.objects.filter(name="Nibbles").exists()


# --- the rule: an answer the caller does not keep ------------------------------------------------------


def test_an_answer_not_kept_frees_its_key_and_keeps_what_it_wrote(db):
    def run():
        local_keeper("written-anyway")
        return idempotency.Answer(200, "text/html", b"")

    now = timezone.now()
    for _ in range(2):  # the key is free again: the second runs too
        answer = idempotency.answer_once(
            scope="web:1", key="k1", fingerprint="f", now=now, run=run, keep=lambda a: False
        )
        assert not answer.replayed
    assert not IdempotencyKey.objects.exists()
    assert local_keeper("written-anyway").pk  # still there


# --- every form carries its token ------------------------------------------------------------------

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
WITHOUT = "{# without once:"  # a form that writes no household data says so, and why


def test_every_form_that_writes_carries_the_token():
    """So a new form cannot forget it. Logging in, signing up and passwords are out of scope."""
    missing, without = [], []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.parent.name == "registration":
            continue
        for match in FORM.finditer(path.read_text()):
            form = match.group(0)
            if 'method="post"' not in form.split(">", 1)[0].lower():
                continue
            if WITHOUT in form:
                without.append(path.name)
            elif "{% once_token %}" not in form:
                missing.append(f"{path.relative_to(TEMPLATES)}: {form[:100]}")
    assert missing == []
    # Making an API token; logging out (twice); stopping reminder emails from a link (no login).
    assert without == ["api_tokens.html", "base.html", "more.html", "unsubscribe.html"]


@pytest.mark.parametrize(
    "page",
    [
        "today",
        "members",
        "data",
        "animal",
        "session_open",
        "introduction",
        "animal_new",
        "session_edit",
        "session_delete",
        "introductions",
    ],
)
def test_each_form_on_a_page_gets_its_own_new_token(client, owner, world, page):
    client.force_login(owner)
    args = {
        "today": [],
        "members": [],
        "data": [],
        "animal": [world.aid],
        "session_open": [world.open_sid],
        "introduction": [world.iid],
        "animal_new": [],
        "session_edit": [world.sid],
        "session_delete": [world.sid],
        "introductions": [],
    }[page]
    url = reverse(page, args=[world.hid, *args])
    seen = []
    for _ in range(2):
        posts = [tokens for method, tokens in forms_of(client.get(url)) if method == "post"]
        writes = posts[1:]  # the first is the logout form, in the page's header
        assert writes, f"no form that writes on {page}"
        assert all(len(tokens) == 1 and re.fullmatch(r"[0-9a-f]{32}", tokens[0]) for tokens in writes), writes
        seen += [tokens[0] for tokens in writes]
    assert len(set(seen)) == len(seen)
