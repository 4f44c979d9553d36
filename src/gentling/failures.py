"""Failures that explain themselves: a request id on every answer and log line, and a database
that is unavailable told as such (503 with Retry-After), never as a bug.

- RequestIdMiddleware (first in MIDDLEWARE) gives each request an id: the
  client's `X-Request-ID` when it is a sane one, else a new one. It is sent back
  in `X-Request-ID`, put in every log line written while the request runs
  (`RequestIdFilter`), and in every error answer, so an operator can find the
  traceback for the answer a keeper saw. It also writes the access log: one
  line per request on the `gentling.access` logger, at INFO (shown with
  GENTLING_LOG_LEVEL=INFO), the same whichever server runs the app.
- DatabaseUnavailableMiddleware turns a database that refuses connections, is
  gone, or stayed locked past its wait into a 503 with Retry-After: JSON on the
  API, a page on the web. Nothing of the request was saved (its transaction
  rolled back), so a retry is safe. The API's own handlers (api/errors.py) do
  the same for errors raised inside it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from .sqlite import write_lock_taken

logger = logging.getLogger("gentling")
access = logging.getLogger("gentling.access")
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (
    f"The database is unavailable for a moment, so nothing was saved. Try again in {RETRY_AFTER_SECONDS} seconds."
)
_current = contextvars.ContextVar("request_id", default="-")
_SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id() -> str:
    return _current.get()


def is_unavailable(exc: BaseException) -> bool:
    """A database that cannot answer now (down, refusing, locked past the wait), not a bug."""
    return isinstance(exc, (OperationalError, InterfaceError))


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 5xx answer (django.request) once the middlewares are done, with the request.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "id", None) or _current.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if _SANE.fullmatch(given) else uuid.uuid4().hex[:16]
        token = _current.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            access.info(
                "%s %s %s %.0f ms",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request.id
        return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        return unavailable_answer(request, exc) if is_unavailable(exc) else None


def unavailable_answer(request, exc: BaseException) -> HttpResponse:
    """The 503 for a database that cannot answer: JSON on the API, a page elsewhere.

    Logged with its traceback, except SQLite's write lock held past the wait by another process
    (a backup, an import, the sqlite3 shell): that is no fault, a client may send many writes
    meanwhile, and one line each says it all."""
    if write_lock_taken(exc):
        logger.warning(
            "database locked by another process past the wait: %s %s refused with 503", request.method, request.path
        )
    else:
        logger.error("database unavailable: %s %s", request.method, request.path, exc_info=exc)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": UNAVAILABLE, "field": None, "request_id": request_id()}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": UNAVAILABLE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
