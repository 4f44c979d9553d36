"""A database that cannot answer is told as such, never as a bug: 503 with Retry-After (JSON
on the API, a page on the web), a clear message and exit code 3 on the command line, and a
log line with the traceback and the request id. Nothing is saved, so a retry is safe.

The outage is real: the connection is pointed where no database answers (a closed port on
PostgreSQL, an unreachable file on SQLite) and reopened, then put back."""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager

import pytest
from django.db import connections
from django.urls import reverse

from gentling.models import Session
from gentling.services.api_tokens import create_token
from gentling.services.households import create_household, local_keeper
from tests.api.helpers import ago
from tests.cli_harness import cli_runner
from tests.factories import make_animal
from tests.web.helpers import today


@pytest.fixture
def home(file_db):
    """A keeper's household on a database that lives in a file (or PostgreSQL): an outage
    closes the connection, which an in-memory database would not survive."""
    keeper = local_keeper("olive-owner")
    keeper.set_password("a long enough password 1")
    keeper.save()
    household = create_household(keeper=keeper, name="Maple Street", time_zone="UTC")
    rat = make_animal(household, today=today(), name="Whiskers", days_ago=20)
    from django.utils import timezone

    token = create_token(keeper=keeper, name="phone", now=timezone.now())[1]
    return keeper, household, rat, token


@contextmanager
def outage():
    """The default connection, pointed where no database answers, for the `with` block."""
    settings = connections["default"].settings_dict
    saved = dict(settings)
    if connections["default"].vendor == "sqlite":
        settings["NAME"] = "/nonexistent-gentling-outage/db.sqlite3"
    else:
        settings["PORT"] = "1"
    connections["default"].close()
    try:
        yield
    finally:
        settings.clear()
        settings.update(saved)
        connections["default"].close()


def test_the_api_answers_503_json_with_retry_after(client, home, caplog):
    keeper, household, rat, token = home
    body = json.dumps(
        {"animals": [rat.public_id], "started_at": ago(hours=1), "duration_seconds": 300, "activities": ["talked"]}
    )
    url = f"/api/v1/households/{household.public_id}/sessions"
    with caplog.at_level(logging.ERROR):
        with outage():
            response = client.post(
                url,
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
                HTTP_X_REQUEST_ID="phone-req-0001",
            )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    answer = response.json()
    assert "database is unavailable" in answer["detail"] and answer["request_id"] == "phone-req-0001"
    assert response["X-Request-ID"] == "phone-req-0001"
    [record] = [r for r in caplog.records if r.name == "gentling"]
    assert record.exc_info is not None and record.request_id == "phone-req-0001"
    # Django's own line for the 5xx, written after the middlewares are done, has the id too.
    [answered] = [r for r in caplog.records if r.name == "django.request"]
    assert answered.status_code == 503 and answered.request_id == "phone-req-0001"
    # The database is back: the retry goes through, once.
    again = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert again.status_code == 201
    assert Session.objects.count() == 1


def test_the_web_app_shows_a_503_page(client, home):
    keeper, household, _, _ = home
    client.force_login(keeper)
    with outage():
        response = client.get(reverse("today", args=[household.public_id]))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "Back in a moment" in response.content.decode()


def test_an_unexpected_api_error_is_a_json_500_with_the_request_id(client, home, monkeypatch, caplog):
    keeper, household, rat, token = home
    from gentling.api import households as endpoints

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(endpoints, "today_for_household", broken)
    with caplog.at_level(logging.ERROR, logger="gentling"):
        response = client.get(f"/api/v1/households/{household.public_id}/today", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    answer = response.json()
    assert answer["request_id"] == response["X-Request-ID"] and answer["request_id"] in answer["detail"]
    assert any(r.exc_info and r.request_id == answer["request_id"] for r in caplog.records)


def test_the_command_line_says_so_and_exits_3(monkeypatch, capsys, home):
    run = cli_runner(monkeypatch, capsys, keeper="olive-owner", now=None)
    with outage():
        result = run("today")
    assert result.code == 3
    assert "The database is unavailable" in result.text and "Traceback" not in result.text


def test_a_retry_with_a_key_during_an_outage_is_a_503_too(client, home):
    keeper, household, rat, token = home
    body = json.dumps(
        {"animals": [rat.public_id], "started_at": ago(hours=1), "duration_seconds": 300, "activities": ["talked"]}
    )
    url = f"/api/v1/households/{household.public_id}/sessions"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_IDEMPOTENCY_KEY": "outage-1"}
    with outage():
        response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert client.post(url, body, content_type="application/json", **headers).status_code == 201
    assert client.post(url, body, content_type="application/json", **headers).status_code == 201
    assert Session.objects.count() == 1
