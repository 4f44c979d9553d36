"""PostgreSQL, without the connection's health check while the connection is in steady use.

A connection is kept across requests (CONN_MAX_AGE), and Django checks a kept one before each
request's first query (CONN_HEALTH_CHECKS: a SELECT 1), so that a server restarted, or a
connection dropped, since the last request costs the keeper nothing. That check is one more
round trip on every request: about 0.3 ms on loopback here, a tenth of a cached chart's request.

So a connection that sent a query without an error less than FRESH_SECONDS ago is taken as alive
without the check. A connection idle for longer, as between one keeper's visits, is checked as
before. If the server goes away within that second, the next request's query fails as any
request in flight then would: the answer is 503 with Retry-After (failures.py), nothing is
saved, Django checks the connection as the request ends and closes it, and the next request
opens a new one.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

FRESH_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    _last_sent = float("-inf")  # time.monotonic() when this connection last sent a query

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and not self.health_check_done
            and not self.errors_occurred
            and time.monotonic() - self._last_sent < FRESH_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self._last_sent = time.monotonic()
        return cursor

    def connect(self) -> None:
        super().connect()
        self._last_sent = float("-inf")
