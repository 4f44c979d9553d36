"""Two app processes share the chart cache in Redis (issue 17, part 2): a chart one draws the
other serves from the cache, and a session logged through one is in the chart the other serves
next, since a chart is kept under the animal's records revision, which the write moves on."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gentling.bench.api_load import free_port, running_server, server_environment
from gentling.bench.measure import Browser
from gentling.services.api_tokens import create_token
from tests.conftest import REDIS_URL


def fetch(base: str, path: str, cookie: str) -> tuple[str, str]:
    """(X-Gentling-Chart, the chart's description) of a chart, as a logged-in browser gets it."""
    with urllib.request.urlopen(urllib.request.Request(base + path, headers={"Cookie": cookie}), timeout=60) as answer:
        body = answer.read().decode()
        return answer.headers["X-Gentling-Chart"], re.search(r"<desc[^>]*>(.*?)</desc>", body, re.S).group(1)


@pytest.mark.slow
def test_a_session_logged_through_one_process_is_in_the_chart_the_other_serves(clover_at_home, redis_cache):
    owner, household, clover = clover_at_home
    _, token = create_token(keeper=owner, name="cache", now=timezone.now())
    # The test's login is signed with this process's key: the servers must know it.
    env = {
        **server_environment(owner.username),
        "GENTLING_CACHE_URL": REDIS_URL,
        "GENTLING_SECRET_KEY": settings.SECRET_KEY,
    }
    chart = reverse("animal_chart", args=[household.public_id, clover.public_id, "sessions"])
    with running_server(env, free_port(), workers=1) as one, running_server(env, free_port(), workers=1) as other:
        browser = Browser(one, household)
        try:
            cookie = browser.cookie
        finally:
            browser.close()
        drawn, before = fetch(one, chart, cookie)
        assert drawn == "drawn" and "No sessions yet" in before
        assert fetch(other, chart, cookie) == ("cached", before)  # drawn by the first process
        assert redis_cache.keys("gentling:*chart*")

        body = {
            "animals": [clover.public_id],
            "started_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
            "duration_seconds": 300,
            "activities": ["talked"],
        }
        request = urllib.request.Request(
            f"{one}/api/v1/households/{household.public_id}/sessions",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.status == 201

        drawn, after = fetch(other, chart, cookie)
        assert drawn == "drawn" and ": 1 sessions" in after
        assert fetch(one, chart, cookie) == ("cached", after)
