"""Writes that count once: the rule behind the API's `Idempotency-Key` header.

A client that did not hear the answer to a write (a phone losing signal, an
offline outbox replaying) sends it again with the same key. The first request
with a key runs, and its answer is stored with the key in the same transaction
as its writes: both are kept, or neither. The same key again, with the same
method, path and body, gets that stored answer and runs nothing. The same key
with a different request is refused (409): a key names one request. Two
requests with one key at the same moment: the second waits for the first (the
key's unique index on PostgreSQL, the write lock on SQLite) and then gets its
answer. An answer of 500 or more is not kept, and neither is anything the
request wrote, so a retry runs afresh. Keys are kept for KEEP_DAYS, then cleared
(by each process, at most once every CLEAR_EVERY).

The web's forms use the same rule with a one-time token as the key (web/once.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from ..domain.errors import GentlingError, InvalidInput
from ..models import IdempotencyKey
from ..prepared import Prepared

KEEP_DAYS = 7
KEY_MAX = 255


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    replayed: bool = False
    location: str = ""  # where a redirect sends the client


class KeyReused(GentlingError):
    """The key was used before for a different request."""


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= KEY_MAX or not key.isascii() or not key.isprintable():
        raise InvalidInput(
            "Idempotency-Key",
            f"Idempotency-Key: use 1 to {KEY_MAX} printable ASCII characters, such as a UUID, new for each write.",
        )
    return key


def _always(answer: Answer) -> bool:
    return True


def answer_once(
    *,
    scope: str,
    key: str,
    fingerprint: str,
    now: datetime,
    run: Callable[[], Answer],
    keep: Callable[[Answer], bool] = _always,
) -> Answer:
    """`run()`'s answer, the first time this scope sends this key; the stored answer after that.

    An answer below 500 that `keep` turns down frees the key, and what `run` wrote stays: the
    web keeps only its redirects, since a form shown again with its errors wrote nothing, and
    the session screen's live check saves only a draft, which may be saved again."""
    check_key(key)
    with transaction.atomic():
        row, created = _take(scope, key, fingerprint, now)
        if not created:
            if row.fingerprint != fingerprint:
                raise KeyReused(
                    f"Idempotency-Key '{key[:40]}' was used for a different request: send a new key "
                    "for each write, and the same key only to retry that same write."
                )
            return Answer(row.status, row.content_type, bytes(row.body), replayed=True, location=row.location)
        answer = run()
        if answer.status >= 500:
            transaction.set_rollback(True)  # nothing of it is kept: a retry runs afresh
            return answer
        if not keep(answer):
            row.delete()
            return answer
        IdempotencyKey.objects.filter(pk=row.pk).update(
            status=answer.status, content_type=answer.content_type, body=answer.body, location=answer.location
        )
        _clear_expired(now)
    return answer


_BY_KEY = Prepared(lambda scope, key: IdempotencyKey.objects.filter(scope=scope, key=key), ("a", "a"), ("b", "b"))


def _take(scope: str, key: str, fingerprint: str, now: datetime) -> tuple[IdempotencyKey, bool]:
    """The key's row, and whether this request made it (and so runs). Two statements, where
    get_or_create made four (a read, then an insert inside a savepoint): the insert does nothing if
    the key is taken, waiting first for a request that holds it to finish (its unique index on
    PostgreSQL, the write lock on SQLite). A row this request did not make has its answer's status:
    a request stores it in the transaction that made the row, and a row of a request whose answer
    was not kept is gone with it. So a row with no status yet is this request's own."""
    for _ in range(2):  # twice if the row that stopped the insert was cleared as expired meanwhile
        IdempotencyKey.objects.bulk_create(
            [IdempotencyKey(scope=scope, key=key, fingerprint=fingerprint, created_at=now)], ignore_conflicts=True
        )
        found = _BY_KEY.rows(scope, key)
        if found:
            return found[0], found[0].status == 0
    # SQLite's INSERT OR IGNORE also skips a row that breaks another rule: never loop on it.
    raise RuntimeError(f"the Idempotency-Key row for {scope!r} could not be stored")


CLEAR_EVERY = timedelta(hours=1)
_last_cleared: list[datetime] = []  # when this process last cleared expired keys


def _clear_expired(now: datetime) -> None:
    """Delete keys older than KEEP_DAYS: with the first kept answer of a process, then at most once
    every CLEAR_EVERY (a delete on every write was a statement more for each). A key may so
    outlive its days by an hour, which changes nothing: its client stopped retrying long before."""
    if _last_cleared and _last_cleared[0] <= now < _last_cleared[0] + CLEAR_EVERY:
        return
    IdempotencyKey.objects.filter(created_at__lt=now - timedelta(days=KEEP_DAYS)).delete()
    _last_cleared[:] = [now]
