"""The one place Gentling reads the wall clock.

Below the interfaces nothing reads the clock: services and the domain take
`now` or `today` as an argument. The interfaces (a web view, an API endpoint,
a CLI command, the server) call `now()` once per request and pass it down, and
model defaults (`created_at`) use it too. A test that needs a fixed moment
passes its own `now`, or freezes the whole process (time-machine, or
libfaketime as CI's shifted run does); never only part of it.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return timezone.now()
