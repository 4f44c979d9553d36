"""Django's sessions in the database, unchanged, but read with a prepared statement
(gentling/prepared.py): every page a logged-in keeper opens, and every chart on it, reads its
session first. The table, the cookie and the rules (expiry, a key that is not found) are
Django's own; settings.SESSION_ENGINE names this module."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session

from . import clock
from .prepared import Prepared

_LIVE = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now)[:1],
    ("a", datetime(2000, 1, 1, tzinfo=UTC)),
    ("b", datetime(2000, 1, 2, tzinfo=UTC)),
)


class SessionStore(DatabaseStore):
    def _get_session_from_db(self):
        found = _LIVE.rows(self.session_key, clock.now())
        if not found:
            self._session_key = None  # as Django's: unknown or expired, so a new session is made
            return None
        return found[0]
