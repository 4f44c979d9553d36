"""The `gentling` command line's protocol commands, driven in-process as tests/integration/test_cli.py
does: `main([...], now=NOW, stdout=buf)` as a keeper named by GENTLING_KEEPER, never the real clock."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli_harness import Result, cli_runner
from tests.integration.conftest import NOW, TODAY

OWNER, CARER = "olive-owner", "carl-carer"
HOUSE = Path(__file__).parent.parent / "data" / "protocols" / "house-gentle.toml"


@pytest.fixture
def cli(monkeypatch, capsys, household):
    return cli_runner(monkeypatch, capsys, keeper=OWNER, now=NOW)


def ok(r: Result) -> Result:
    assert r.code == 0, r.text
    return r


def d(n: int) -> date:
    """TODAY + n days."""
    return TODAY + timedelta(days=n)


def house_file(tmp_path: Path, version: int = 1, changes: dict[str, str] | None = None) -> Path:
    """A copy of the sample household protocol at `version`, with each of `changes`' texts swapped in."""
    text = HOUSE.read_text(encoding="utf-8").replace("version = 1", f"version = {version}", 1)
    for old, new in (changes or {}).items():
        assert old in text, f"the sample protocol changed: update this test's {old!r}"
        text = text.replace(old, new, 1)
    path = tmp_path / f"house-gentle-v{version}.toml"
    path.write_text(text, encoding="utf-8")
    return path
