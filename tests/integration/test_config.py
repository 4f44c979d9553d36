"""The typed helpers that read settings from the environment refuse bad values."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from gentling.config import env_int


@pytest.mark.parametrize("raw, value", [(None, 0), ("", 0), (" ", 0), ("0", 0), ("2", 2), (" 10 ", 10)])
def test_env_int_reads_a_whole_number_or_the_default(monkeypatch, raw, value):
    if raw is None:
        monkeypatch.delenv("GENTLING_TEST_COUNT", raising=False)
    else:
        monkeypatch.setenv("GENTLING_TEST_COUNT", raw)
    assert env_int("GENTLING_TEST_COUNT", default=0, maximum=10) == value


@pytest.mark.parametrize("raw", ["-1", "11", "1.5", "two", "0x1"])
def test_env_int_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("GENTLING_TEST_COUNT", raw)
    with pytest.raises(ImproperlyConfigured, match=r"GENTLING_TEST_COUNT=.*use a whole number from 0 to 10"):
        env_int("GENTLING_TEST_COUNT", default=0, maximum=10)
