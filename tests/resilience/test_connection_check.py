"""PostgreSQL's kept connection is checked before a request only when it has been idle
(gentling/postgresql/base.py): a connection in steady use skips the SELECT 1, an idle one is
checked and replaced if the server dropped it, and one dropped in the middle of steady use fails
one query, is closed as the request ends, and the next request opens a new one."""

from __future__ import annotations

import psycopg
import pytest
from django.db import OperationalError, connections

from gentling.postgresql import base

pytestmark = pytest.mark.django_db(transaction=True)
connection = connections["default"]  # the connection itself, not its proxy


@pytest.fixture
def checks(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backend (CI's second pass); SQLite's check sends no query")
    assert isinstance(connection, base.DatabaseWrapper)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    made = []
    real = connection.is_usable

    def counted():
        made.append(1)
        return real()

    monkeypatch.setattr(connection, "is_usable", counted)
    return made


def between_requests():
    """What Django does when a request ends and the next begins (request_finished, request_started)."""
    connection.close_if_unusable_or_obsolete()
    connection.close_if_unusable_or_obsolete()


def query() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def idle(seconds: float):
    connection._last_sent -= seconds


def drop_from_the_server(pid: int):
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], host=db["HOST"], port=db["PORT"] or None, user=db["USER"], autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_in_steady_use_is_not_checked_before_each_request(checks):
    first = query()
    for _ in range(3):
        between_requests()
        assert query() == first
    assert checks == []


def test_a_connection_idle_for_longer_is_checked(checks):
    first = query()
    between_requests()
    idle(base.FRESH_SECONDS + 0.5)
    assert query() == first
    assert checks == [1]


def test_an_idle_connection_the_server_dropped_is_replaced_unseen(checks):
    first = query()
    between_requests()
    drop_from_the_server(first)
    idle(base.FRESH_SECONDS + 0.5)
    assert query() != first  # the check found it dead, and the query ran on a new connection
    assert checks == [1]


def test_a_connection_dropped_in_steady_use_fails_one_request_only(checks):
    first = query()
    between_requests()
    drop_from_the_server(first)
    with pytest.raises(OperationalError):  # the request answers 503 with Retry-After (failures.py)
        query()
    between_requests()  # Django checks a connection that had an error, finds it dead and closes it
    assert connection.connection is None
    assert query() != first
