"""Web Push reminders: the server's VAPID key pair, each device's subscription, and the sending.

- The key pair is made on first use and kept in the database (VapidKey, one row): the browser
  subscribes with its public half, so it must not change.
- A subscription is saved per device (its endpoint); the same endpoint again updates it.
- Messages are encrypted (aes128gcm) and signed (VAPID) by pywebpush with py-vapid.
- A subscription the push service says is gone (404, 410) is deleted.
- The service worker (templates/gentling/sw.js) shows the notification; a tap opens the
  household's Today.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import date, datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.urls import reverse
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from ..domain.errors import InvalidInput
from ..models import PushSubscription, Reminders, VapidKey

log = logging.getLogger(__name__)

TTL_SECONDS = 12 * 3600  # a reminder a phone gets half a day late is no reminder
GONE = (404, 410)


def _vapid() -> tuple[Vapid02, str]:
    key = VapidKey.objects.order_by("pk").first()
    if key is None:
        made = Vapid02()
        made.generate_keys()
        VapidKey.objects.create(private_key=made.private_pem().decode(), public_key=_public(made))
        # Two processes making one at the same moment both keep the first: the oldest row is the key.
        key = VapidKey.objects.order_by("pk").first()
        assert key is not None
    return Vapid02.from_pem(key.private_key.encode()), key.public_key


def _public(v: Vapid02) -> str:
    raw = v.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_key() -> str:
    """What a browser subscribes with (applicationServerKey), base64url."""
    return _vapid()[1]


def subscribe(*, keeper, endpoint: str, p256dh: str, auth: str, now: datetime) -> PushSubscription:
    """Save this device's subscription for `keeper` (again: updated, never doubled)."""
    endpoint = (endpoint or "").strip()
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(endpoint) > 2000:
        raise InvalidInput("endpoint", "This browser's push address is not one Gentling can use.")
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1"):
        raise InvalidInput("endpoint", "A push address must use HTTPS.")
    _key(p256dh, 65, "p256dh")
    _key(auth, 16, "auth")
    sub, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"keeper": keeper, "p256dh": p256dh, "auth": auth, "created_at": now}
    )
    return sub


def unsubscribe(*, keeper, endpoint: str) -> None:
    PushSubscription.objects.filter(keeper=keeper, endpoint=endpoint).delete()


def _key(value: str, length: int, name: str) -> None:
    try:
        raw = base64.urlsafe_b64decode((value or "") + "=" * (-len(value or "") % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != length:
        raise InvalidInput(name, "This browser's push keys are not ones Gentling can use.")


def send_push(r: Reminders, day: date, now: datetime) -> None:
    """The reminder's line to each of the keeper's devices. Raises only if none could be reached
    for a reason other than being gone, so that the next run tries again."""
    from .digest import digest_for

    d = digest_for(r, now)
    payload = json.dumps(
        {
            "title": f"Gentling · {d.household}",
            "body": d.headline,
            "url": reverse("today", args=[r.membership.household.public_id]),
            "tag": f"reminder-{r.membership.household.public_id}",
        }
    )
    vapid, _ = _vapid()
    subscriptions = list(PushSubscription.objects.filter(keeper=r.membership.keeper))
    failed = 0
    for sub in subscriptions:
        try:
            webpush(
                {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                payload,
                vapid_private_key=vapid,
                vapid_claims={"sub": f"mailto:{settings.DEFAULT_FROM_EMAIL}"},
                ttl=TTL_SECONDS,
                timeout=10,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in GONE:
                sub.delete()
                continue
            log.warning("push to a device of %s failed: %s", r.membership.keeper.username, status or exc)
            failed += 1
        except OSError as exc:  # the push service cannot be reached
            log.warning("push to a device of %s failed: %s", r.membership.keeper.username, exc)
            failed += 1
    if subscriptions and failed == len(subscriptions):
        raise RuntimeError("no device could be reached")
