"""Failed logins (django-axes): who is asking, and what each failure counts against.

A failure counts against the username and, separately, against the client's
address (AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]):

- five failures for one username lock that username for 15 minutes, from any
  address, so guesses cannot be spread over many addresses;
- twenty failures from one address, whatever the usernames, lock that address,
  so one machine cannot try a password against every keeper. The limit is
  higher because a home or an office shares one address.

A good login clears the failures against its own username only. Axes would
also clear every failure from that address, so anyone with an account (sign-up
is open) could guess at another keeper's password four times, log in as
themselves, and start again.

The client's address is REMOTE_ADDR, unless GENTLING_TRUSTED_PROXY_COUNT says
how many reverse proxies stand in front of the app. X-Forwarded-For is then
read from the right: each proxy appends the address it was reached from, and
everything to the left of the entries our own proxies wrote came from the
client, who can write anything there.
"""

from __future__ import annotations

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.GENTLING_TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return remote  # not through all our proxies: nothing in the header can be trusted
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler, with a limit for each lockout parameter and a narrower reset."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_username, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Axes compares one count with AXES_FAILURE_LIMIT: give it the address's count on that scale.
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.GENTLING_ADDRESS_FAILURE_LIMIT
        return max(by_username, scaled)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        by_username, _by_address = self.filter_user_attempts(request, credentials)
        count, _ = by_username.delete()
        return count
