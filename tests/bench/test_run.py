"""`gentling bench run`: the figures it prints, and the whole command on a small stand-in."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gentling.bench import run
from gentling.bench.timing import Figures, percentile, time_calls


def test_percentiles_use_the_nearest_rank():
    values = sorted(float(v) for v in range(1, 101))
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95 and percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7.0
    assert Figures.of([0.001, 0.002, 0.003]).median_ms == pytest.approx(2.0)
    with pytest.raises(ValueError):
        percentile([], 50)


def test_time_calls_warms_up_then_times_each_run():
    calls = []
    figures = time_calls(lambda: calls.append(1), runs=5, warmup=2)
    assert len(calls) == 7 and figures.runs == 5


def result(**over):
    base = {
        "plan_service": {"median_ms": 60, "p95_ms": 70},
        "plan_small_service": {"median_ms": 50, "p95_ms": 55},
        "plan_http": {"median_ms": 90, "p95_ms": 99},
        "plan_first_http": {"median_ms": 110, "p95_ms": 130},
        "plan_raw_sql": {"median_ms": 6, "p95_ms": 7},
        "api": {
            "sessions_per_second": 250,
            "p99_ms_at_rate": 40,
            "by_clients": {
                "8": {"median_rps": 250, "min_rps": 231, "max_rps": 262, "phases": 5, "errors": {}},
                "32": {"median_rps": 240, "min_rps": 200, "max_rps": 255, "phases": 5, "errors": {}},
            },
            "rate": {"errors": {}},
        },
        "animal_page_http": {"median_ms": 40, "p95_ms": 50},
        "animal_page_with_charts_http": {"median_ms": 55, "p95_ms": 70},
        "animal_page_with_charts_cold_http": {"median_ms": 240, "p95_ms": 300},
        "animal_raw_sql": {"median_ms": 2, "p95_ms": 3},
        "cli_today": {"median_ms": 700, "p95_ms": 800},
        "calendar": {"first_fetch_ms": 3500.0, "cached_http": {"median_ms": 12.0, "p95_ms": 15.0}},
        "slow_clients": {"held": {"p99_ms": 12.0}, "p99_ratio": 1.2, "failed": 0},
        "outside_lock": {"today": {"median_ms": 20.0}, "today_max_ms": 450.0, "today_failed": 0},
        "backup": {"export": {"seconds": 50, "peak_mb": 66}, "import": {"seconds": 140, "peak_mb": 231}},
    }
    return {**base, **over}


def test_each_target_is_read_from_its_figure():
    met = run.verdicts(result())
    assert met == {
        "plan_http": True,
        "history_ratio": True,
        "first_today": True,
        "api_throughput": False,
        "api_errors": True,
        "api_p99": True,
        "animal_page": True,
        "animal_page_cold": True,
        "slow_clients": True,
        "outside_lock": True,
        "calendar_feed": True,
        "cli_today": True,
        "import_memory": True,
    }
    slow_feed = {"first_fetch_ms": 3500.0, "cached_http": {"median_ms": 250.0, "p95_ms": 300.0}}
    assert run.verdicts(result(calendar=slow_feed))["calendar_feed"] is False
    slowed = {"held": {"p99_ms": 30.0}, "p99_ratio": 2.5, "failed": 0}
    assert run.verdicts(result(slow_clients=slowed))["slow_clients"] is False
    stalled = {"held": {"p99_ms": 9.0}, "p99_ratio": 0.9, "failed": 3}
    assert run.verdicts(result(slow_clients=stalled))["slow_clients"] is False  # a failed request is never met
    stuck = {"today": {"median_ms": 20.0}, "today_max_ms": 5020.0, "today_failed": 0}
    assert run.verdicts(result(outside_lock=stuck))["outside_lock"] is False
    assert run.verdicts(result(outside_lock=None))["outside_lock"] is None  # PostgreSQL has no such lock
    assert run.verdicts(result(plan_small_service={"median_ms": 40}))["history_ratio"] is False  # 60/40 = 1.5
    assert run.verdicts({})["plan_http"] is None  # not measured is neither met nor missed
    assert run.verdicts(result(plan_first_http={"median_ms": 120, "p95_ms": 130}))["first_today"] is False  # 1.33x
    slow_charts = {"median_ms": 61, "p95_ms": 70}  # over 1.5 times the page's 40 ms
    assert run.verdicts(result(animal_page_with_charts_http=slow_charts))["animal_page"] is False


def test_the_table_shows_each_database_its_target_and_whether_it_was_met_and_a_dash_for_what_was_not_measured():
    rows = {name: (cells, target, met) for name, cells, target, met in run.rows({"SQLite": result(), "PostgreSQL": {}})}
    assert rows["2 full / 1% history"] == (["1.20", "-"], "<= 1.2", "met / -")
    assert rows["1 service / raw SQL"] == (["10.0x", "-"], "", "")
    assert rows["6 import"][0][0] == "140 s, 231 MB"
    assert rows["3 API logging, 8 clients"] == (
        ["250/s (231-262, 5 phases)", "-"],
        ">= 300 sessions/s (median)",
        "MISSED / -",
    )
    assert rows["3 API logging, 1 client"][0] == ["-", "-"]  # not measured in this result


def test_a_failed_request_misses_the_errors_target():
    failing = result()
    failing["api"]["by_clients"]["32"]["errors"] = {"503": 2}
    assert run.verdicts(failing)["api_errors"] is False
    assert ("SQLite", "api_errors") in run.missed({"SQLite": failing})


def test_write_docs_replaces_only_the_table_between_its_markers(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Perf\n\nprose before\n\n{run.DOCS_START}\nold table\n{run.DOCS_END}\n\nprose after\n")
    table = run.rows({"SQLite": result()})
    run.write_docs(doc, table, ["SQLite"], command="gentling bench run --runs 30")
    text = doc.read_text()
    assert text.startswith("# Perf\n\nprose before\n\n") and text.endswith("\n\nprose after\n")
    assert "old table" not in text and "`gentling bench run --runs 30 --write-docs`" in text
    assert "| 2 full / 1% history | 1.20 | <= 1.2 | met |" in text
    assert text.count(run.DOCS_START) == 1


def test_check_exits_non_zero_when_a_target_is_missed(db, monkeypatch, capsys, tmp_path):
    from gentling.cli.main import main

    monkeypatch.setattr(run, "targets", lambda data_dir, url: [run.Target("SQLite", {}, {})])
    monkeypatch.setattr(run, "run_child", lambda target, options: result())  # 250 sessions/s: missed
    args = ["bench", "run", "--data-dir", str(tmp_path)]
    assert main(args) == 0
    assert main([*args, "--check"]) == 1
    assert "missed the target >= 300 sessions/s (median)" in capsys.readouterr().out
    monkeypatch.setattr(
        run, "run_child", lambda target, options: result(api={**result()["api"], "sessions_per_second": 400})
    )
    assert main([*args, "--check"]) == 0


def test_the_import_goes_to_its_own_database_beside_the_measured_one():
    assert (
        run._sibling_database("postgres://u@h:5432/bench?sslmode=off", "_import")
        == "postgres://u@h:5432/bench_import?sslmode=off"
    )
    sqlite, pg = run.targets(__import__("pathlib").Path("/data"), "postgres://u@h/bench")
    assert sqlite.env["GENTLING_HOME"] == "/data/sqlite" and "DATABASE_URL" not in sqlite.env
    assert pg.env["DATABASE_URL"] == "postgres://u@h/bench" and pg.import_env == {
        "DATABASE_URL": "postgres://u@h/bench_import"
    }


@pytest.mark.slow
def test_bench_run_measures_every_figure_on_a_small_stand_in(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GENTLING_HOME", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gentling.cli.main import run; run()",
            "bench",
            "run",
            "--small",
            "--json",
            "--runs",
            "3",
            "--seconds",
            "1",
            "--data-dir",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    sqlite = out["results"]["SQLite"]
    assert "error" not in sqlite, done.stderr[-3000:]
    assert "skipped" in out["results"]["PostgreSQL"]["error"]
    for key in (
        "plan_service",
        "plan_http",
        "plan_first_http",
        "plan_api_http",
        "plan_small_service",
        "plan_raw_sql",
        "animal_page_http",
        "animal_page_with_charts_http",
        "animal_page_with_charts_cold_http",
        "animal_raw_sql",
        "cli_today",
    ):
        assert sqlite[key]["runs"] >= 3 and sqlite[key]["median_ms"] > 0, key
    assert (
        sqlite["api"]["sessions_per_second"] > 0
        and sqlite["api"]["sessions_stored"] == sqlite["api"]["sessions_acknowledged"]
    )
    held = sqlite["outside_lock"]
    assert held["today"]["runs"] >= 1 and held["today_failed"] == 0 and held["writes"].get("503", 0) > 0
    assert 0 < held["sessions_acknowledged"] == held["sessions_stored"]
    assert sqlite["backup"]["import"]["peak_mb"] > 0 and sqlite["backup"]["file_mb"] > 0
    feed = sqlite["calendar"]
    assert feed["first_fetch_ms"] > 0 and feed["bytes"] > 0 and feed["cached_http"]["runs"] >= 3
    assert set(out["met"]["SQLite"]) == set(run.TARGETS)
