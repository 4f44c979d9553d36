"""A retried API write counts once (services/idempotency.py): the same Idempotency-Key with
the same request gets the first answer and stores nothing new; with another request, 409."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gentling.models import IdempotencyKey, Session
from gentling.services import idempotency

from .helpers import ago, db_state
from .test_endpoints import session_body


def post(api, a, body, key, token=None):
    return api.post(f"/households/{a.hid}/sessions", body, token=token or a.owner_token, HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_and_body_twice_stores_one_session_and_answers_the_same(a, api):
    body = session_body(a)
    before = Session.objects.count()
    first = post(api, a, body, "retry-1")
    again = post(api, a, body, "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Session.objects.count() == before + 1


def test_without_a_key_each_post_is_a_new_session(a, api):
    before = Session.objects.count()
    api.post(f"/households/{a.hid}/sessions", session_body(a), token=a.owner_token)
    api.post(f"/households/{a.hid}/sessions", session_body(a), token=a.owner_token)
    assert Session.objects.count() == before + 2


def test_the_same_key_with_another_body_is_a_409(a, api):
    post(api, a, session_body(a), "retry-2")
    before = db_state()
    other = post(api, a, session_body(a, duration_seconds=900), "retry-2")
    assert other.status_code == 409
    assert other.json()["field"] == "Idempotency-Key"
    assert "was used for a different request" in other.json()["detail"]
    assert [r["code"] for r in other.json()["reasons"]] == ["idempotency_key_reused"]  # the 409 shape of every write
    assert db_state() == before


def test_a_refusal_is_the_answer_a_retry_gets_too(a, api):
    body = session_body(a, duration_seconds=-5)
    first = post(api, a, body, "retry-3")
    assert first.status_code in (400, 422)
    assert post(api, a, body, "retry-3").json() == first.json()


def test_keys_belong_to_whoever_sends_them(a, b, api):
    """Another keeper's same key runs their own request, and never sees the first answer."""
    post(api, a, session_body(a), "shared-key")
    theirs = api.post(
        f"/households/{b.hid}/sessions", session_body(b), token=b.owner_token, HTTP_IDEMPOTENCY_KEY="shared-key"
    )
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert theirs.json()["sessions"][0]["animal"] == b.rat.public_id


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve-key", "tab\tkey"])
def test_a_key_that_is_not_a_key_is_refused(a, api, key):
    before = db_state()
    response = post(api, a, session_body(a), key)
    assert response.status_code == 400
    assert "Idempotency-Key: use 1 to 255 printable ASCII characters" in response.json()["detail"]
    assert db_state() == before


def test_deleting_twice_with_a_key_answers_the_same(a, api):
    path = f"/households/{a.hid}/sessions/{a.session.public_id}"
    first = api.delete(path, token=a.owner_token, HTTP_IDEMPOTENCY_KEY="delete-1")
    again = api.delete(path, token=a.owner_token, HTTP_IDEMPOTENCY_KEY="delete-1")
    assert first.status_code == again.status_code
    assert first.status_code < 300
    assert api.delete(path, token=a.owner_token).status_code == 404  # without the key: it is gone


def test_keys_older_than_seven_days_are_cleared_by_each_process_at_most_once_an_hour(a, api, monkeypatch):
    def keys():
        return sorted(IdempotencyKey.objects.values_list("key", flat=True))

    monkeypatch.setattr(idempotency, "_last_cleared", [])  # a process that has cleared nothing yet
    post(api, a, session_body(a), "old-key")  # its first kept answer: clears (nothing is old yet)
    IdempotencyKey.objects.update(created_at=IdempotencyKey.objects.get().created_at.replace(year=2000))
    post(api, a, session_body(a, started_at=ago(hours=3)), "new-key")
    assert keys() == ["new-key", "old-key"]  # cleared less than an hour ago: not yet
    cleared = idempotency._last_cleared[0]
    idempotency._last_cleared[:] = [cleared - idempotency.CLEAR_EVERY]  # as an hour later
    post(api, a, session_body(a, started_at=ago(hours=5)), "newer-key")
    assert keys() == ["new-key", "newer-key"]
    assert idempotency.KEEP_DAYS == 7


def test_a_key_whose_old_row_is_cleared_meanwhile_is_taken_afresh(db, monkeypatch):
    """The insert that found the key taken, then the row cleared before it was read: try again."""
    real = idempotency._BY_KEY.rows
    calls = []

    def cleared_in_between(scope, key):
        calls.append(key)
        if len(calls) == 1:
            IdempotencyKey.objects.filter(key=key).delete()
        return real(scope, key)

    IdempotencyKey.objects.create(scope="s", key="k", fingerprint="f", status=201, body=b"old")
    monkeypatch.setattr(idempotency._BY_KEY, "rows", cleared_in_between)

    def run():
        return idempotency.Answer(201, "text/plain", b"new")

    answer = idempotency.answer_once(scope="s", key="k", fingerprint="f", now=timezone.now(), run=run)
    assert (answer.body, answer.replayed, calls) == (b"new", False, ["k", "k"])


def test_the_api_documents_the_key_on_every_write_and_on_no_read(api):
    schema = api.get("/openapi.json").json()
    writes = reads = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", [])]
            if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
                writes += 1
                assert "Idempotency-Key" in names, (method, path)
                assert {"400", "409"} <= set(operation["responses"]), (method, path)
            else:
                reads += 1
                assert "Idempotency-Key" not in names, (method, path)
    assert writes and reads
    assert "Idempotency-Key" in schema["info"]["description"]
