"""Errors to Sentry, when SENTRY_DSN is set: an optional extra (`pip install 'gentling[sentry]'`),
off by default. Each event carries the request id the keeper's answer showed (failures.py), and
no personal data (send_default_pii off: no cookies, no usernames, no addresses). sentry-sdk reads
SENTRY_ENVIRONMENT and SENTRY_RELEASE itself."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


def start(dsn: str) -> None:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set, but sentry-sdk is not installed: pip install 'gentling[sentry]', or unset SENTRY_DSN."
        ) from None
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        traces_sample_rate=0,
        before_send=_with_request_id,
    )


def _with_request_id(event: dict, hint: dict) -> dict:
    from .failures import request_id

    event.setdefault("tags", {})["request_id"] = request_id()
    return event
