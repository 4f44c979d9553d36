"""Deployment checks of Gentling's own settings (`django-admin check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def trusted_proxy_count_is_given(app_configs, **kwargs) -> list[Warning]:
    # The hosted mode trusts a proxy's X-Forwarded-Proto, so there is a proxy. Without the count, every
    # login seems to come from the proxy's address, and twenty failures anywhere lock everyone out.
    if not settings.PRODUCTION or settings.GENTLING_TRUSTED_PROXY_COUNT_GIVEN:
        return []
    return [
        Warning(
            "GENTLING_PRODUCTION is on but GENTLING_TRUSTED_PROXY_COUNT is not set: failed logins will be counted "
            "against the proxy's address, shared by every client.",
            hint="Set GENTLING_TRUSTED_PROXY_COUNT to the number of reverse proxies in front of the app "
            "(1 for the nginx set-up in docs/deploy.md), or to 0 if clients reach the app directly.",
            id="gentling.W001",
        )
    ]
