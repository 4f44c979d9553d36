"""The NinjaAPI instance: authentication, the JSON parser, error handlers and the routers."""

from __future__ import annotations

import json

from django.http import JsonResponse
from ninja import NinjaAPI
from ninja.parser import Parser

from ..domain.errors import InvalidInput
from . import animals, arrivals, households, idempotency, protocols, reminders, sessions
from .auth import SessionAuth, TokenAuth
from .common import has_nul
from .errors import install


class JsonParser(Parser):
    def parse_body(self, request):
        body = request.body
        if has_nul(body):
            raise InvalidInput("body", "The request contains a NUL character (\\u0000), which cannot be stored.")
        return json.loads(body)


DESCRIPTION = """\
Gentling's REST API: the same services, checks and answers as the web app and the `gentling` command.

**Authentication**: a personal API token, made on your account's *API tokens* page and sent as
`Authorization: Bearer <token>`; or, from a browser, your logged-in session (with its CSRF token on writes).
A token acts with your own permissions: a viewer can read but not write.

**Errors** are JSON: `{"detail": "<what went wrong and how to fix it>", "field": "<field or null>"}`.
400 bad input, 401 not authenticated, 403 not allowed, 404 not found (or not yours),
409 a cage move the housing guardrail refused (with every reason), 422 a request that does not match this schema.

Objects are addressed by their public ids. Lists are paginated (`page`, `page_size` up to 100).

**Retries** are safe: send `Idempotency-Key: <a new UUID>` with a write (POST, PUT, PATCH, DELETE), and the same
key again to retry it. The first answer comes back (with `Idempotent-Replayed: true`) and nothing is stored
twice; the same key with a different request is refused with 409 (reason `idempotency_key_reused`).
**503** with `Retry-After` means the database could not answer and nothing was saved: send it again after
that many seconds. Every answer carries `X-Request-ID`, and every 5xx names it in `request_id`: quote it
when reporting a problem.
"""


class GentlingAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__  # e.g. "log_session": short and stable for generated clients

    def get_openapi_schema(self, **kwargs):
        return idempotency.document(super().get_openapi_schema(**kwargs))


api = GentlingAPI(
    title="Gentling API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    parser=JsonParser(),
)
install(api)
for module in (households, animals, sessions, arrivals, reminders, protocols):
    api.add_router("", module.router)


def not_found(request, rest: str = ""):
    """Any other address under /api/: a JSON 404, like the API's own."""
    return JsonResponse({"detail": "There is no such address in the API: see /api/v1/docs.", "field": None}, status=404)
