"""`gentling bench profile`: the write path under cProfile, through the API and the web form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gentling.bench import profile
from gentling.bench.run import write_section


@pytest.fixture
def bench_street(db):
    from gentling.services.households import create_household, local_keeper
    from tests.factories import log, make_animal

    owner = local_keeper("bench-owner")
    household = create_household(keeper=owner, name="Bench Street", time_zone="Europe/London")
    now = timezone.now()
    animals = [
        make_animal(household, today=now.date(), name=name, source="breeder", days_ago=30, keeper=owner)
        for name in ("Clover", "Basil")
    ]
    log(owner, household, animals, now=now, ago=timedelta(days=1), notes="kept")
    return household


@pytest.mark.parametrize("way", profile.WAYS)
def test_profiling_logs_through_the_whole_stack_and_leaves_the_data_as_it_was(bench_street, way):
    from gentling.models import ApiToken, Session

    before = sorted(Session.objects.values_list("public_id", flat=True))

    found = profile.profile_logging(bench_street, way, requests=12)

    assert found.way == way and found.requests == 12
    assert found.ms_per_request > 0 and found.unprofiled_ms_per_request > 0 and found.queries_per_request >= 3
    assert len(found.own) == profile.SHOWN
    ours = [line.function for line in found.total]
    assert all(name.startswith("gentling/") for name in ours)
    assert any("services/sessions.py" in name and "(log_session)" in name for name in ours)
    # Each profiled request logged one session: the service ran once per request.
    logged = next(line for line in found.total if line.function.endswith("(log_session)"))
    assert logged.calls_per_request == pytest.approx(1.0)
    assert sorted(Session.objects.values_list("public_id", flat=True)) == before
    assert not ApiToken.objects.filter(name="bench profile").exists()


def test_the_profile_goes_between_its_markers_in_the_docs(tmp_path, bench_street):
    found = profile.profile_logging(bench_street, "api", requests=10)
    doc = tmp_path / "performance.md"
    doc.write_text("# Perf\n\nprose\n")
    lines = profile.markdown([found], "sqlite")
    write_section(doc, profile.MARKERS, lines, command="gentling bench profile", title="Where a write's time goes")
    write_section(doc, profile.MARKERS, lines, command="gentling bench profile", title="Where a write's time goes")
    text = doc.read_text()
    assert text.startswith("# Perf\n\nprose\n\n## Where a write's time goes\n")
    assert text.count(profile.MARKERS[0]) == 1 and text.count("| most time of its own | calls | ms |") == 1
    assert "**POST /api/v1/households/{hid}/sessions** on sqlite: 10 requests" in text


def test_the_command_profiles_the_rescue_and_writes_the_docs(bench_street, monkeypatch, capsys, tmp_path):
    from gentling.bench import generate, measure
    from gentling.cli.main import main

    monkeypatch.setattr(generate, "generated", lambda profile, animals: True)
    monkeypatch.setattr(measure, "bench_household", lambda profile: bench_street)
    doc = tmp_path / "performance.md"
    assert main(["bench", "profile", "--requests", "10", "--way", "web", "--write-docs", str(doc)]) == 0
    out = capsys.readouterr().out
    assert "The web's Log a session form (POST)" in out and "most time of its own" in out
    assert "`gentling bench profile --requests 10 --way web --write-docs`" in doc.read_text()
    assert main(["bench", "profile", "--requests", "5"]) != 0
    said = capsys.readouterr()
    assert "--requests 5: give 10 to 100,000." in said.err + said.out
