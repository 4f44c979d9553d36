"""Reminders as they arrive (issue 15): the digest at a real SMTP server on loopback (aiosmtpd),
and a Web Push message at a local HTTP server standing in for the push service, checked as a
browser would: VAPID-signed, and decryptable with the subscription's own keys."""

from __future__ import annotations

import base64
import email
import json
import os
import threading
from datetime import UTC, datetime, time, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import http_ece
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from gentling.models import PushSubscription, Reminders
from gentling.services import push
from gentling.services.digest import reminders_for_token, unsubscribe_email
from gentling.services.reminders import ReminderChoice, send_due, set_reminders
from tests.factories import log, make_animal

from .conftest import TODAY


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class LoopbackSMTP(Controller):
    """aiosmtpd on a port the system picks (port 0): its start-up check connects to the port bound."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = LoopbackSMTP(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.server.sockets[0].getsockname()[1]
    settings.GENTLING_BASE_URL = "https://gentling.example.org"
    yield inbox
    controller.stop()


@pytest.fixture
def cage(owner, household):
    owner.email = "olive@example.org"
    owner.save()
    luna = make_animal(household, today=TODAY, name="Luna", days_ago=6, cage="Top Deck", sex="female")
    nova = make_animal(household, today=TODAY, name="Nova", days_ago=6, cage="Top Deck", sex="female")
    make_animal(household, today=TODAY, name="Pepper", days_ago=6, cage="Boys", sex="male")
    yesterday = datetime.combine(TODAY - timedelta(days=1), time(9), UTC)
    log(owner, household, [luna, nova], now=yesterday, activities=["talked", "treat_in_cage"])
    return luna, nova


def _at(hour, minute=0, day=TODAY):
    return datetime.combine(day, time(hour, minute), UTC)


def test_the_digest_arrives_at_the_chosen_time_once(owner, household, cage, smtp):
    set_reminders(keeper=owner, household=household, choice=ReminderChoice(remind_at="07:30", channel="email"))

    send_due(_at(7, 29))
    assert smtp.messages == []
    send_due(_at(7, 30))
    send_due(_at(7, 31))

    (message,) = smtp.messages
    assert message["To"] == "olive@example.org"
    assert message["Subject"].startswith(f"Gentling, {TODAY:%A %-d %B}:")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Top Deck" in part and "Luna" in part and "Nova" in part and "Boys" in part and "Pepper" in part
        assert "Rest your hand in the cage" in part
        assert "coach, not a vet" in part
    assert "MISSED YESTERDAY" in text and "Luna: Rest your hand in the cage" in text  # once of twice
    assert "NEEDS ATTENTION" in text and "Pepper: no session since settling in." in text
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith("https://gentling.example.org/") and unsubscribe in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_only_the_animals_the_keeper_cares_for(owner, household, cage, smtp):
    set_reminders(
        keeper=owner,
        household=household,
        choice=ReminderChoice(remind_at="07:30", channel="email", scope="mine", cares_for=["Pepper"]),
    )

    send_due(_at(8))

    text = smtp.messages[0].get_body(("plain",)).get_content()
    assert "Pepper" in text and "Luna" not in text and "Top Deck" not in text


def test_the_unsubscribe_token_names_these_reminders_only(owner, household, cage, smtp):
    r = set_reminders(keeper=owner, household=household, choice=ReminderChoice(channel="both"))
    send_due(_at(19))
    link = smtp.messages[0]["List-Unsubscribe"].strip().strip("<>")
    token = link.rstrip("/").rsplit("/", 1)[1]

    found = reminders_for_token(token)
    assert found == r
    assert reminders_for_token(token[:-2] + "xx") is None
    assert reminders_for_token("not-a-token") is None
    unsubscribe_email(found)
    assert Reminders.objects.get(pk=r.pk).channel == "push"
    assert link == "https://gentling.example.org" + reverse("unsubscribe", args=[token])


# --- Web Push -------------------------------------------------------------------------------------


class PushService(BaseHTTPRequestHandler):
    received: list = []
    answer = 201

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        PushService.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(PushService.answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_service():
    PushService.received, PushService.answer = [], 201
    server = HTTPServer(("127.0.0.1", 0), PushService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _browser_keys():
    """What a browser makes when it subscribes: an ECDH P-256 key pair and a 16-byte secret."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return private, _b64(public), os.urandom(16)


def test_a_push_is_a_valid_encrypted_web_push_message(owner, household, cage, push_service):
    private, p256dh, secret = _browser_keys()
    push.subscribe(keeper=owner, endpoint=f"{push_service}/send/abc", p256dh=p256dh, auth=_b64(secret), now=_at(6))
    set_reminders(keeper=owner, household=household, choice=ReminderChoice(remind_at="07:30", channel="push"))

    send_due(_at(7, 30))
    send_due(_at(7, 45))

    ((path, headers, body),) = PushService.received
    assert path == "/send/abc"
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert fields["k"] == push.public_key()
    claims = json.loads(base64.urlsafe_b64decode(fields["t"].split(".")[1] + "=="))
    assert claims["aud"] == push_service and claims["sub"].startswith("mailto:")
    message = json.loads(http_ece.decrypt(body, private_key=private, auth_secret=secret, version="aes128gcm"))
    assert message["url"] == reverse("today", args=[household.public_id])
    assert message["body"].startswith("Today with ") and "Luna" in message["body"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_says_is_gone_is_removed(owner, household, cage, push_service, status):
    _, p256dh, secret = _browser_keys()
    push.subscribe(keeper=owner, endpoint=f"{push_service}/gone", p256dh=p256dh, auth=_b64(secret), now=_at(6))
    set_reminders(keeper=owner, household=household, choice=ReminderChoice(remind_at="07:30", channel="push"))
    PushService.answer = status

    report = send_due(_at(8))

    assert report.sent == 1 and not PushSubscription.objects.exists()


def test_the_key_pair_is_made_once_and_kept(db):
    first = push.public_key()
    assert push.public_key() == first and len(base64.urlsafe_b64decode(first + "=")) == 65


@pytest.mark.parametrize(
    "endpoint, p256dh, auth, field",
    [
        ("ftp://push.example/x", None, None, "endpoint"),
        ("http://push.example.org/x", None, None, "endpoint"),
        ("https://push.example.org/x", "c2hvcnQ", None, "p256dh"),
        ("https://push.example.org/x", None, "c2hvcnQ", "auth"),
    ],
)
def test_a_subscription_that_is_not_one_is_refused(owner, endpoint, p256dh, auth, field):
    from gentling.domain.errors import InvalidInput

    _, good_key, secret = _browser_keys()
    with pytest.raises(InvalidInput) as refused:
        push.subscribe(
            keeper=owner, endpoint=endpoint, p256dh=p256dh or good_key, auth=auth or _b64(secret), now=_at(6)
        )
    assert refused.value.field == field
    assert not PushSubscription.objects.exists()
