"""Django's username-and-password login, unchanged, but with the logged-in keeper read by a
prepared statement (gentling/prepared.py): every page a keeper opens, and every chart on it,
reads the keeper after the session, and the ORM's query building was most of that read's cost.

settings.AUTHENTICATION_BACKENDS lists KeeperBackend, then Django's ModelBackend. A session
names the backend that logged it in, and Django reads its keeper through that one only if it is
still listed: ModelBackend stays so that no keeper logged in before is logged out. New logins
are KeeperBackend's. A password that does not match is refused here and no other backend tries
it again: a wrong password is hashed once, as before, and django-axes counts the failure as before.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from .prepared import Prepared

_KEEPER = Prepared(lambda pk: get_user_model()._default_manager.filter(pk=pk), (1,), (2,))

PATH = "gentling.keepers.KeeperBackend"


class KeeperBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        keeper = super().authenticate(request, username=username, password=password, **kwargs)
        if keeper is None:
            raise PermissionDenied  # Django's authenticate() stops here and reports the failure
        return keeper

    def get_user(self, user_id):
        try:
            found = _KEEPER.rows(int(user_id))
        except (TypeError, ValueError):
            return None
        keeper = found[0] if found else None
        return keeper if keeper is not None and self.user_can_authenticate(keeper) else None
