"""The CSV downloads stream row by row, with a file name, never built whole in memory."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from gentling.services.csv_export import meeting_rows, session_rows
from tests.factories import log

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["sessions", "meetings"])
def test_the_download_is_a_streaming_csv_attachment(client, viewer, household, kind):
    client.force_login(viewer)
    response = client.get(reverse("csv_download", args=[household.public_id, kind]))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="gentling-maple-street-') and disposition.endswith('.csv"')
    assert kind in disposition


def test_rows_are_generated_one_at_a_time(household):
    assert inspect.isgenerator(session_rows(household))
    assert inspect.isgenerator(meeting_rows(household))


def test_each_row_is_its_own_chunk(client, owner, household, animals):
    for hours in range(1, 31):
        log(owner, household, [animals[0]], now=timezone.now(), ago=timedelta(hours=hours * 3))
    client.force_login(owner)
    response = client.get(reverse("csv_download", args=[household.public_id, "sessions"]))
    chunks = list(response.streaming_content)
    assert len(chunks) == 31  # the header, then one per session
    assert all(chunk.count(b"\n") == 1 for chunk in chunks)


def test_sessions_are_read_from_the_database_in_chunks(household, animals, owner, django_assert_max_num_queries):
    for hours in range(1, 11):
        log(owner, household, [animals[0]], now=timezone.now(), ago=timedelta(hours=hours * 3))
    rows = session_rows(household)
    with django_assert_max_num_queries(2):  # one iterator query, not one per session
        assert len(list(rows)) == 11
