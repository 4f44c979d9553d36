"""Helpers for the API tests: a JSON client that sends a bearer token, and a snapshot of the database."""

from __future__ import annotations

import json
from datetime import timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

# The test households are in UTC, and the API reads the real clock, as the web does: one today.
from tests.web.helpers import today  # noqa: F401  (re-exported)

API = "/api/v1"


def ago(**delta) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


class Api:
    """`api.get("/households", token=t)` -> the Django test response; `.json()` reads its body."""

    def __init__(self, client: Client | None = None):
        self.client = client or Client()

    def call(
        self, method: str, path: str, *, token: str | None = None, json_body=None, raw: bytes | None = None, **extra
    ):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        url = path if path.startswith("/") and path.startswith(API) else API + path
        if raw is not None:
            return _read(self.client.generic(method, url, raw, content_type="application/json", **headers, **extra))
        if json_body is None and method in ("GET", "DELETE"):
            return _read(getattr(self.client, method.lower())(url, **headers, **extra))
        body = json.dumps(json_body if json_body is not None else {})
        return _read(self.client.generic(method, url, body, content_type="application/json", **headers, **extra))

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, json_body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, json_body=body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


def _read(response):
    """A streamed answer (the export) read whole, so that `.json()` works on it as on any other."""
    if response.streaming:
        body = b"".join(response.streaming_content)
        response.json = lambda: json.loads(body)
    return response


def db_state() -> dict:
    """Every Gentling record (and the keepers), as comparable values. Token use times and the
    progress cache's computed_at are left out: reading may refresh them."""
    state = {"users": sorted(get_user_model().objects.values_list("username", "password", "is_active"))}
    for model in apps.get_app_config("gentling").get_models():
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("computed_at", "last_used_at")]
        state[model.__name__] = sorted(repr(row) for row in model.objects.values_list(*fields))
        for m2m in model._meta.many_to_many:
            state[f"{model.__name__}.{m2m.name}"] = sorted(
                (obj.pk, tuple(sorted(getattr(obj, m2m.name).values_list("pk", flat=True))))
                for obj in model.objects.all()
            )
    return state


def detail(response) -> str:
    return response.json()["detail"]


def field(response) -> str | None:
    return response.json()["field"]
