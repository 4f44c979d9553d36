"""The client's address that failed logins count against: X-Forwarded-For only behind trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from gentling.web.throttle import client_address


def _request(forwarded: str | None = None, remote: str = "10.0.0.5"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/accounts/login/", **extra)


def test_without_a_proxy_count_the_header_is_ignored(settings):
    settings.GENTLING_TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("192.0.2.1")) == "10.0.0.5"


@pytest.mark.parametrize(
    "proxies, forwarded, address",
    [
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "192.0.2.1, 203.0.113.66", "203.0.113.66"),  # the client wrote the left entry
        (2, "192.0.2.1, 203.0.113.66, 10.0.0.4", "203.0.113.66"),  # the second proxy appended the first
        (1, "2001:db8::1", "2001:db8::1"),
        (1, " 203.0.113.66 ", "203.0.113.66"),
    ],
    ids=["one-proxy", "spoofed-left-entry", "two-proxies", "ipv6", "spaces"],
)
def test_behind_proxies_the_address_the_first_trusted_proxy_saw(settings, proxies, forwarded, address):
    settings.GENTLING_TRUSTED_PROXY_COUNT = proxies
    assert client_address(_request(forwarded)) == address


@pytest.mark.parametrize(
    "proxies, forwarded",
    [
        (1, None),
        (1, ""),
        (2, "203.0.113.66"),
        (1, "not-an-address"),
        (1, "203.0.113.66, unknown"),
    ],
    ids=["no-header", "empty", "fewer-entries-than-proxies", "garbage", "garbage-from-the-proxy"],
)
def test_a_header_our_proxies_did_not_write_falls_back_to_the_peer(settings, proxies, forwarded):
    settings.GENTLING_TRUSTED_PROXY_COUNT = proxies
    assert client_address(_request(forwarded)) == "10.0.0.5"
