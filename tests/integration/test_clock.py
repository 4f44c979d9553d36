"""Below the interfaces nothing reads the wall clock (README, "Tests"): services, the
domain and the charts take `now` or `today`. The interfaces read it through
`gentling.clock.now()`, once per request or command, and so do model defaults."""

from pathlib import Path

import gentling
from tests.purity import clock_reads

PACKAGE = Path(gentling.__file__).parent
BELOW_THE_INTERFACES = ("domain", "services", "charts")


def test_the_checked_packages_have_modules():
    for name in BELOW_THE_INTERFACES:
        assert len(list((PACKAGE / name).glob("*.py"))) > 1, name


def test_nothing_below_the_interfaces_reads_the_clock():
    reads = [
        read
        for name in BELOW_THE_INTERFACES
        for path in sorted((PACKAGE / name).rglob("*.py"))
        for read in clock_reads(path)
    ]
    assert reads == []


def test_the_interfaces_read_the_one_clock():
    """Web views, API endpoints, the CLI and the benchmark read `clock.now()`, never Django's
    or Python's clock directly, so that one function decides what "now" is. (bench/load.py
    is the load generator: a separate client process, standard library only.)"""
    direct = [
        read
        for name in ("web", "api", "cli", "bench")
        for path in sorted((PACKAGE / name).rglob("*.py"))
        if path.name != "load.py"
        for read in clock_reads(path)
        if not read.endswith("clock.now")
    ]
    assert direct == []


def test_the_check_finds_a_clock_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from django.utils import timezone\nx = timezone.now()\ny = date.today()\n")
    assert clock_reads(sample) == ["sample.py:2: timezone.now", "sample.py:3: date.today"]
