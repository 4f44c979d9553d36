"""The `Idempotency-Key` header on the API's writes (POST, PUT, PATCH, DELETE): a middleware
that only translates between HTTP and services/idempotency.py, where the rule lives.

A key belongs to whoever sends it: the logged-in keeper, or else the API token (by its
hash), so nobody can read another client's stored answer. A request with no way to tell
who sends it goes on unchanged (the API answers 401). Bodies up to Django's in-memory
limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 5 MB) take a key; a backup import is larger, and needs
none: a backup already imported is refused whole."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpResponse

from .. import clock, failures
from ..domain.errors import InvalidInput
from ..request_size import over_memory_limit
from ..services import idempotency

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "Idempotency-Key"


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method not in WRITES or not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            return self._once(request, key)
        except Exception as exc:  # out here, no view's handler sees it: a database outage is still a 503
            if not failures.is_unavailable(exc):
                raise
            return failures.unavailable_answer(request, exc)

    def _once(self, request, key: str):
        scope = _scope(request)
        if scope is None:
            return self.get_response(request)
        if over_memory_limit(request):
            return _error(
                413,
                HEADER,
                f"{HEADER} works on bodies up to "
                f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)} MB. A backup import "
                "needs none: one already imported is refused whole, so it is safe to retry.",
            )
        fingerprint = idempotency.fingerprint(request.method, request.get_full_path(), request.body)
        first = []

        def run() -> idempotency.Answer:
            first.append(self.get_response(request))
            return _answer(first[0])

        try:
            answer = idempotency.answer_once(scope=scope, key=key, fingerprint=fingerprint, now=clock.now(), run=run)
        except idempotency.KeyReused as exc:
            return _error(
                409, HEADER, exc.message, reasons=[{"code": "idempotency_key_reused", "message": exc.message}]
            )
        except InvalidInput as exc:
            return _error(400, exc.field, exc.message)
        if first and not first[0].streaming:
            return first[0]  # this request ran: its own answer, every header as it was
        response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type or None)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _scope(request) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"keeper:{user.pk}"
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer ") and auth[7:].strip():
        return "token:" + hashlib.sha256(auth[7:].strip().encode()).hexdigest()
    return None


def _answer(response) -> idempotency.Answer:
    if response.streaming:  # the API's writes answer in full; a stream is never stored
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return idempotency.Answer(response.status_code, response.get("Content-Type", ""), body)


def _error(status: int, field: str | None, detail: str, **extra) -> HttpResponse:
    return HttpResponse(
        json.dumps({"detail": detail, "field": field, **extra}), status=status, content_type="application/json"
    )


PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Makes this write safe to send again: the same key with the same request gets the first "
    "answer (with `Idempotent-Replayed: true`) and stores nothing new; the same key with another "
    "request is refused (409). Use a new key, such as a UUID, for each write. Kept for "
    f"{idempotency.KEEP_DAYS} days.",
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.KEY_MAX, "pattern": "^[ -~]+$"},
}


def document(schema: dict) -> dict:
    """Add the header, and the 400 and 409 it may bring, to every write of the OpenAPI schema."""
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            if method.upper() not in WRITES:
                continue
            operation.setdefault("parameters", []).append(PARAMETER)
            responses = operation.setdefault("responses", {})
            for status, shape in ((400, "ErrorOut"), (409, "RefusedOut")):
                responses.setdefault(
                    status,
                    {
                        "description": "Bad Request" if status == 400 else "Conflict",
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{shape}"}}},
                    },
                )
    return schema
