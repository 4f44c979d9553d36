"""Personal API tokens: create, list, revoke, and find the keeper a token belongs to.

A token is shown once, when it is made; only its SHA-256 hash is stored, with
its first characters (the prefix) so a keeper can tell tokens apart. A token
acts with its keeper's own permissions: every household check still applies.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction

from ..domain.errors import InvalidInput, NotFound
from ..domain.validation import check_name
from ..models import ApiToken
from ..prepared import Prepared
from ..sqlite import unless_write_lock_taken

TOKEN_PREFIX = "gnt_"
PREFIX_LENGTH = 12
ACTIVE_TOKENS_MAX = 20
# Marking every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
TOKEN_MAX_LENGTH = 200


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def tokens_of(keeper):
    return ApiToken.objects.filter(keeper=keeper).order_by("revoked_at", "-created_at", "-id")


@transaction.atomic
def create_token(*, keeper, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for `keeper`; returns the record and the full token, which is never stored."""
    name = check_name(name, "name", "Token name")
    if ApiToken.objects.filter(keeper=keeper, revoked_at__isnull=True).count() >= ACTIVE_TOKENS_MAX:
        raise InvalidInput("name", f"You already have {ACTIVE_TOKENS_MAX} tokens: revoke one you no longer use first.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        keeper=keeper, name=name, prefix=raw[:PREFIX_LENGTH], key_hash=hash_token(raw), created_at=now
    )
    return token, raw


@transaction.atomic
def revoke_token(*, keeper, token_id: int, now: datetime) -> ApiToken:
    token = ApiToken.objects.filter(keeper=keeper, pk=token_id).first()
    if token is None:
        raise NotFound("No such token among yours.")
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
    return token


# Every API request asks: built once (gentling/prepared.py).
_LIVE_TOKEN = Prepared(
    lambda key_hash: (
        ApiToken.objects.select_related("keeper").filter(key_hash=key_hash, revoked_at__isnull=True).order_by("pk")[:1]
    ),
    ("a",),
    ("b",),
)


def keeper_for_token(raw: str, *, now: datetime):
    """The active keeper a live token belongs to, or None (unknown, revoked, or the keeper is disabled)."""
    if not raw or len(raw) > TOKEN_MAX_LENGTH or not raw.startswith(TOKEN_PREFIX):
        return None
    token = next(iter(_LIVE_TOKEN.rows(hash_token(raw))), None)
    if token is None or not token.keeper.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        with unless_write_lock_taken():  # a note for the keeper's token list, not worth a refused read
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.keeper
