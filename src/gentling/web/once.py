"""The one-time token on the web's forms: a double tap, or a form the browser sends again after
a lost connection, counts once. This middleware only translates between HTTP and
services/idempotency.py, where the rule lives (the API's Idempotency-Key uses it too).

Every form that writes household data carries `{% once_token %}`: a hidden field `once`, new
each time the form is shown. A POST with it from a logged-in keeper runs once; the same token
again gets the first answer and the message that only the first counted. Decisions:

- It runs in process_view, after CsrfViewMiddleware's check: a second send is answered only
  if it passes CSRF, and its answer goes through MessageMiddleware, so it can say so.
- Only a redirect is kept: that is how a form that did its work answers. A form shown again
  with its errors (200) wrote nothing and carries a new token; a 403 or 404 wrote nothing.
- The fingerprint is of the form's values, not of the raw body: a browser picks a new
  multipart boundary each time it sends a photo.
- A token is the keeper's own ("web:<pk>"): another keeper's same token is their own write.
- Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE go through without it, as on the API: a backup
  restore; one already restored is refused whole.
- The same token with other values (Back, change, send) is refused: open the form afresh.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render

from .. import clock, failures
from ..domain.errors import InvalidInput
from ..request_size import over_memory_limit
from ..services import idempotency

FIELD = "once"
TWICE = "That was sent twice, and only the first counted."


class OnceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if (
            request.method != "POST"
            or request.path.startswith("/api/")
            or not request.user.is_authenticated
            or over_memory_limit(request)
        ):
            return None
        token = request.POST.get(FIELD)
        if not token:
            return None
        try:
            return _once(request, token, lambda: view(request, *args, **kwargs))
        except Exception as exc:  # raised here, no middleware's process_exception sees it
            if not failures.is_unavailable(exc):
                raise
            return failures.unavailable_answer(request, exc)


def _once(request, token: str, view):
    first = []

    def run() -> idempotency.Answer:
        first.append(view())
        return idempotency.Answer(
            first[0].status_code, first[0].get("Content-Type", ""), b"", location=first[0].get("Location", "")
        )

    try:
        answer = idempotency.answer_once(
            scope=f"web:{request.user.pk}",
            key=token,
            fingerprint=_fingerprint(request),
            now=clock.now(),
            run=run,
            keep=_is_redirect,
        )
    except idempotency.KeyReused:
        return render(request, "409.html", status=409)
    except InvalidInput:
        return HttpResponseBadRequest("This form's one-time token is not one Gentling made: open the form again.")
    if first:
        return first[0]  # this send ran: its own answer, every header as it was
    messages.info(request, TWICE)
    return HttpResponseRedirect(answer.location, status=answer.status)


def _is_redirect(answer: idempotency.Answer) -> bool:
    return 300 <= answer.status < 400


def _fingerprint(request) -> str:
    """Of the form's values and files: a browser picks a new multipart boundary each time it sends a file."""
    parts = [request.POST.urlencode()]
    for name, uploads in request.FILES.lists():
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            parts.append(f"{name}:{upload.name}:{digest.hexdigest()}")
    return idempotency.fingerprint(request.method, request.get_full_path(), "\n".join(parts).encode())
