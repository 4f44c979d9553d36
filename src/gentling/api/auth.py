"""Who is calling: a personal API token (Authorization: Bearer ...) or the browser session.

A token that is sent but not valid is refused outright (401), never passed on
to the session. The session counts only for a logged-in keeper, and then its
CSRF token is required on unsafe methods, as for any form of the web app.
"""

from __future__ import annotations

from django.conf import settings
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .. import clock
from ..services.api_tokens import keeper_for_token

BAD_TOKEN = "This API token is not valid or was revoked. Make a new one on your account's API tokens page."


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        keeper = keeper_for_token(token.strip(), now=clock.now())
        if keeper is None:
            raise AuthenticationError(401, BAD_TOKEN)
        return keeper


class SessionAuth(APIKeyCookie):
    """Django's session, like ninja's django_auth, but a visitor who is not logged in gets a 401, not a CSRF 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            # The CSRF check reads a form body; keep the raw body readable for the JSON parser after it.
            request.body  # noqa: B018
            if check_csrf(request):
                raise HttpError(403, "CSRF check Failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None
